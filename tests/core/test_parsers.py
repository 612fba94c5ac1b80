"""JSON bodies, bounded (core.parsers, issue 23): size, depth, control characters, each a
clear 4xx, never a 500, and nothing written."""

from __future__ import annotations

import json

import pytest

from assessments.models import Assessment

pytestmark = pytest.mark.django_db


def post_raw(api, path: str, body: str | bytes):
    return api.generic("POST", path, body, content_type="application/json")


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_json_is_a_400_never_a_recursion_error(as_, erin, depth):
    response = post_raw(as_("erin"), "/api/assessments/", "[" * depth + "]" * depth)

    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]


def test_the_token_endpoint_too_anonymous(client, org):
    response = client.generic(
        "POST", "/api/auth/token/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400


def test_a_nul_in_a_json_string_is_a_400_naming_where_and_nothing_is_written(as_, erin):
    body = {
        "person": erin.pk,
        "kind": "self",
        "ratings": [{"skill": "system-design", "level": 3, "evidence": "bad\u0000note"}],
    }

    response = as_("erin").post("/api/assessments/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "ratings[0].evidence": ["Control characters (such as NUL) are not accepted here."]
    }
    assert not Assessment.objects.exists()


def test_a_control_character_in_a_key_is_refused_too(as_, erin):
    response = post_raw(as_("erin"), "/api/assessments/", json.dumps({"per\u0000son": 1}))
    assert response.status_code == 400
    assert list(response.json()) == ["per?son"]


def test_new_lines_and_tabs_in_json_text_are_text(as_, erin):
    body = {
        "person": erin.pk,
        "kind": "self",
        "ratings": [{"skill": "system-design", "level": 3, "evidence": "one\n\ttwo"}],
    }
    response = as_("erin").post("/api/assessments/", body, format="json")
    assert response.status_code == 201
    assert response.json()["ratings"][0]["evidence"] == "one\n\ttwo"


def test_a_body_over_the_upload_limit_is_a_413_read_no_further(as_, erin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"person": erin.pk, "kind": "self", "pad": "x" * 2000})

    response = post_raw(as_("erin"), "/api/assessments/", body)

    assert response.status_code == 413, response.content
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("body", ["NaN", '{"person": Infinity}', "1" * 5000, "{"])
def test_numbers_json_cannot_hold_and_broken_json_are_400s(as_, erin, body):
    assert post_raw(as_("erin"), "/api/assessments/", body).status_code == 400


def test_the_framework_import_reads_no_body_over_the_limit_either(as_, hana, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = as_("hana").generic(
        "POST", "/api/framework/", "skills: []\n" + "#" * 5000, content_type="application/yaml"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1000 bytes."}
