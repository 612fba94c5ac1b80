"""The assessment form and the evidence log (issue 17, "Evidence over reputation"): each
skill offers the assessed person's undisputed items that show it, to cite (autosaved and
submitted through the services); a link to log a new one; on the self-assessment the
skills whose current level is stale come first; a manager's submit with a rating far
from the person's own that cites nothing is refused beside each such skill."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.evidence import evidence_add, evidence_dispute
from assessments.models import Assessment, CurrentLevel, Evidence, Rating
from assessments.services import assessment_start
from skills.models import Skill
from tests.factories import CategoryFactory, ExpectationFactory, SkillFactory
from tests.helpers import HTMX, fieldset, levels, submit

pytestmark = pytest.mark.django_db

ASSESS, SAVE, SUBMIT = "/assess/", "/assess/save/", "/assess/submit/"


def item(by, person, title: str, *keys: str, days_ago: int = 10) -> Evidence:
    return evidence_add(
        by=by,
        person=person,
        title=title,
        kind="project",
        date=date.today() - timedelta(days=days_ago),
        skills=list(keys),
    )


def items_field(key: str) -> str:
    """The name the form gives a skill's items: "i" and the skill's id."""
    return f"i{Skill.objects.get(key=key).pk}"


def offered(html: str, key: str) -> list[int]:
    """The ids of the items the skill's fieldset offers to cite, in order."""
    name = items_field(key)
    return [
        int(n) for n in re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)"', html)
    ]


def ticked(html: str, key: str) -> list[int]:
    name = items_field(key)
    return [
        int(n)
        for n in re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)" checked', html)
    ]


def cited(assessment: Assessment, key: str) -> set[int]:
    rating = assessment.ratings.get(skill__key=key)
    return set(rating.evidence_items.values_list("pk", flat=True))


def fieldset_keys(html: str) -> list[str]:
    return re.findall(r'<fieldset class="skill[^"]*" id="skill-([\w-]+)"', html)


@pytest.fixture
def log(org):
    """erin's log: two items of her own (the newer shows two skills), an observation by
    max she disputes, one he made that she does not; and an item of sam's."""
    erin, max_, sam = org["erin"], org["max"], org["sam"]
    found = {
        "rfc": item(erin, erin, "Caching RFC", "system-design", days_ago=30),
        "pairing": item(erin, erin, "Pairing rota", "system-design", "mentoring", days_ago=5),
        "disputed": item(max_, erin, "Outage review", "system-design", days_ago=20),
        "observed": item(max_, erin, "Led the migration", "technical-depth", days_ago=3),
        "sams": item(sam, sam, "Sam's design doc", "system-design"),
    }
    evidence_dispute(by=erin, item=found["disputed"], disputed=True, comment="Not mine.")
    return found


# --- What each skill offers ----------------------------------------------------------------


def test_each_skill_offers_her_own_undisputed_items_that_show_it(client, org, log):
    client.force_login(org["erin"])
    html = client.get(ASSESS).content.decode()
    # Newest first; not the disputed observation, not sam's item.
    assert offered(fieldset(html, "system-design"), "system-design") == [
        log["pairing"].pk,
        log["rfc"].pk,
    ]
    assert offered(fieldset(html, "mentoring"), "mentoring") == [log["pairing"].pk]
    assert offered(fieldset(html, "technical-depth"), "technical-depth") == [log["observed"].pk]
    design = fieldset(html, "system-design")
    assert 'role="group" aria-labelledby="cite-system-design"' in design
    assert "Cite from your evidence log" in design
    assert f'<input type="hidden" name="{items_field("system-design")}" value="">' in design
    assert "Pairing rota <span>· Project · <time datetime=" in design
    # A skill without items has no list at all.
    writing = fieldset(html, "writing-decisions")
    assert items_field("writing-decisions") not in writing
    assert 'class="cite"' not in writing


def test_the_manager_form_offers_the_reports_items(client, org, log):
    erin = org["erin"]
    client.force_login(org["max"])
    html = client.get(reverse("assessments:assess_report", args=[erin.pk])).content.decode()
    design = fieldset(html, "system-design")
    assert offered(design, "system-design") == [log["pairing"].pk, log["rfc"].pk]
    assert "Cite from Erin's evidence log" in design


