"""A report's page (the map, self and manager ratings side by side, evidence, growth plan,
history) and the manager assessment of the report, for managers above the person only:
everyone else gets 404."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.gaps import gaps_for
from assessments.models import Assessment
from assessments.services import (
    action_add,
    action_set_done,
    assessment_start,
    assessment_submit,
    focus_skill_add,
    growth_plan_set_status,
)
from skills.models import Skill
from tests.factories import ExpectationFactory, SkillFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def submit(by, person, levels: dict[str, int], days_ago: int = 0, evidence: str = ""):
    kind = "self" if by == person else "manager"
    # A manager's rating far from the person's own must cite evidence: a note, unless given.
    evidence = evidence or ("Seen in {skill} work." if kind == "manager" else "")
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[
            {"skill": k, "level": v, "evidence": evidence.format(skill=k)}
            for k, v in levels.items()
        ],
    )
    done = assessment_submit(by=by, assessment=draft)
    Assessment.objects.filter(pk=done.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return done


@pytest.fixture
def reviewed(erin, max_) -> dict[str, Assessment]:
    """erin rates system design 4, max rates it 2 (a divergence); mentoring 3 vs 2 (not
    one); hiring rated by erin only. Older ratings with other evidence came before."""
    return {
        "old_self": submit(
            erin, erin, {"system-design": 1, "mentoring": 1}, days_ago=60, evidence="old {skill}"
        ),
        "old_manager": submit(max_, erin, {"system-design": 1}, days_ago=50, evidence="old max"),
        "self": submit(
            erin,
            erin,
            {"system-design": 4, "mentoring": 3, "hiring": 1},
            days_ago=10,
            evidence="Led the design of https://example.com/billing for {skill}",
        ),
        "manager": submit(
            max_,
            erin,
            {"system-design": 2, "mentoring": 2},
            days_ago=5,
            evidence="Max saw {skill} in the quarterly review",
        ),
    }


def page(client, user, person, name="report", **kwargs) -> str:
    client.force_login(user)
    response = client.get(reverse(f"assessments:{name}", args=[person.pk]), **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-skill="{key}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(0)


def text(html: str) -> str:
    """The row's text, tags dropped: what a screen reader reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def section(html: str, title_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}">.*?</section>', html, re.S)
    assert match, f"no section {title_id}"
    return match.group(0)


# --- Who may open what -----------------------------------------------------------------

OUTSIDERS = [
    ("max", "eli"),  # mia's team: a peer manager's report
    ("max", "max"),  # himself
    ("max", "mona"),  # above him
    ("hana", "erin"),  # HR, not above erin
    ("erin", "erin"),  # her own report page
    ("sam", "erin"),  # a peer
    ("mia", "erin"),  # a peer manager
    ("eli", "erin"),
]
PAGES = ["report", "report_history", "assess_report", "assess_report_submit"]


@pytest.mark.parametrize(("viewer", "person"), OUTSIDERS)
@pytest.mark.parametrize("name", PAGES)
def test_anyone_outside_the_chain_above_the_person_gets_404(client, org, viewer, person, name):
    client.force_login(org[viewer])
    assert client.get(reverse(f"assessments:{name}", args=[org[person].pk])).status_code == 404


@pytest.mark.parametrize(("viewer", "person"), OUTSIDERS)
@pytest.mark.parametrize("name", ["assess_report_save", "assess_report_submit"])
def test_outsiders_cannot_write_a_manager_assessment(client, org, viewer, person, name):
    client.force_login(org[viewer])
    data = {"skill": "system-design", "level-system-design": "1"}
    assert (
        client.post(reverse(f"assessments:{name}", args=[org[person].pk]), data).status_code == 404
    )
    assert (
        client.post(
            reverse(f"assessments:{name}", args=[org[person].pk]), data, headers=HTMX
        ).status_code
        == 404
    )
    assert not Assessment.objects.filter(kind="manager").exists()


