"""My map seen whole (issue 17): on each gap card the manager's evidence for their
latest rating, the divergence flag, the current rating's age and the stale badge; the
readiness of hard and soft skills apart; the radar's axes grouped by kind. The report
page shows the same map to a manager."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.charts import radar
from assessments.evidence import evidence_add, evidence_dispute
from assessments.gaps import gaps_for
from assessments.models import Evidence
from assessments.services import (
    action_add,
    assessment_start,
    assessment_submit,
    focus_skill_add,
)
from people.models import Person
from skills.models import Category, Expectation, Skill
from tests.factories import ExpectationFactory, SkillFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def item(by: Person, person: Person, title: str, *skills: str) -> Evidence:
    return evidence_add(
        by=by,
        person=person,
        title=title,
        kind="project",
        date=date(2026, 3, 1).isoformat(),
        skills=list(skills),
    )


def rate(by: Person, person: Person, kind: str, ratings: dict[str, tuple[int, str, list[int]]]):
    """A submitted assessment: skill key -> (level, note, cited item ids)."""
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[
            {"skill": key, "level": level, "evidence": note, "evidence_items": items}
            for key, (level, note, items) in ratings.items()
        ],
    )
    return assessment_submit(by=by, assessment=draft)


def card(html: str, name: str) -> str:
    """The gap card of the skill called `name`."""
    start = rf'<li class="gap-item">\s*<h3>{re.escape(name)} '
    found = re.search(start + r'.*?</li>\s*(?=<li class="gap-item">|</ol>)', html, re.S)
    assert found, f"no card for {name}"
    return found.group(0)


def my_map(client, user: Person) -> str:
    client.force_login(user)
    response = client.get("/map/")
    assert response.status_code == 200
    return response.content.decode()


def report(client, user: Person, person: Person) -> str:
    client.force_login(user)
    response = client.get(f"/team/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# --- The manager's evidence --------------------------------------------------------------


@pytest.fixture
def cited(org) -> dict[str, Evidence]:
    """max rates erin twice (the later rating counts): system design citing her item and
    his observation, mentoring with a note alone; erin then disputes the observation.
    mia rates eli, citing an item of his."""
    erin, max_, eli, mia = org["erin"], org["max"], org["eli"], org["mia"]
    own = item(erin, erin, "Led the caching design", "system-design")
    observed = item(max_, erin, "Ran the outage review", "system-design")
    rate(max_, erin, "manager", {"system-design": (3, "Old note from March", [])})
    rate(
        max_,
        erin,
        "manager",
        {
            "system-design": (3, "Designs carefully, writes it up.", [own.pk, observed.pk]),
            "mentoring": (2, "Pairs with the new joiners.", []),
        },
    )
    evidence_dispute(by=erin, item=observed, disputed=True, comment="Sam ran it, not me.")
    elis = item(eli, eli, "Eli's migration plan", "system-design")
    rate(mia, eli, "manager", {"system-design": (2, "Eli's note from Mia", [elis.pk])})
    return {"own": own, "observed": observed, "elis": elis}


def test_my_map_shows_the_managers_note_and_cited_items_per_skill(client, erin, cited):
    html = my_map(client, erin)

    design = card(html, "System design")
    folded = design.split('<details class="manager-evidence">', 1)[1].split("</details>", 1)[0]
    assert "Manager's evidence" in folded
    assert "(Max" in folded  # who gave the rating
    assert "Designs carefully, writes it up." in folded
    link = f'href="/map/evidence/?skill=system-design#evidence-{cited["own"].pk}"'
    assert f"{link}>Led the caching design</a>" in folded
    mentoring = card(html, "Mentoring")
    assert "Pairs with the new joiners." in mentoring
    assert "Led the caching design" not in mentoring
    assert 'class="cited-items"' not in mentoring  # a note alone: no list of items


def test_only_the_latest_manager_rating_is_the_evidence(client, erin, cited):
    assert "Old note from March" not in my_map(client, erin)


def test_a_disputed_item_is_not_shown_as_the_managers_evidence(client, erin, cited):
    design = card(my_map(client, erin), "System design")

    assert "Ran the outage review" not in design
    assert f"#evidence-{cited['observed'].pk}" not in design
    assert "1 more cited item is disputed by you: not shown as evidence." in design


def test_another_persons_notes_and_items_never_show(client, erin, cited):
    html = my_map(client, erin)

    assert "Eli's note from Mia" not in html
    assert "Eli&#x27;s note from Mia" not in html
    assert "migration plan" not in html


def test_a_skill_the_manager_has_not_rated_has_no_managers_evidence(client, erin, cited):
    assert "manager-evidence" not in card(my_map(client, erin), "Technical depth")


def test_the_report_page_shows_the_same_evidence_linking_to_the_persons_log(
    client, max_, erin, cited
):
    html = report(client, max_, erin)

    design = card(html, "System design")
    assert "Designs carefully, writes it up." in design
    link = f'href="/team/{erin.pk}/evidence/?skill=system-design#evidence-{cited["own"].pk}"'
    assert link in design
    assert f"1 more cited item is disputed by {erin.get_short_name()}" in design
    assert "Ran the outage review</a>" not in design


# --- Divergence -------------------------------------------------------------------------


def test_self_and_manager_two_levels_apart_are_flagged_in_words_one_level_is_not(
    client, erin, max_
):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3})
    submit(max_, erin, "manager", {"system-design": 2, "mentoring": 2})

    html = my_map(client, erin)

    design, mentoring = card(html, "System design"), card(html, "Mentoring")
    assert '<span class="badge diverges">' in design
    assert "you and manager 2 levels apart" in design
    assert "diverges" not in mentoring
    assert "levels apart" not in mentoring
    # A manager sees the same flag on the report's map.
    assert "self and manager 2 levels apart" in card(report(client, max_, erin), "System design")


# --- The rating's age and the stale badge ----------------------------------------------


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (timedelta(days=95), False),
        # A minute inside the line: the page is answered a moment after `at` is taken.
        (timedelta(days=settings.CAREERMAP_STALE_AFTER_DAYS) - timedelta(minutes=1), False),
        (timedelta(days=settings.CAREERMAP_STALE_AFTER_DAYS + 1), True),
    ],
    ids=["95 days", "the line less a minute", "a day past the line"],
)
def test_each_card_says_how_old_its_rating_is_and_marks_it_stale_past_the_line(
    client, erin, age, stale
):
    submit(erin, erin, "self", {"system-design": 3}, at=timezone.now() - age)

    design = card(my_map(client, erin), "System design")

    if stale:
        assert '<span class="badge stale">stale<span class="visually-hidden">' in design
        assert " rating of System design</span>: rated 1\xa0year ago</span>" in design
        assert "rated-age" not in design  # the badge says the age
    else:
        assert "badge stale" not in design
        assert re.search(r'<span class="rated-age">· rated \d+\xa0months? ago</span>', design)
    if age == timedelta(days=95):
        assert "· rated 3\xa0months ago" in design


def test_the_setting_moves_the_stale_line_on_the_card(client, erin, settings):
    submit(erin, erin, "self", {"system-design": 3}, at=timezone.now() - timedelta(days=40))
    assert "badge stale" not in card(my_map(client, erin), "System design")

    settings.CAREERMAP_STALE_AFTER_DAYS = 30

    assert "badge stale" in card(my_map(client, erin), "System design")


def test_an_unrated_skill_says_no_age(client, erin):
    design = card(my_map(client, erin), "System design")
    assert "rated-age" not in design
    assert "badge stale" not in design


# --- Hard and soft skills -----------------------------------------------------------------


def expected_by_kind(role) -> Counter[str]:
    """How many active skills the role expects of each kind (Staff Engineer, erin's target,
    in the default framework's second edition: 6 hard, 15 soft)."""
    expectations = Expectation.objects.filter(role=role, skill__retired=False)
    return Counter(expectations.values_list("skill__category__kind", flat=True))


def percent(met: int, of: int) -> str:
    return f"{round(100 * met / of)}%"


def split_line(html: str, kind: str) -> str:
    found = re.search(rf'<li data-kind="{kind}">(.*?)</li>', html, re.S)
    assert found, f"no readiness line for {kind}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_readiness_is_counted_for_hard_and_soft_skills_apart(client, erin):
    gaps = gaps_for(person=erin)
    hard = [r.key for r in gaps.rows if r.loaded_skill.category.kind == "hard"]
    soft = [r.key for r in gaps.rows if r.loaded_skill.category.kind == "soft"]
    kinds = expected_by_kind(erin.target_role)
    assert (len(hard), len(soft)) == (kinds["hard"], kinds["soft"])
    # Some of each kind met, some below.
    assert len(hard) > 3
    assert len(soft) > 4
    expected = {r.key: r.expected for r in gaps.rows}
    # Three hard skills met, the rest below; four soft skills met, the rest below.
    levels = {k: expected[k] for k in hard[:3]} | dict.fromkeys(hard[3:], 0)
    levels |= {k: expected[k] for k in soft[:4]} | dict.fromkeys(soft[4:], 1)
    submit(erin, erin, "self", levels)

    html = my_map(client, erin)

    # The second edition: 50% 3 of 6, 27% 4 of 15, and 33% (7 of 21) for the whole role.
    assert split_line(html, "hard") == f"Hard skills: {percent(3, len(hard))} 3 of {len(hard)} met"
    assert split_line(html, "soft") == f"Soft skills: {percent(4, len(soft))} 4 of {len(soft)} met"
    assert re.search(rf'id="readiness">{percent(7, len(gaps.rows))}<', html)


def test_a_kind_nobody_rated_yet_says_not_assessed_yet_never_0_percent(client, erin):
    submit(erin, erin, "self", {"system-design": 4})

    html = my_map(client, erin)

    hard = expected_by_kind(erin.target_role)["hard"]
    assert split_line(html, "hard") == f"Hard skills: {percent(1, hard)} 1 of {hard} met"
    assert split_line(html, "soft") == "Soft skills: not assessed yet"


def test_the_split_parts_partition_the_rows_and_add_up(erin):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3, "feedback": 1})
    gaps = gaps_for(person=erin)

    parts = gaps.split()

    assert [p.kind for p in parts] == ["hard", "soft"]
    assert [p.label for p in parts] == ["Hard skills", "Soft skills"]
    assert sorted(r.key for p in parts for r in p.rows) == sorted(r.key for r in gaps.rows)
    assert sum(p.met for p in parts) == gaps.met
    assert all(p.role == gaps.role for p in parts)