def test_every_skill_links_to_adding_evidence_with_its_name_for_screen_readers(client, org):
    erin = org["erin"]
    client.force_login(erin)
    html = client.get(ASSESS).content.decode()
    keys = fieldset_keys(html)
    links = re.findall(r'<a href="/map/evidence/\?skill=([\w-]+)#add"[^>]*>Add evidence', html)
    assert links == keys
    # Its name: "Add evidence for" (once in the page) and the skill's legend.
    pk = Skill.objects.get(key="system-design").pk
    assert (
        '<a href="/map/evidence/?skill=system-design#add" '
        f'aria-labelledby="ad n{pk}">Add evidence</a>'
    ) in html
    assert f'<legend id="n{pk}">System design</legend>' in html
    assert '<span id="ad">Add evidence for</span>' in html
    client.force_login(org["max"])
    html = client.get(reverse("assessments:assess_report", args=[erin.pk])).content.decode()
    assert (
        f'<a href="/team/{erin.pk}/evidence/?skill=system-design#add" '
        f'aria-labelledby="ad n{pk}">Add an observation</a>'
    ) in html
    assert '<span id="ad">Add an observation for</span>' in html
    assert "Add evidence<" not in html


# --- Citing ------------------------------------------------------------------------------------


def autosave(client, url: str, key: str, level: int | None = None, items=(), **extra):
    data = {"skill": key, f"items-{key}": ["", *map(str, items)], **extra}
    if level is not None:
        data[f"level-{key}"] = str(level)
    return client.post(url, data, headers=HTMX)


def draft_of(person, kind: str = "self") -> Assessment:
    return Assessment.objects.get(person=person, kind=kind, status="draft")


def test_a_citation_is_saved_by_autosave_and_can_be_taken_back(client, org, log):
    erin = org["erin"]
    client.force_login(erin)
    html = autosave(client, SAVE, "system-design", 3, [log["rfc"].pk]).content.decode()
    assert "✓ Saved at" in html
    assert ticked(html, "system-design") == [log["rfc"].pk]
    assert cited(draft_of(erin), "system-design") == {log["rfc"].pk}
    # The level changed later: the ticks go with it, kept.
    autosave(client, SAVE, "system-design", 4, [log["rfc"].pk, log["pairing"].pk])
    assert cited(draft_of(erin), "system-design") == {log["rfc"].pk, log["pairing"].pk}
    page = client.get(ASSESS).content.decode()
    assert ticked(fieldset(page, "system-design"), "system-design") == [
        log["pairing"].pk,
        log["rfc"].pk,
    ]
    # None ticked is an answer too.
    autosave(client, SAVE, "system-design")
    assert cited(draft_of(erin), "system-design") == set()
    assert levels(draft_of(erin)) == {"system-design": 4}


def test_a_skill_without_a_list_keeps_its_citations(client, org, log):
    """The plain form posts every skill; one showing no list says nothing of items."""
    erin = org["erin"]
    assessment_start(
        by=erin,
        person=erin,
        kind="self",
        ratings=[{"skill": "writing-decisions", "level": 2, "evidence_items": [log["rfc"].pk]}],
    )
    client.force_login(erin)
    client.post(SAVE, {"level-writing-decisions": "3"})
    assert cited(draft_of(erin), "writing-decisions") == {log["rfc"].pk}


def test_a_citation_is_saved_by_the_plain_form_and_submitted(client, org, log):
    erin = org["erin"]
    client.force_login(erin)
    response = client.post(
        SAVE,
        {
            "level-system-design": "3",
            "items-system-design": ["", str(log["pairing"].pk)],
            "level-mentoring": "2",
            "items-mentoring": [""],
        },
    )
    assert response.status_code == 302
    assert cited(draft_of(erin), "system-design") == {log["pairing"].pk}
    client.post(SUBMIT)
    done = Assessment.objects.get(person=erin, kind="self")
    assert done.status == "submitted"
    assert cited(done, "system-design") == {log["pairing"].pk}
    assert cited(done, "mentoring") == set()


