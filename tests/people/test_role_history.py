"""Role history (issue 20): people.services.role_change is the one place a role
changes; HR's edits, the CSV import and a promotion case's approval all write a
RoleChange; GET /api/people/{id}/role-history/ for visible people only; the history on
the person's page."""

from __future__ import annotations

import pytest

from people.models import Person, RoleChange
from people.services import people_import, person_update, role_change

pytestmark = pytest.mark.django_db


def test_role_change_writes_the_history_and_clears_a_reached_target(org, framework):
    erin = org["erin"]
    change = role_change(by=org["hana"], person=erin, to_role=framework["staff-engineer"])
    erin.refresh_from_db()
    assert erin.role.key == "staff-engineer"
    assert erin.target_role is None
    assert change is not None
    assert (change.from_role.key, change.to_role.key, change.changed_by, change.case_id) == (
        "senior-engineer",
        "staff-engineer",
        org["hana"],
        None,
    )


def test_the_same_role_again_writes_nothing(org, framework):
    assert (
        role_change(by=org["hana"], person=org["sam"], to_role=framework["staff-engineer"]) is None
    )
    assert not RoleChange.objects.exists()


def test_another_role_keeps_the_target_unless_a_case_gives_it(org, framework):
    erin = org["erin"]
    role_change(by=org["hana"], person=erin, to_role=framework["engineering-manager"])
    erin.refresh_from_db()
    assert erin.target_role.key == "staff-engineer"
    role_change(by=org["hana"], person=erin, to_role=framework["principal-engineer"], case_id=7)
    erin.refresh_from_db()
    assert erin.target_role is None
    assert RoleChange.objects.filter(person=erin).count() == 2


def test_hr_s_edit_writes_the_history(org, framework):
    person_update(by=org["hana"], person=org["eli"], role=framework["staff-engineer"])
    change = RoleChange.objects.get(person=org["eli"])
    assert change.changed_by == org["hana"]
    assert change.to_role.key == "staff-engineer"
    person_update(by=org["hana"], person=org["eli"], manager=org["max"])  # no role given
    assert RoleChange.objects.filter(person=org["eli"]).count() == 1


def test_the_import_writes_the_history_of_a_changed_role_only(org, framework):
    data = b"username,name,email,role,manager\nerin,,,staff-engineer,\nsam,,,staff-engineer,\n"
    people_import(by=org["hana"], data=data)
    assert list(RoleChange.objects.values_list("person__username", "to_role__key")) == [
        ("erin", "staff-engineer")
    ]


def test_a_dry_run_import_writes_no_history(org, framework):
    data = b"username,name,email,role,manager\nerin,,,staff-engineer,\n"
    people_import(by=org["hana"], data=data, dry_run=True)
    assert not RoleChange.objects.exists()
    assert Person.objects.get(pk=org["erin"].pk).role.key == "senior-engineer"


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("hana", True),
        ("mona", True),
        ("max", True),
        ("erin", True),
        ("mia", False),
        ("sam", False),
        ("eli", False),
    ],
)
def test_the_api_gives_the_history_of_visible_people_only(org, framework, as_, who, seen):
    role_change(by=org["hana"], person=org["erin"], to_role=framework["staff-engineer"], case_id=3)
    answer = as_(who).get(f"/api/people/{org['erin'].pk}/role-history/")
    assert answer.status_code == (200 if seen else 404)
    if seen:
        [row] = answer.json()
        assert (row["from_role"], row["to_role"], row["changed_by"], row["case"]) == (
            "senior-engineer",
            "staff-engineer",
            org["hana"].pk,
            3,
        )


def test_the_person_s_page_shows_the_history(client, org, framework):
    role_change(by=org["hana"], person=org["erin"], to_role=framework["staff-engineer"], case_id=3)
    client.force_login(org["hana"])
    page = client.get(f"/people/{org['erin'].pk}/").content.decode()
    assert "Role history" in page
    assert "Senior Engineer to Staff Engineer" in page
    assert "promotion case 3" in page