# --- The radar, grouped by kind ------------------------------------------------------------


def test_the_radar_puts_hard_skills_together_then_soft_ones_with_a_label_each(client, erin):
    # The default framework orders its hard categories first: a soft one put before
    # them, so that the kind, not the categories' order, puts the hard skills first.
    Category.objects.filter(key="communication").update(order=0)
    gaps = gaps_for(person=erin)
    chart = radar(gaps.rows, 5)
    assert chart is not None
    kinds = {r.loaded_skill.name: r.loaded_skill.category.kind for r in gaps.rows}
    expected = expected_by_kind(erin.target_role)
    hard, soft = expected["hard"], expected["soft"]

    order = [kinds[axis.label] for axis in chart.axes]
    assert order == ["hard"] * hard + ["soft"] * soft
    assert [(g.kind, g.label, len(g.bars)) for g in chart.groups] == [
        ("hard", "Hard skills", hard),
        ("soft", "Soft skills", soft),
    ]
    assert [b.label for g in chart.groups for b in g.bars] == [a.label for a in chart.axes]

    html = my_map(client, erin)
    svg = re.search(r'<svg viewBox="[^"]*" role="img".*?</svg>', html, re.S).group(0)
    # The spokes' names in the chart's order, each group's arc and name on the chart.
    names = re.findall(r"<title>(.*?)</title>", svg)
    assert [kinds[n.replace("&amp;", "&")] for n in names] == order
    assert re.search(r'class="group-label"[^>]*>Hard skills</text>', svg)
    assert re.search(r'class="group-label"[^>]*>Soft skills</text>', svg)
    assert svg.count('<path class="group-arc"') == 2  # an arc a kind
    assert svg.count('<line class="group-arc"') == 2  # its sample beside its name
    assert svg.count('class="group-boundary"') == 2  # where each kind starts
    assert f"clockwise from the top, hard skills ({hard}), then soft skills ({soft})" in svg
    assert "each kind marked by an arc outside the outer ring and named at the top" in svg
    # The narrow layout: the same groups, headed, in the same order.
    bars = re.search(r'<ul class="level-bars".*?</ul>', html, re.S).group(0)
    headings = re.findall(r'<li class="bar-group" data-kind="(\w+)">', bars)
    assert headings == ["hard", "soft"]
    hard_part, soft_part = bars.split('data-kind="soft"', 1)
    assert hard_part.count('class="bar-expected"') == hard
    assert soft_part.count('class="bar-expected"') == soft