def test_another_persons_item_is_refused_by_name_and_nothing_is_written(client, org, log):
    erin = org["erin"]
    client.force_login(erin)
    sams = log["sams"].pk
    response = autosave(client, SAVE, "system-design", 3, [log["rfc"].pk, sams])
    html = response.content.decode()
    assert response.status_code == 200
    assert fieldset_keys(html) == ["system-design"]
    assert f"Not in this person&#x27;s evidence log: {sams}." in html
    # Beside the evidence: the note and the list are the invalid fields.
    pk = Skill.objects.get(key="system-design").pk
    assert (
        f'<textarea id="evidence-system-design" name="e{pk}" aria-labelledby="ev n{pk}" '
        'aria-invalid="true" aria-describedby="error-system-design">'
    ) in html
    assert 'aria-labelledby="cite-system-design" aria-describedby="error-system-design"' in html
    assert f'type="radio" name="l{pk}" value="3" checked>' in html  # kept
    assert not Assessment.objects.exists()

    # With a draft open: neither its level nor its citations change.
    autosave(client, SAVE, "system-design", 3, [log["rfc"].pk])
    autosave(client, SAVE, "system-design", 5, [sams])
    assert levels(draft_of(erin)) == {"system-design": 3}
    assert cited(draft_of(erin), "system-design") == {log["rfc"].pk}
    # The plain form: the same, the error beside the skill.
    response = client.post(
        SAVE, {"level-system-design": "4", "items-system-design": ["", str(sams)]}
    )
    assert f"Not in this person&#x27;s evidence log: {sams}." in fieldset(
        response.content.decode(), "system-design"
    )
    assert levels(draft_of(erin)) == {"system-design": 3}
    assert Rating.evidence_items.through.objects.filter(evidence_id=sams).count() == 0


def test_an_id_that_is_not_a_number_is_refused(client, org, log):
    client.force_login(org["erin"])
    html = autosave(client, SAVE, "system-design", 3, ["abc"]).content.decode()
    assert "Give a list of evidence item ids." in html
    assert not Assessment.objects.exists()


def test_ticking_an_item_of_an_unrated_skill_asks_for_a_level(client, org, log):
    client.force_login(org["erin"])
    html = autosave(client, SAVE, "mentoring", None, [log["pairing"].pk]).content.decode()
    assert "Choose a level for &quot;Mentoring and growing others&quot;." in html
    assert not Assessment.objects.exists()


# --- Stale skills first -------------------------------------------------------------------------


def test_stale_skills_come_first_marked_the_rest_in_their_order(client, org):
    erin = org["erin"]
    client.force_login(erin)
    before = fieldset_keys(client.get(ASSESS).content.decode())
    submit(erin, erin, "self", {"system-design": 3})  # recent: not stale
    # Pre-filled from the one above (system design too), then dated long ago: the
    # recent one stays system design's latest.
    long_ago = timezone.now() - timedelta(days=400)
    submit(erin, erin, "self", {"mentoring": 2, "technical-depth": 3}, at=long_ago)
    html = client.get(ASSESS).content.decode()
    keys = fieldset_keys(html)
    stale = ["technical-depth", "mentoring"]
    stale.sort(key=before.index)
    assert keys[:2] == stale
    assert keys[2:] == [k for k in before if k not in stale]  # each once, in order
    section = re.search(r'<section class="assess-category assess-stale".*?</section>', html, re.S)
    assert section is not None
    assert '<h2 id="stale-title">Rated over 365 days ago: review these first</h2>' in html
    assert fieldset_keys(section.group(0)) == stale
    for key in stale:
        assert '<span class="badge stale">stale' in fieldset(html, key)
    assert "badge stale" not in fieldset(html, "system-design")


def test_without_stale_skills_there_is_no_stale_group(client, org):
    erin = org["erin"]
    submit(erin, erin, "self", {"mentoring": 2})
    client.force_login(erin)
    html = client.get(ASSESS).content.decode()
    assert "assess-stale" not in html
    assert "badge stale" not in html


def test_the_manager_form_keeps_its_order(client, org):
    erin = org["erin"]
    submit(erin, erin, "self", {"mentoring": 2}, at=timezone.now() - timedelta(days=400))
    client.force_login(org["max"])
    html = client.get(reverse("assessments:assess_report", args=[erin.pk])).content.decode()
    assert "assess-stale" not in html
    assert fieldset_keys(html)[0] == "system-design"


# --- A manager's divergent rating must cite -------------------------------------------------


