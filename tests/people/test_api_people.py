"""People through the API: HR keeps the org chart, the person chooses their target."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_hr_sets_role_and_manager(as_, org):
    response = as_("hana").patch(
        f"/api/people/{org['erin'].pk}/",
        {"role": "staff-engineer", "manager": org["mia"].pk},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["manager"]) == (
        "staff-engineer",
        org["mia"].pk,
    )


def test_a_manager_cycle_is_a_400_naming_the_manager(as_, org):
    response = as_("hana").patch(
        f"/api/people/{org['mona'].pk}/", {"manager": org["erin"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["manager"][0]
    org["mona"].refresh_from_db()
    assert org["mona"].manager is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "astronaut"}, "role"),
        ({"target_role": 3}, "target_role"),
        ({"manager": "max"}, "manager"),
        ({"manager": 999999}, "manager"),
    ],
)
def test_bad_values_name_the_field(as_, org, body, field):
    response = as_("hana").patch(f"/api/people/{org['erin'].pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_person_clears_their_target_role(as_, org):
    response = as_("erin").patch(
        f"/api/people/{org['erin'].pk}/", {"target_role": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["target_role"] is None


def test_read_only_fields_are_ignored_not_written(as_, org):
    response = as_("erin").patch(
        f"/api/people/{org['erin'].pk}/", {"username": "boss", "name": "Boss"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["username"] == "erin"
