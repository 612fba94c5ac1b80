"""Free text has a ceiling (core.limits.TEXT_MAX, issue 23): a rating's note and an
evidence item's description take 5,000 characters; one more is refused naming the
field, and nothing is written, on the page and in the API."""

from __future__ import annotations

import pytest

from assessments.models import Evidence, Rating
from core.limits import TEXT_MAX
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def test_a_note_at_the_limit_is_kept_and_one_more_character_refused_in_the_api(as_, erin):
    api = as_("erin")
    made = api.post("/api/assessments/", {"person": erin.pk, "kind": "self"}, format="json")
    url = f"/api/assessments/{made.json()['id']}/"

    fits = api.patch(
        url,
        {"ratings": [{"skill": "system-design", "level": 3, "evidence": "x" * TEXT_MAX}]},
        format="json",
    )
    assert fits.status_code == 200
    too_long = api.patch(
        url,
        {"ratings": [{"skill": "mentoring", "level": 3, "evidence": "y" * (TEXT_MAX + 1)}]},
        format="json",
    )

    assert too_long.status_code == 400
    assert "5000 characters" in str(too_long.json()["ratings"]["0"]["evidence"])
    assert list(Rating.objects.values_list("skill__key", flat=True)) == ["system-design"]


def test_the_page_refuses_a_two_megabyte_note_and_saves_nothing(client, erin):
    client.force_login(erin)

    response = client.post(
        "/assess/save/",
        {"level-system-design": "3", "evidence-system-design": "z" * 2_000_000},
        headers={**HTMX, "HX-Trigger": "skill-system-design"},
    )

    assert response.status_code in (200, 400)
    assert "5000 characters" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_evidence_description_over_the_limit_is_a_400_on_the_field(as_, erin):
    body = {
        "title": "Billing split",
        "kind": "decision",
        "date": "2026-05-01",
        "skills": ["system-design"],
        "description": "d" * (TEXT_MAX + 1),
    }

    response = as_("erin").post("/api/evidence/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["description"]
    assert not Evidence.objects.exists()
