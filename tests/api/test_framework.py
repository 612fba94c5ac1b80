"""Skills, roles, their history and the whole framework through the API (HR writes)."""

from __future__ import annotations

import json

import pytest
import yaml

from skills.models import Expectation, Role, Skill
from tests.conftest import SHARED_FRAMEWORKS

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


def test_patching_expectations_replaces_the_whole_set(as_, framework):
    response = as_("hana").patch(
        "/api/roles/staff-engineer/",
        {"expectations": [{"skill": "system-design", "level": 5}, {"skill": "hiring", "level": 2}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["expectations"] == [
        {"skill": "hiring", "level": 2},
        {"skill": "system-design", "level": 5},
    ]
    assert Expectation.objects.filter(role__key="staff-engineer").count() == 2
    # Fields not in the request stay.
    assert response.json()["next_roles"] == ["engineering-manager", "principal-engineer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expectations": [{"skill": "system-design", "level": 9}]}, "expectations"),
        ({"expectations": [{"skill": "no-such", "level": 1}]}, "expectations"),
        (
            {"expectations": [{"skill": "hiring", "level": 1}, {"skill": "hiring", "level": 2}]},
            "expectations",
        ),
        ({"next_roles": ["staff-engineer"]}, "next_roles"),
        ({"next_roles": ["astronaut"]}, "next_roles"),
        ({"track": "sideways"}, "track"),
        ({"level": "2"}, "level"),
        ({"slug": "renamed"}, "slug"),
    ],
)
def test_a_bad_role_change_is_400_naming_the_field_and_writes_nothing(as_, framework, body, field):
    before = sorted(Expectation.objects.values_list("role__key", "skill__key", "level"))

    response = as_("hana").patch("/api/roles/staff-engineer/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert sorted(Expectation.objects.values_list("role__key", "skill__key", "level")) == before
    assert Role.objects.get(key="staff-engineer").next_roles.count() == 2


def test_hr_creates_a_role_with_next_roles(as_, framework):
    response = as_("hana").post(
        "/api/roles/",
        {
            "slug": "distinguished-engineer",
            "name": "Distinguished Engineer",
            "track": "ic",
            "level": 4,
            "expectations": [{"skill": "technical-direction", "level": 5}],
        },
        format="json",
    )
    assert response.status_code == 201
    linked = as_("hana").patch(
        "/api/roles/principal-engineer/", {"next_roles": ["distinguished-engineer"]}, format="json"
    )
    assert linked.json()["next_roles"] == ["distinguished-engineer"]


def test_role_history_shows_who_changed_what_newest_first(as_, framework):
    as_("hana").patch(
        "/api/roles/staff-engineer/",
        {"name": "Staff engineer", "expectations": [{"skill": "system-design", "level": 5}]},
        format="json",
    )

    history = as_("hana").get("/api/roles/staff-engineer/history/").json()

    assert history["count"] == 2  # the import that created it, then hana's change
    latest = history["results"][0]
    assert latest["by"] == "hana"
    assert latest["at"].endswith("Z")
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["name"] == ("Staff Engineer", "Staff engineer")
    assert changes["expectations.system-design"] == (4, 5)
    assert "expectations.hiring" not in changes  # never expected, not touched
    assert changes["expectations.mentoring"] == (3, None)
    assert history["results"][1]["by"] is None  # the command-line import


def test_the_framework_downloads_as_json_and_yaml(as_, framework):
    as_json = as_("erin").get("/api/framework/")
    assert as_json.status_code == 200
    assert as_json.json()["format"] == "careermap/1"

    as_yaml = as_("erin").get("/api/framework/?format=yaml")
    assert as_yaml["Content-Type"].startswith("application/yaml")
    # Level keys are integers in YAML and strings in JSON; otherwise the same document.
    assert json.loads(json.dumps(yaml.safe_load(as_yaml.content))) == as_json.json()


def test_hr_imports_yaml_with_a_dry_run_first(db):
    from rest_framework.test import APIClient

    from tests.factories import PersonFactory

    api = APIClient()
    api.force_authenticate(PersonFactory(username="hr", is_hr=True))
    text = (SHARED_FRAMEWORKS / "ft-engineering.yaml").read_text()

    dry = api.post("/api/framework/?dry_run=1", text, content_type="application/yaml")
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    assert len(dry.json()["created"]["roles"]) == 8
    assert not Role.objects.exists()

    real = api.post("/api/framework/", text, content_type="application/yaml")
    assert real.status_code == 200
    assert Role.objects.count() == 8


def test_a_scale_that_strands_stored_descriptors_is_refused_naming_them(as_, framework):
    # The default framework describes level 0 of every skill; FT's scale is 1-5.
    text = (SHARED_FRAMEWORKS / "ft-engineering.yaml").read_text()

    response = as_("hana").post("/api/framework/?dry_run=1", text, content_type="application/yaml")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "path": "scale",
        "message": 'skill "hiring" describes level 0, outside the new scale 1-5',
    } in errors
    assert len(errors) == Skill.objects.count()


def test_an_import_with_errors_lists_each_with_its_path_and_writes_nothing(as_, framework):
    document = {
        "roles": [
            {"key": "r", "name": "R", "track": "ic", "level": 1, "expectations": {"nope": 1}}
        ],
        "skills": [{"key": "s", "name": "S", "category": "communication", "levl": {}}],
    }
    response = as_("hana").post("/api/framework/", document, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "skills[0].levl", "message": "unknown field"},
        {"path": "roles[0].expectations.nope", "message": "unknown skill"},
    ]
    assert not Role.objects.filter(key="r").exists()


@pytest.mark.parametrize("body", [b"", b"{not json", b"- a list"])
def test_a_body_that_is_no_framework_is_400(as_, framework, body):
    response = as_("hana").post("/api/framework/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "document"
