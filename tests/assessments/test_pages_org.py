"""The org view: per-skill counts, the rollup per team and calibration, for managers of
managers and HR; 404 for everyone else."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from assessments.rollups import calibration_report, skills_report, team_rollups
from people.services import person_deactivate
from skills.models import Skill
from tests.helpers import add_people, rate_the_org, rows, submit_with_evidence, two

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(org):
    """erin and max disagree by two levels on system design; eli rates himself two
    below mia's rating of him; max is rated by mona."""
    return rate_the_org(org)


@pytest.mark.parametrize("viewer", ["mona", "hana"])
def test_org_view_numbers_equal_the_reports(client, rated, viewer):
    client.force_login(rated[viewer])

    response = client.get("/team/org/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert "<h1>Org view</h1>" in html
    assert '<h2 id="calibration-title">Calibration</h2>' in html
    shown = rows(html, "org-skills", "skill")
    expected = {
        r.skill.key: [
            r.skill.name,
            str(r.expected),
            str(r.below),
            str(r.meeting),
            str(r.unassessed),
            two(r.average_gap),
        ]
        for r in skills_report(user=rated[viewer])
        if r.expected
    }
    assert shown == expected

    calibration = rows(html, "calibration", "manager")
    report = calibration_report(user=rated[viewer])
    assert list(calibration) == [c.manager.username for c in report]
    for c in report:
        reports, delta, divergent, coverage, vs_others = calibration[c.manager.username][1:]
        assert reports == str(c.reports)
        assert divergent == str(c.divergent)
        # Every rating of rate_the_org carries a note.
        assert coverage == "100%"
        assert vs_others == "\N{EN DASH}"  # nobody gave input yet
        if c.mean_delta is not None:
            assert delta.startswith(f"{c.mean_delta:+.1f}:")
            # Two reports compared at most in this org: too few to name a direction.
            assert c.reports < 3
            assert "too few to say: fewer than 3 reports compared" in delta
    divergent = rows(html, "divergent", "person")
    design = Skill.objects.get(key="system-design").name
    assert divergent["erin"][1:] == ["Max", design, "4", "2"]
    assert divergent["eli"][1:] == ["Mia", Skill.objects.get(key="mentoring").name, "1", "3"]
    assert "reports rate themselves higher than their manager does" not in html
    assert "A reputation is not a measurement" in html


def test_a_long_divergence_list_shows_the_widest_and_says_how_many(client, rated, monkeypatch):
    from assessments.views import team

    submit_with_evidence(rated["erin"], rated["erin"], "self", {"hiring": 5})
    # 4 apart: the widest
    submit_with_evidence(rated["max"], rated["erin"], "manager", {"hiring": 1})
    monkeypatch.setattr(team, "DIVERGENT_SHOWN", 2)
    client.force_login(rated["mona"])

    html = client.get("/team/org/").content.decode()

    shown = re.findall(r'<tr data-person="(\w+)" data-skill="([\w-]+)"', html)
    assert shown[0] == ("erin", "hiring")
    assert len(shown) == 2
    assert "The 2 widest of 3" in html


def test_calibration_shows_the_mean_but_no_direction_from_one_report(client, rated):
    client.force_login(rated["mona"])
    calibration = rows(client.get("/team/org/").content.decode(), "calibration", "manager")
    # erin: (4-2 + 3-3)/2 = +1.0; eli: 1-3 = -2.0; one report each: too few to say.
    assert calibration["max"][2].startswith("+1.0:")
    assert calibration["mia"][2].startswith("-2.0:")
    for manager in ("max", "mia"):
        assert "too few to say" in calibration[manager][2]
        assert "than their manager" not in calibration[manager][2]


def test_the_rollup_per_team_covers_each_managers_subtree(client, rated):
    client.force_login(rated["mona"])
    html = client.get("/team/org/").content.decode()
    teams = rows(html, "org-teams", "manager")

    assert list(teams) == ["max", "mia"]
    assert teams["max"][1] == "2"
    assert teams["mia"][1] == "1"
    for t in team_rollups(user=rated["mona"]):
        readiness = "\u2013" if t.readiness is None else f"{round(t.readiness * 100)}%"
        assert teams[t.manager.username][1:] == [
            str(t.people),
            readiness,
            str(t.below),
            str(t.unassessed),
        ]
    # below and unassessed add up to the per-skill table over the same people.
    below = sum(r.below for r in skills_report(user=rated["max"]))
    unassessed = sum(r.unassessed for r in skills_report(user=rated["max"]))
    assert teams["max"][3:] == [str(below), str(unassessed)]


def test_hr_sees_every_manager_nested_under_theirs(client, rated):
    client.force_login(rated["hana"])
    teams = rows(client.get("/team/org/").content.decode(), "org-teams", "manager")
    assert list(teams) == ["mona", "max", "mia"]
    assert teams["mona"][1] == "5"


def test_a_deactivated_manager_does_not_hide_their_team_from_the_rollups(client, rated):
    """max leaves: erin and sam still report to him until HR moves them, and still
    count for mona, exactly as the per-skill report counts them."""
    person_deactivate(by=rated["hana"], person=rated["max"])

    rollups = {t.manager.username: t for t in team_rollups(user=rated["mona"])}
    everyone = {t.manager.username: t for t in team_rollups(user=rated["hana"])}

    assert list(rollups) == ["mia"]
    assert everyone["mona"].people == 4  # mia, eli, erin, sam
    below = sum(r.below for r in skills_report(user=rated["mona"]))
    unassessed = sum(r.unassessed for r in skills_report(user=rated["mona"]))
    assert (everyone["mona"].below, everyone["mona"].unassessed) == (below, unassessed)


@pytest.mark.parametrize("viewer", ["max", "mia", "erin", "eli"])
def test_org_view_is_404_for_anyone_who_manages_no_managers(client, org, viewer):
    client.force_login(org[viewer])
    assert client.get("/team/org/").status_code == 404


def test_org_view_asks_anonymous_visitors_to_log_in(client, org):
    assert client.get("/team/org/").status_code == 302


def org_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/team/org/").status_code == 200
    return len(captured)


# The org view's queries: session, user (2); manages_managers (1); the org chart (1);
# calibration_report: the managers' team tallies, their evidence coverage, their
# manager levels of their reports and others' answers on those (4);
# skills_report: team tallies per skill, active skills (2); team_rollups: team tallies,
# managers (2); the widest divergent pairs (1); the navigation's has_reports (1);
# the self-awareness distribution: the people in scope, the answers about them, and
# the self levels of those with answers (3; 2 while nobody has any).
ORG_QUERIES = 17


def test_org_query_count_is_pinned_and_flat_in_org_size(client, rated, framework):
    client.force_login(rated["mona"])
    assert org_queries(client) == ORG_QUERIES - 1  # nobody has others' answers yet

    add_people(rated["max"], 18, framework, "grown")
    add_people(rated["mia"], 100, framework, "wide")

    assert org_queries(client) == ORG_QUERIES - 1


def test_org_query_count_for_hr(client, rated, framework):
    # HR skips manages_managers: is_hr answers first.
    client.force_login(rated["hana"])
    before = org_queries(client)
    add_people(rated["mia"], 50, framework, "wide")
    assert org_queries(client) == before == ORG_QUERIES - 2  # no answers; no manages_managers


@pytest.mark.parametrize(
    ("reports", "mean", "direction"),
    [
        (0, None, "none"),
        (2, 1.5, "too few"),
        (3, 0.4, "even"),
        (3, -0.4, "even"),
        (3, 0.5, "higher"),
        (5, -1.0, "lower"),
    ],
)
def test_calibration_names_a_direction_only_from_3_reports_and_half_a_level(
    reports, mean, direction
):
    from assessments.rollups import Calibration, Manager

    row = Calibration(
        manager=Manager(1, "Max", "max"),
        reports=reports,
        pairs=reports * 2,
        mean_delta=mean,
        divergent=0,
    )
    assert row.direction == direction


def test_the_org_view_names_a_direction_for_a_team_of_three(client, rated, framework):
    more = add_people(rated["max"], 3, framework, "lean")
    for person in more:  # each rates themself far above max's rating of them
        submit_with_evidence(person, person, "self", {"mentoring": 5})
        submit_with_evidence(rated["max"], person, "manager", {"mentoring": 1})
    client.force_login(rated["mona"])
    html = client.get("/team/org/").content.decode()
    row = rows(html, "calibration", "manager")["max"]
    assert "reports rate themselves higher than their manager does" in row[2]


def test_the_per_skill_picture_is_a_chart_as_well_as_a_table_by_name(client, rated):
    client.force_login(rated["mona"])
    html = client.get("/team/org/").content.decode()
    report = sorted(
        (r for r in skills_report(user=rated["mona"]) if r.expected),
        key=lambda r: r.skill.name.lower(),
    )
    table_order = re.findall(r'<tr data-skill="([^"]+)">', html.split('class="org-skills"')[1])
    assert table_order[: len(report)] == [r.skill.key for r in report]
    chart = html.split('<figure class="skill-chart" aria-hidden="true">')[1].split("</figure>")[0]
    names = re.findall(r'<span class="bar-name">([^<]+)</span>', chart)
    assert names == [escape(r.skill.name) for r in report]
    for r in report:
        for kind in ("meeting", "below", "unassessed"):
            count = getattr(r, kind)
            shown = f"<title>{escape(r.skill.name)}: {count} {kind}</title>" in chart
            assert shown == bool(count), (r.skill.key, kind)