@pytest.fixture
def divergent(org):
    """erin rated herself 1 on system design and 2 on mentoring; max's draft rates her 4
    and 5, citing nothing, and 2 on technical depth (she did not rate it)."""
    erin, max_ = org["erin"], org["max"]
    submit(erin, erin, "self", {"system-design": 1, "mentoring": 2})
    assessment_start(
        by=max_,
        person=erin,
        kind="manager",
        ratings=[
            {"skill": "system-design", "level": 4},
            {"skill": "mentoring", "level": 5},
            {"skill": "technical-depth", "level": 2},
        ],
    )
    return erin, max_


def submit_url(erin) -> str:
    return reverse("assessments:assess_report_submit", args=[erin.pk])


def assert_nothing_written(erin, max_) -> None:
    draft = Assessment.objects.get(person=erin, kind="manager", author=max_)
    assert draft.status == "draft"
    assert not CurrentLevel.objects.filter(person=erin, manager_level__isnull=False).exists()


def test_an_uncited_divergent_rating_is_refused_beside_each_skill(client, divergent):
    erin, max_ = divergent
    client.force_login(max_)
    response = client.post(submit_url(erin))
    html = response.content.decode()
    assert response.status_code == 200  # the form again, the errors beside their skills
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'id="error-summary" role="alert" tabindex="-1"' in summary
    assert "Not submitted: 2 ratings need evidence" in summary
    links = re.findall(r'<li><a href="#evidence-([\w-]+)">', summary)
    assert links == ["system-design", "mentoring"]  # in the form's order
    for key in ("system-design", "mentoring"):
        skill = fieldset(html, key)
        pk = Skill.objects.get(key=key).pk
        assert (
            f'<textarea id="evidence-{key}" name="e{pk}" aria-labelledby="ev n{pk}" '
            f'aria-invalid="true" aria-describedby="error-{key}">'
        ) in skill
        # Beside the evidence (before the link to add more), under the summary: no alert.
        error = re.search(rf'<p class="error" id="error-{key}">([^<]+)</p>', skill)
        assert error is not None
        assert skill.index(f'id="error-{key}"') < skill.index("Add an observation")
        assert 'aria-invalid="true"' not in skill.split("<textarea")[0]  # not the radios
        assert "Saved in your draft" in skill
    assert "you rate 4, Erin rated 1" in fieldset(html, "system-design")
    assert "error" not in fieldset(html, "technical-depth")
    assert_nothing_written(erin, max_)


def test_with_htmx_the_form_region_comes_back_in_place_of_the_form(client, divergent):
    erin, max_ = divergent
    client.force_login(max_)
    response = client.post(submit_url(erin), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#assess"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<div id="assess">')
    assert "<h1>" not in html
    assert '<a href="#evidence-system-design">' in html
    assert 'aria-describedby="error-mentoring"' in html
    assert_nothing_written(erin, max_)


def test_a_skill_with_an_error_is_shown_whatever_the_scope(client, org):
    erin, max_ = org["erin"], org["max"]
    submit(erin, erin, "self", {"hiring": 0})  # a skill her roles do not expect
    assessment_start(
        by=max_, person=erin, kind="manager", ratings=[{"skill": "hiring", "level": 3}]
    )
    client.force_login(max_)
    html = client.post(submit_url(erin)).content.decode()
    assert "hiring" in fieldset_keys(html)
    assert '<a href="#evidence-hiring">' in html


def test_citing_an_item_by_autosave_lets_the_submit_through(client, divergent, log):
    erin, max_ = divergent
    client.force_login(max_)
    save = reverse("assessments:assess_report_save", args=[erin.pk])
    autosave(client, save, "system-design", 4, [log["rfc"].pk])
    autosave(client, save, "mentoring", 5, **{"evidence-mentoring": "Mentored the new joiners"})
    response = client.post(submit_url(erin), headers=HTMX)
    assert response.headers["HX-Redirect"] == f"/team/{erin.pk}/assess/"
    done = Assessment.objects.get(person=erin, kind="manager")
    assert done.status == "submitted"
    assert cited(done, "system-design") == {log["rfc"].pk}


def test_the_self_assessment_is_not_held_to_divergence(client, org):
    erin, max_ = org["erin"], org["max"]
    submit(max_, erin, "manager", {"system-design": 5})
    client.force_login(erin)
    autosave(client, SAVE, "system-design", 1)
    response = client.post(SUBMIT, headers=HTMX)
    assert response.headers["HX-Redirect"] == ASSESS


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["erin", "sam", "mia", "eli", "hana"])
def test_outsiders_get_404_and_cite_nothing(client, org, log, who):
    """Only erin's managers write her manager assessment: erin herself, a peer, a peer
    manager, the outsider and HR get 404, and nothing is written."""
    erin = org["erin"]
    client.force_login(org[who])
    page = reverse("assessments:assess_report", args=[erin.pk])
    save = reverse("assessments:assess_report_save", args=[erin.pk])
    assert client.get(page).status_code == 404
    assert autosave(client, save, "system-design", 3, [log["rfc"].pk]).status_code == 404
    assert client.post(submit_url(erin)).status_code == 404
    assert not Assessment.objects.filter(kind="manager").exists()