def test_a_role_of_one_kind_draws_one_arc_and_no_boundary(erin):
    gaps = gaps_for(person=erin)
    hard = [r for r in gaps.rows if r.loaded_skill.category.kind == "hard"]

    chart = radar(hard, 5)

    assert chart is not None
    assert [(g.kind, g.boundary) for g in chart.groups] == [("hard", None)]


# --- Query counts ---------------------------------------------------------------------------


def grow(erin: Person, max_: Person, skills: int, items: int, prefix: str) -> None:
    """`skills` more skills the Staff Engineer role expects, rated by erin and by max,
    each of max's ratings with a note and `items` cited items of erin's log."""
    category = Skill.objects.get(key="system-design").category
    made = [SkillFactory(key=f"{prefix}-{n}", category=category) for n in range(skills)]
    for skill in made:
        ExpectationFactory(role=erin.target_role, skill=skill, level=3)
    logged = {
        s.key: [item(erin, erin, f"{s.key} {i}", s.key).pk for i in range(items)] for s in made
    }
    submit(erin, erin, "self", {s.key: 2 for s in made})
    rate(max_, erin, "manager", {s.key: (2, f"Note on {s.key}", logged[s.key]) for s in made})


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# My map: session, user, the person with their roles, the gap rows, their skills with
# categories, scale, the manager's notes with their cited items (one query), the roles
# to choose from, the navigation's "has reports?" (for Team); others' answers, the
# self levels (self-awareness: only when someone answered, nobody here); the latest
# check-ins (history, next date; issue 19).
MY_MAP = 11
# The report page: session, user, has reports, the report with roles and manager; the
# growth plan (plan, focus skills, actions, their current levels, the gap rows, their
# skills); scale; the manager's notes with cited items; latest ratings (comparison);
# submitted assessments; others' answers, the self levels (self-awareness: only when
# someone answered, nobody here); the latest check-ins (history, next date; issue 19).
REPORT = 16


def test_my_map_queries_stay_flat_as_skills_and_cited_items_grow(client, erin, max_):
    grow(erin, max_, 1, 1, "few")
    client.force_login(erin)
    few = count(client, "/map/")

    grow(erin, max_, 12, 4, "many")
    html = client.get("/map/").content.decode()
    assert html.count('class="cited-items"') == 13
    many = count(client, "/map/")

    assert few == many == MY_MAP


def test_the_report_page_queries_stay_flat_as_skills_and_cited_items_grow(client, erin, max_):
    focus = focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    action_add(by=erin, focus=focus, text="Write the caching RFC")
    grow(erin, max_, 1, 1, "few")
    client.force_login(max_)
    few = count(client, f"/team/{erin.pk}/")

    grow(erin, max_, 12, 4, "many")
    many = count(client, f"/team/{erin.pk}/")

    assert few == many == REPORT