def test_an_unknown_person_gets_404(client, max_):
    client.force_login(max_)
    assert client.get(reverse("assessments:report", args=[99999])).status_code == 404
    # Past any integer column: a plain 404, not an overflow in the chain walk.
    assert client.get(reverse("assessments:report", args=[2**70])).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, erin, name):
    response = client.get(reverse(f"assessments:{name}", args=[erin.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("viewer", ["max", "mona"])
def test_managers_direct_and_indirect_open_the_page(client, org, viewer, reviewed):
    html = page(client, org[viewer], org["erin"])
    assert html.count("<h1>") == 1
    assert "<h1>Erin</h1>" in html


# --- The page --------------------------------------------------------------------------


def test_manager_sees_her_self_level_beside_his_and_the_divergence_flag(
    client, max_, erin, reviewed
):
    html = page(client, max_, erin)

    design = row(html, "system-design")
    assert 'class="divergent"' in design
    assert "System design 4 · Advanced 2 · Developing ⚠ diverges by 2" in text(design)
    assert '<td class="self-level">4<span class="level-word"> · Advanced</span></td>' in design
    assert "the manager ratings are Max's." in html
    # In words and with an icon, never colour alone.
    assert '<span class="diverges-icon" aria-hidden="true">⚠</span> diverges by 2' in design
    assert "1 skill diverges by two levels or more:\n      System design." in html

    mentoring = row(html, "mentoring")  # 3 vs 2: a difference, not a divergence
    assert "divergent" not in mentoring
    assert "diverges" not in mentoring
    assert "<td>1</td>" in mentoring

    hiring = row(html, "hiring")  # rated by erin only, and expected by neither role
    assert "Hiring 1 · Aware not rated \u2013" in text(hiring)  # an en dash: no difference

    # Skills that erin's target role expects are listed even when nobody rated them.
    assert '<td class="self-level">not rated</td>' in row(html, "technical-depth")


def test_each_manager_rating_names_its_author_when_several_managers_rated(
    client, mona, max_, erin, reviewed
):
    submit(mona, erin, {"hiring": 3})

    html = page(client, max_, erin)

    assert "2 · Developing by Max" in text(row(html, "system-design"))
    assert "3 · Proficient by Mona" in text(row(html, "hiring"))
    assert "the manager ratings are" not in html


def test_the_divergence_is_flagged_both_ways(client, max_, erin, reviewed):
    submit(max_, erin, {"mentoring": 5})  # self 3, manager 5

    html = page(client, max_, erin)

    assert "diverges by 2" in row(html, "mentoring")
    assert "2 skills diverge by two levels or more" in html


def test_the_page_shows_the_map_read_only(client, max_, erin, reviewed):
    html = page(client, max_, erin)

    gaps = gaps_for(person=erin)
    assert "<h2>Where Erin is</h2>" in html
    assert "Target role: <strong>Staff Engineer</strong>" in html
    assert f'<span class="readiness" id="readiness">{round(gaps.readiness * 100)}%</span>' in html
    assert 'class="radar"' in html
    assert html.count('<li class="gap-item">') == len(gaps.rows)
    # The person alone chooses their target: no form for it, and no "you".
    assert "choose_target" not in html
    assert reverse("assessments:choose_target") not in html
    assert 'name="target_role"' not in html
    assert "Where you are" not in html
    assert "Your manager" not in html


def test_the_evidence_of_the_latest_self_and_manager_ratings_is_shown(client, max_, erin, reviewed):
    html = section(page(client, max_, erin), "evidence-title")

    assert "Led the design of" in html
    assert (
        '<a href="https://example.com/billing" rel="nofollow">https://example.com/billing</a>'
        in html
    )
    assert "Max saw system-design in the quarterly review" in html
    assert "Max saw mentoring in the quarterly review" in html
    assert "old " not in html  # older ratings' evidence is not the latest
    assert '<h3 id="evidence-system-design">System design' in html


def test_the_growth_plan_is_shown_read_only(client, max_, erin, reviewed):
    focus = focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    action_add(by=erin, focus=focus, text="Write the caching RFC", due_date="2030-01-31")
    done = action_add(by=erin, focus=focus, text="Pair on the queue design")
    action_set_done(by=erin, action=done, done=True)
    growth_plan_set_status(by=erin, person=erin, status="in_progress")

    html = section(page(client, max_, erin), "plan-title")

    assert "Status: <strong>In progress</strong>" in html
    assert f'<h3 id="plan-focus-{focus.pk}">System design</h3>' in html
    assert "Target 4 · Advanced · now 2 · Developing" in html
    assert '<span class="action-state">To do:</span>\n          Write the caching RFC' in html
    assert "(due 31 Jan 2030)" in html
    assert '<li class="done">\n          <span class="action-state">Done:</span>' in html
    assert "<form" not in html
    assert "<button" not in html


def test_an_empty_growth_plan_says_so(client, max_, erin):
    html = section(page(client, max_, erin), "plan-title")
    assert "Erin has no focus skills in a growth plan yet." in html


def test_the_history_lists_submitted_assessments_newest_first_and_links_to_the_full_page(
    client, max_, erin, reviewed
):
    assessment_start(by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": 5}])

    html = section(page(client, max_, erin), "assessments-title")

    listed = [int(pk) for pk in re.findall(r'<tr data-assessment="(\d+)">', html)]
    assert listed == [
        reviewed[k].pk for k in ("manager", "self", "old_manager", "old_self")
    ]  # no draft
    assert f'href="{reverse("assessments:report_history", args=[erin.pk])}"' in html


def test_the_report_history_page_reuses_the_history_page(client, max_, erin, reviewed):
    html = page(client, max_, erin, "report_history")

    assert html.count("<h1>") == 1
    assert "<h1>History of Erin</h1>" in html
    assert "Erin's submitted assessments over time" in html
    assert len(re.findall(r'<tr data-assessment="\d+">', html)) == 4
    form_action = f'action="{reverse("assessments:report_history", args=[erin.pk])}"'
    assert form_action in html

    chart = page(client, max_, erin, "report_history", data={"skill": "mentoring"}, headers=HTMX)
    assert "<h1>" not in chart
    assert chart.strip().startswith('<div id="skill-chart" class="skill-chart">')


def test_the_page_links_to_the_manager_assessment(client, max_, erin):
    html = page(client, max_, erin)
    url = reverse("assessments:assess_report", args=[erin.pk])
    assert f'<a class="button primary" href="{url}">Assess Erin</a>' in html


def test_the_page_keeps_the_rules_of_every_page(client, max_, erin, reviewed):
    html = page(client, max_, erin)

    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "hx-on" not in html
    assert "style=" not in html
    # Headings never skip a level.
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


# --- The manager assessment --------------------------------------------------------------


def test_the_manager_assessment_form_is_the_assessment_form_for_erin(client, max_, erin):
    html = page(client, max_, erin, "assess_report")

    assert "<h1>Assessment of Erin</h1>" in html
    # The form's action is where each answer autosaves too (static/js/assess.js).
    assert f'action="{reverse("assessments:assess_report_save", args=[erin.pk])}"' in html
    assert f'hx-post="{reverse("assessments:assess_report_submit", args=[erin.pk])}"' in html
    assert "they count in Erin's map" in html
    assert (
        f'<a href="{reverse("assessments:report", args=[erin.pk])}">Back to Erin\'s page</a>'
        in html
    )
    assert not Assessment.objects.exists()  # GET writes nothing


def current_of(person, key: str) -> tuple[int | None, int | None, int | None]:
    found = next(r for r in gaps_for(person=person).rows if r.skill.key == key)
    return found.self_level, found.manager_level, found.current


def test_max_writes_and_submits_a_manager_assessment_by_htmx(client, max_, erin, reviewed):
    client.force_login(max_)
    save_url = reverse("assessments:assess_report_save", args=[erin.pk])
    submit_url = reverse("assessments:assess_report_submit", args=[erin.pk])

    response = client.post(
        save_url,
        {"skill": "system-design", "level-system-design": "3", "evidence-system-design": "RFC"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert (
        response.content.decode()
        .lstrip()
        .startswith('<fieldset class="skill" id="skill-system-design"')
    )
    draft = Assessment.objects.get(person=erin, author=max_, kind="manager", status="draft")
    assert current_of(erin, "system-design") == (4, 2, 2)  # a draft does not count

    response = client.post(submit_url, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("assessments:assess_report", args=[erin.pk])
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.ratings.get(skill__key="system-design").evidence == "RFC"
    # The manager level is now erin's current level on her map.
    assert current_of(erin, "system-design") == (4, 3, 3)
    # The next page says so, and links her map.
    page = client.get(response["HX-Redirect"]).content.decode()
    assert re.search(
        r"Submitted: \d+ skills? rated for Erin\. Your ratings are now Erin's current", page
    )
    assert f'<a href="/team/{erin.pk}/">See Erin\'s map</a>' in page


def test_max_writes_and_submits_a_manager_assessment_by_plain_post(client, max_, erin):
    client.force_login(max_)
    page_url = reverse("assessments:assess_report", args=[erin.pk])
    submit_url = reverse("assessments:assess_report_submit", args=[erin.pk])
    submit(erin, erin, {"system-design": 4})

    response = client.post(
        reverse("assessments:assess_report_save", args=[erin.pk]),
        {
            "level-system-design": "2",
            "evidence-system-design": "Design review, May.",
            "level-mentoring": "3",
        },
    )
    assert response.status_code == 302
    assert response.url == page_url

    confirm = page(client, max_, erin, "assess_report_submit")
    assert "Submit your assessment of Erin? It cannot be changed afterwards." in confirm
    assert f'<form method="post" action="{submit_url}"' in confirm

    response = client.post(submit_url)
    assert response.status_code == 302
    assert response.url == page_url
    assessment = Assessment.objects.get(person=erin, kind="manager")
    assert (assessment.status, assessment.author) == ("submitted", max_)
    assert current_of(erin, "system-design") == (4, 2, 2)
    assert current_of(erin, "mentoring") == (None, 3, 3)
    # ...and the report page now shows the divergence.
    assert "diverges by 2" in row(page(client, max_, erin), "system-design")


def test_mona_may_assess_erin_too(client, mona, erin):
    client.force_login(mona)
    client.post(
        reverse("assessments:assess_report_save", args=[erin.pk]), {"level-system-design": "5"}
    )
    client.post(reverse("assessments:assess_report_submit", args=[erin.pk]))
    assert Assessment.objects.get(kind="manager", person=erin).author == mona
    assert current_of(erin, "system-design") == (None, 5, 5)


# --- Query counts ------------------------------------------------------------------------

# session, user, has reports (the navigation, for Team), the report with roles and
# manager; growth plan (whose gaps are the map's): plan, focus skills, their actions,
# the focus skills' current levels, the gap rows, their skills; scale; the manager's
# notes with their cited items (the map's cards); others' answers about the person (the
# map and the table); latest ratings with skills and authors (the comparison);
# submitted assessments with authors and rating counts; the latest check-ins with their
# managers and counts (history and next date, issue 19). The self levels
# (self-awareness) are read only when someone answered: nobody here.
PINNED_PAGE = 16


def grow(erin, max_, rounds: int) -> None:
    """`rounds` submitted assessments of erin, self and manager in turn."""
    for n in range(rounds):
        by = erin if n % 2 == 0 else max_
        submit(by, erin, {"system-design": n % 6, "mentoring": (n + 1) % 6}, days_ago=100 - n)


def count_page(client, erin) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("assessments:report", args=[erin.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def with_plan(erin):
    focus = focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    action_add(by=erin, focus=focus, text="Write the caching RFC")


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_history(
    client, max_, erin, with_plan
):
    client.force_login(max_)
    grow(erin, max_, 1)
    few = count_page(client, erin)

    grow(erin, max_, 7)  # 8 submitted assessments in all
    assert Assessment.objects.filter(person=erin, status="submitted").count() == 8
    many = count_page(client, erin)

    assert few == many == PINNED_PAGE


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_number_of_skills(
    client, max_, erin, with_plan
):
    client.force_login(max_)
    grow(erin, max_, 2)
    few = count_page(client, erin)

    category = Skill.objects.get(key="system-design").category
    keys = [SkillFactory(key=f"extra-{n}", category=category).key for n in range(10)]
    for key in keys:
        ExpectationFactory(role=erin.target_role, skill=Skill.objects.get(key=key), level=3)
    submit(erin, erin, dict.fromkeys(keys, 2), evidence="note on {skill}")
    submit(max_, erin, dict.fromkeys(keys, 4), evidence="max on {skill}")
    html = page(client, max_, erin)
    assert html.count("diverges by 2") >= 10
    many = count_page(client, erin)

    assert few == many == PINNED_PAGE


# session, user, has reports (the navigation), the report; the form: scale, roles,
# skills, starting point with its ratings, the person's evidence items to cite.
PINNED_FORM = 10


def test_the_manager_assessment_form_runs_a_fixed_number_of_queries(client, max_, erin):
    client.force_login(max_)
    url = reverse("assessments:assess_report", args=[erin.pk])
    submit(max_, erin, {"system-design": 2})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(erin, max_, 8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many) == PINNED_FORM