# --- Queries ---------------------------------------------------------------------------------

# The layout's queries, by how they start: the session, the user, and the navigation's
# one query ("has reports?" and, since the promotions link, "has a case to see?": both
# in careermap/navigation.py's _facts).
LAYOUT = (
    'SELECT "django_session"',
    'SELECT "people_person"."id", "people_person"."password"',
    'SELECT EXISTS(SELECT 1 AS "a" FROM "people_person" "U0" WHERE "U0"."manager_id"',
)


def own_queries(client, url: str) -> int:
    """The page's queries but the layout's (session, user, navigation)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return sum(1 for q in captured if not q["sql"].startswith(LAYOUT))


def grow_log(person, by, skills: int, items: int) -> None:
    """`skills` more skills her role expects, rated in her draft, and `items` items of
    her log showing them all."""
    category = CategoryFactory(key=f"more-{skills}-{items}", name="More")
    keys = []
    for n in range(skills):
        skill = SkillFactory(key=f"more-{skills}-{items}-{n}", category=category)
        ExpectationFactory(role=person.role, skill=skill, level=2)
        keys.append(skill.key)
    keys = keys or ["system-design"]
    for n in range(items):
        item(by, person, f"Item {n}", *keys, days_ago=n)


# The self-assessment: 1 scale, 2 roles, 3 skills, 4 the draft, 5 its ratings, 6 her
# undisputed items by skill, 7 her gap rows (stale or not), 8 the ratings' citations.
PINNED_SELF = 8
# The manager's: the same but the gap rows (the report's check, get_report_or_404, reads
# people_person as the layout does, and is left out with it).
PINNED_MANAGER = 7


def test_the_self_form_runs_a_fixed_number_of_queries_whatever_the_items(client, org):
    erin = org["erin"]
    client.force_login(erin)
    grow_log(erin, erin, skills=0, items=1)
    autosave(client, SAVE, "system-design", 3, [Evidence.objects.get().pk])
    few = own_queries(client, ASSESS)
    grow_log(erin, erin, skills=30, items=40)
    ids = list(Evidence.objects.values_list("pk", flat=True))
    for key in Skill.objects.filter(key__startswith="more-").values_list("key", flat=True)[:10]:
        autosave(client, SAVE, key, 2, ids[:5])
    html = client.get(ASSESS).content.decode()
    assert len(offered(html, "more-30-40-0")) == 40
    many = own_queries(client, ASSESS)
    assert few == many == PINNED_SELF


def test_the_manager_form_runs_a_fixed_number_of_queries_whatever_the_items(client, org):
    erin, max_ = org["erin"], org["max"]
    client.force_login(max_)
    url = reverse("assessments:assess_report", args=[erin.pk])
    save = reverse("assessments:assess_report_save", args=[erin.pk])
    grow_log(erin, erin, skills=0, items=1)
    autosave(client, save, "system-design", 3, [Evidence.objects.get().pk])
    few = own_queries(client, url)
    grow_log(erin, max_, skills=30, items=40)
    many = own_queries(client, url)
    assert few == many == PINNED_MANAGER


def test_an_autosave_with_citations_runs_a_fixed_number_of_queries(client, org):
    erin = org["erin"]
    client.force_login(erin)
    grow_log(erin, erin, skills=0, items=1)
    ids = list(Evidence.objects.values_list("pk", flat=True))
    autosave(client, SAVE, "system-design", 3, ids)
    with CaptureQueriesContext(connection) as few:
        autosave(client, SAVE, "system-design", 2, ids)
    grow_log(erin, erin, skills=30, items=40)
    ids = list(Evidence.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as many:
        autosave(client, SAVE, "system-design", 4, ids)
    assert len(many) == len(few)
    assert len(cited(draft_of(erin), "system-design")) == 41
