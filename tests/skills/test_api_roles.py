"""Roles through the API: HR creates and changes them, expectations and next roles
included; their history shows who changed what."""

from __future__ import annotations

import pytest

from skills.models import Expectation, Role

pytestmark = pytest.mark.django_db


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
