"""My map: readiness, the radar and the gaps, and choosing a target (both the htmx and
the plain branch)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from assessments.services import assessment_start, assessment_submit
from people.models import Person
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def test_my_map_shows_readiness_radar_and_gaps_biggest_first(client, erin, org):
    levels = {"system-design": 4, "mentoring": 3, "technical-depth": 4}
    for author, kind in ((erin, "self"), (org["max"], "manager")):
        draft = assessment_start(
            by=author,
            person=erin,
            kind=kind,
            ratings=[{"skill": k, "level": v} for k, v in levels.items()],
        )
        assessment_submit(by=author, assessment=draft)
    client.force_login(erin)

    html = client.get("/map/").content.decode()

    assert "<h1>My map</h1>" in html
    assert "Readiness for Staff Engineer" in html
    assert re.search(r'id="readiness">\d+%<', html)
    assert '<svg viewBox="' in html
    assert 'role="img"' in html
    gaps = re.findall(r'class="badge gap-\d">gap (\d+)</span>', html)
    assert gaps == sorted(gaps, key=int, reverse=True)
    assert "Ways to grow" in html


def test_a_gap_card_shows_the_expected_descriptor_and_folds_the_rest(client, erin):
    assessment_submit(
        by=erin,
        assessment=assessment_start(
            by=erin, person=erin, kind="self", ratings=[{"skill": "system-design", "level": 2}]
        ),
    )
    client.force_login(erin)

    html = client.get("/map/").content.decode()

    card = re.search(r'<li class="gap-item">\s*<h3>System design.*?</li>', html, re.S).group(0)
    skill = erin.role.expectations.get(skill__key="system-design").skill
    expected = erin.target_role.expectations.get(skill__key="system-design").level
    in_view, folded = card.split("<details>", 1)
    assert escape(skill.descriptor(expected)) in in_view
    assert escape(skill.descriptor(2)) not in in_view
    assert "Where you are (level 2)" in folded
    assert escape(skill.descriptor(2)) in folded


def test_choosing_a_target_by_htmx_swaps_the_map(client, erin):
    client.force_login(erin)

    response = client.post("/map/target/", {"target_role": "engineering-manager"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="map">')
    assert "Readiness for Engineering Manager" in html
    assert Person.objects.get(pk=erin.pk).target_role.key == "engineering-manager"


def test_choosing_a_target_by_plain_post_redirects_back(client, erin):
    client.force_login(erin)

    response = client.post("/map/target/", {"target_role": ""})

    assert response.status_code == 302
    assert Person.objects.get(pk=erin.pk).target_role is None


def test_an_unknown_target_is_an_error_and_changes_nothing(client, erin):
    client.force_login(erin)
    response = client.post("/map/target/", {"target_role": "astronaut"}, headers=HTMX)
    assert response.status_code == 200  # htmx swaps it in (core.htmx)
    assert "HX-Request" in response["Vary"]
    assert "Choose one of the listed roles" in response.content.decode()
    assert Person.objects.get(pk=erin.pk).target_role.key == "staff-engineer"


def test_my_map_query_count_is_flat_in_assessments(client, erin, org):
    client.force_login(erin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/map/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        draft = assessment_start(
            by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": n}]
        )
        assessment_submit(by=erin, assessment=draft)
    assert queries() == before
    # session, user, the person with their roles, the gap rows, their skills with
    # categories, scale, the manager's notes with their cited items (one query), the
    # roles to choose from, and the navigation's "has reports?" (for Team); others'
    # answers (the "others" series; the self levels for self-awareness are read only
    # when someone answered: nobody here); the latest check-ins with their managers and
    # counts (history and next date, issue 19)
    assert before == 11


def test_before_any_rating_my_map_says_not_assessed_yet_never_0_percent(client, erin):
    client.force_login(erin)
    html = client.get("/map/").content.decode()
    assert '<span class="readiness unassessed" id="readiness">not assessed yet</span>' in html
    assert "0%" not in html


def test_the_radar_names_each_spoke_whole_and_parts_the_labels_beside_the_bottom(client, erin):
    from assessments.charts import radar
    from assessments.gaps import gaps_for

    client.force_login(erin)
    html = client.get("/map/").content.decode()
    gaps = gaps_for(person=erin)
    chart = radar(gaps.rows, 5)
    assert chart is not None
    # Centred text only straight up or down: two spokes beside the bottom never share it.
    assert sum(axis.anchor == "middle" for axis in chart.axes) <= 2
    for axis in chart.axes:
        assert f"<title>{escape(axis.label)}</title>{escape(axis.short)}</text>" in html
        assert len(axis.short) <= 22
    # The narrow layout: a bar set per skill, the same levels.
    assert html.count('<rect class="bar-expected"') == len(gaps.rows)
