"""The team heatmap: the viewer's own reports x skills, gaps as numbers, readiness,
filter by category, sort, and the direct/subtree switch for a manager of managers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from assessments.gaps import gaps_for
from skills.models import Skill
from tests.helpers import HTMX, add_people, submit, submit_with_evidence

pytestmark = pytest.mark.django_db


def cells(html: str, username: str) -> dict[str, str]:
    """skill key -> the number shown in that person's row."""
    row = re.search(rf'<tr data-person="{username}">(.*?)</tr>', html, re.S).group(1)
    return {
        skill: text.strip()
        for skill, text in re.findall(r'data-skill="([^"]+)"[^>]*>([^<]*)(?:<span|</td>)', row)
    }


def people_order(html: str) -> list[str]:
    return re.findall(r'<tr data-person="([^"]+)">', html)


@pytest.fixture
def rated(org):
    submit_with_evidence(
        org["erin"], org["erin"], "self", {"system-design": 4, "mentoring": 3, "hiring": 1}
    )
    submit_with_evidence(org["max"], org["erin"], "manager", {"system-design": 2, "mentoring": 3})
    submit_with_evidence(org["sam"], org["sam"], "self", {"mentoring": 5, "system-design": 5})
    return org


def test_manager_sees_report_gaps_as_numbers(client, rated):
    client.force_login(rated["max"])

    response = client.get("/team/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert "<h1>Team</h1>" in html
    assert people_order(html) == ["erin", "sam"]
    for name in ("erin", "sam"):
        gaps = gaps_for(person=rated[name])
        shown = cells(html, name)
        expected = {
            row.skill.key: f"{row.gap}{'*' if row.current is None else ''}" for row in gaps.rows
        }
        assert shown == expected
        row = re.search(rf'<tr data-person="{name}">(.*?)</tr>', html, re.S).group(1)
        assert (
            f'class="readiness-cell"><span class="readiness">{round(gaps.readiness * 100)}%'
            f'</span> <span class="met">{gaps.met}/{len(gaps.rows)}</span>'
        ) in row
    assert 'href="/team/{}/"'.format(rated["erin"].pk) in html
    assert "eli" not in people_order(html)


def test_cells_carry_a_colour_class_and_a_legend_explains_it(client, rated):
    client.force_login(rated["max"])
    html = client.get("/team/").content.decode()
    assert re.search(r'<td class="heat heat-2"\s+data-skill="system-design"', html)
    assert "the role does not expect that skill" in html
    assert "meets the expectation" in html
    assert '<label for="category">Skill category</label>' in html


def test_each_cell_title_names_the_skill_and_both_levels_escaped(client, rated):
    Skill.objects.filter(key="system-design").update(name='System <design> & "more"')
    client.force_login(rated["max"])

    html = client.get("/team/").content.decode()

    row = re.search(r'<tr data-person="erin">(.*?)</tr>', html, re.S).group(1)
    titles = dict(re.findall(r'data-skill="([^"]+)" title="([^"]*)"', row))
    gaps = gaps_for(person=rated["erin"])
    assert titles == {
        r.skill.key: escape(
            f"{r.skill.name}: expected {r.expected}, "
            f"current {'not rated' if r.current is None else r.current}"
            + (
                f", self {r.self_level}, manager {r.manager_level}: they disagree"
                if r.diverges
                else ""
            )
        )
        for r in gaps.rows
    }
    assert any(r.diverges for r in gaps.rows)  # the disagreement is in one title
    assert 'title="System &lt;design&gt; &amp; &quot;more&quot;: expected' in row
    assert {r.current is None for r in gaps.rows} == {True, False}  # both kinds of title


def test_someone_without_reports_gets_404(client, org):
    for name in ("erin", "hana"):
        client.force_login(org[name])
        assert client.get("/team/").status_code == 404


def test_a_manager_never_sees_a_peer_managers_team(client, org):
    client.force_login(org["max"])
    for query in (f"?manager={org['mia'].pk}", f"?person={org['mia'].pk}", "?depth=all"):
        html = client.get("/team/" + query).content.decode()
        assert people_order(html) == ["erin", "sam"]
    assert "Whole subtree" not in html
    assert "Org view" not in html


def test_category_filter_by_htmx_swaps_the_table(client, rated):
    client.force_login(rated["max"])
    erin_skills = {row.skill.key: row.skill for row in gaps_for(person=rated["erin"]).rows}
    category = next(iter(erin_skills.values())).category

    response = client.get(f"/team/?category={category.key}", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="heatmap">')
    assert "<h1>" not in html
    assert 'hx-swap-oob="true"' in html
    shown = set(cells(html, "erin"))
    assert shown == {k for k, s in erin_skills.items() if s.category_id == category.pk}
    assert "HX-Request" in response["Vary"]


def test_category_filter_by_plain_get_renders_the_page(client, rated):
    client.force_login(rated["max"])
    key = gaps_for(person=rated["erin"]).rows[0].skill.category.key

    html = client.get(f"/team/?category={key}").content.decode()

    assert "<h1>Team</h1>" in html
    assert f'<option value="{key}" selected>' in html
    assert all(Skill.objects.get(key=k).category.key == key for k in cells(html, "erin"))
    # An unknown category shows everything rather than an empty table.
    assert cells(client.get("/team/?category=nope").content.decode(), "erin")


def test_sort_by_readiness_puts_the_least_ready_first(client, rated):
    client.force_login(rated["max"])
    by_readiness = sorted(("erin", "sam"), key=lambda n: gaps_for(person=rated[n]).readiness)

    plain = client.get("/team/?sort=readiness").content.decode()
    swapped = client.get("/team/?sort=readiness", headers=HTMX).content.decode()

    assert people_order(plain) == by_readiness
    assert people_order(swapped) == by_readiness
    assert people_order(client.get("/team/?sort=person").content.decode()) == ["erin", "sam"]
    assert 'href="/team/?sort=readiness"' in plain
    assert 'hx-get="/team/?sort=readiness"' in plain


def test_a_manager_of_managers_switches_between_direct_reports_and_the_subtree(client, org):
    client.force_login(org["mona"])

    direct = client.get("/team/").content.decode()
    subtree = client.get("/team/?depth=all").content.decode()

    assert people_order(direct) == ["max", "mia"]
    assert re.search(r'<a href="/team/" aria-current="page">Direct reports</a>', direct)
    assert re.search(r'<a href="/team/\?depth=all" aria-current="page">Whole subtree</a>', subtree)
    assert '<a class="org-link" href="/team/org/">Org view</a>' in direct
    # The subtree grouped by manager: a group row before each manager's reports.
    groups = re.findall(r'<th scope="colgroup"[^>]*>Reports to ([^<]+)</th>', subtree)
    assert groups == ["Max", "Mia", "Mona"]
    assert people_order(subtree) == ["erin", "sam", "eli", "max", "mia"]


def team_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The heatmap's queries: session, user (2); has_reports, manages_managers (2);
# team_for: people, expectations of their roles, latest levels (3); the navigation's
# has_reports for the "Team" link (1).
TEAM_QUERIES = 8


def test_team_query_count_is_pinned_and_flat_in_team_size(client, rated, framework):
    client.force_login(rated["max"])
    assert team_queries(client, "/team/") == TEAM_QUERIES
    assert team_queries(client, "/team/?sort=readiness&category=x") == TEAM_QUERIES

    add_people(rated["max"], 18, framework, "grown")

    html = client.get("/team/").content.decode()
    assert len(people_order(html)) == 20
    assert team_queries(client, "/team/") == TEAM_QUERIES
    client.force_login(rated["mona"])
    assert team_queries(client, "/team/?depth=all") == TEAM_QUERIES


def test_a_200_person_subtree_renders_in_one_request_with_fixed_queries(client, org, framework):
    add_people(org["max"], 100, framework, "maxteam")
    add_people(org["mia"], 100, framework, "miateam")
    client.force_login(org["mona"])

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/team/?depth=all&sort=readiness")

    assert response.status_code == 200
    assert len(people_order(response.content.decode())) == 205
    assert len(captured) == TEAM_QUERIES


def test_a_stale_current_level_is_marked_in_its_cell_and_the_legend_says_so(client, org, settings):
    """erin's system design, rated by max 400 days ago, is past the 365-day line; her
    mentoring, rated by herself last week, is not; sam's cells, never rated, carry no
    mark."""
    submit(
        org["max"],
        org["erin"],
        "manager",
        {"system-design": 2},
        at=timezone.now() - timedelta(days=400),
    )
    submit(
        org["erin"], org["erin"], "self", {"mentoring": 3}, at=timezone.now() - timedelta(days=7)
    )
    client.force_login(org["max"])

    html = client.get("/team/").content.decode()

    erin = re.search(r'<tr data-person="erin">(.*?)</tr>', html, re.S).group(1)
    stale = dict(
        re.findall(r'data-skill="([^"]+)" title="[^"]*?(, rated long ago: stale)?">', erin)
    )
    assert {k for k, mark in stale.items() if mark} == {"system-design"}
    cell = re.search(r'data-skill="system-design"[^>]*>(.*?)</td>', erin, re.S).group(1)
    assert '<span class="stale-mark" aria-hidden="true">†</span>' in cell
    assert '<span class="visually-hidden"> rated long ago: stale</span>' in cell
    sam = re.search(r'<tr data-person="sam">(.*?)</tr>', html, re.S).group(1)
    assert "stale" not in sam
    assert "† rated more than 365 days ago: stale" in html

    settings.CAREERMAP_STALE_AFTER_DAYS = 5  # the setting moves the line for every cell
    erin = re.search(
        r'<tr data-person="erin">(.*?)</tr>', client.get("/team/").content.decode(), re.S
    ).group(1)
    assert erin.count('class="stale-mark"') == 2
