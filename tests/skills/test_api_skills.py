"""Skills through the API: anyone reads, HR creates, changes and retires them."""

from __future__ import annotations

import pytest

from skills.models import Skill

pytestmark = pytest.mark.django_db


def test_hr_creates_a_skill(as_, framework):
    response = as_("hana").post(
        "/api/skills/",
        {
            "slug": "negotiation",
            "name": "Negotiation",
            "category": "communication",
            "levels": {"1": "Knows the basics.", "4": "Closes hard deals."},
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["levels"] == {"1": "Knows the basics.", "4": "Closes hard deals."}
    assert Skill.objects.get(key="negotiation").category.key == "communication"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "x", "name": "X", "category": "communication", "levels": {"9": "a"}}, "levels"),
        ({"slug": "x", "name": "X", "category": "nope"}, "category"),
        ({"slug": "x", "name": "", "category": "communication"}, "name"),
        ({"slug": "has space", "name": "X", "category": "communication"}, "slug"),
        ({"slug": "system-design", "name": "X", "category": "communication"}, "slug"),
        ({"slug": "x", "name": 0, "category": "communication"}, "name"),
        ({"slug": "x", "name": "X", "category": "communication", "retired": "yes"}, "retired"),
    ],
)
def test_a_bad_skill_is_400_naming_the_field_and_writes_nothing(as_, framework, body, field):
    before = Skill.objects.count()

    response = as_("hana").post("/api/skills/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Skill.objects.count() == before


def test_patch_changes_only_the_given_fields(as_, framework):
    skill = Skill.objects.get(key="hiring")

    response = as_("hana").patch("/api/skills/hiring/", {"name": "Hiring well"}, format="json")

    assert response.status_code == 200
    skill.refresh_from_db()
    assert skill.name == "Hiring well"
    assert len(skill.levels) == 6


def test_delete_retires_and_the_skill_stays_readable(as_, framework):
    assert as_("hana").delete("/api/skills/hiring/").status_code == 204

    assert Skill.objects.get(key="hiring").retired
    assert as_("erin").get("/api/skills/hiring/").json()["retired"] is True
    active = as_("erin").get("/api/skills/?retired=false&page_size=500").json()
    assert "hiring" not in {s["slug"] for s in active["results"]}
    restored = as_("hana").patch("/api/skills/hiring/", {"retired": False}, format="json")
    assert restored.json()["retired"] is False
