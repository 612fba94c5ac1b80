"""The whole framework through the API: the document downloaded as JSON or YAML, and
HR's import of one (dry run first), every error with its path."""

from __future__ import annotations

import json

import pytest
import yaml

from skills.library import template
from skills.models import Role, Skill
from skills.openformat import parse

pytestmark = pytest.mark.django_db


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
    text = template("ft-engineering").path.read_text()

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
    text = template("ft-engineering").path.read_text()
    # A skill the document defines anew is checked against its new descriptors instead
    # (the second edition shares business-impact with FT's framework).
    redefined = {entry["key"] for entry in parse(text)["skills"]}
    stranded = Skill.objects.exclude(key__in=redefined)
    assert stranded.exists()

    response = as_("hana").post("/api/framework/?dry_run=1", text, content_type="application/yaml")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "path": "scale",
        "message": 'skill "Hiring" (hiring) describes level 0, outside the new scale 1-5',
    } in errors
    assert sorted(e["message"] for e in errors) == sorted(
        f'skill "{skill.name}" ({skill.key}) describes level 0, outside the new scale 1-5'
        for skill in stranded
    )
    assert all(e["path"] == "scale" for e in errors)


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
