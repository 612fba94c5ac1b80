"""expectation_set: one grid cell, validated against the scale, refused when someone
else changed it since the editor opened it, kept in the role's history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import Conflict
from skills.models import Expectation, Role, Skill
from skills.selectors import role_history, skill_history
from skills.services import expectation_set

pytestmark = pytest.mark.django_db


def level_of(role: Role, skill: Skill) -> int | None:
    found = Expectation.objects.filter(role=role, skill=skill).first()
    return found.level if found else None


@pytest.fixture
def staff(framework) -> Role:
    return framework["staff-engineer"]


@pytest.fixture
def design(framework) -> Skill:
    return Skill.objects.get(key="system-design")


def test_a_level_on_the_scale_is_saved(hana, staff, design):
    was = level_of(staff, design)

    saved = expectation_set(by=hana, role=staff, skill=design, level=5, was=was)

    assert saved is not None
    assert saved.level == 5
    assert level_of(staff, design) == 5


def test_an_off_scale_level_is_refused_by_field_and_nothing_is_written(hana, staff, design):
    was = level_of(staff, design)

    with pytest.raises(ValidationError) as refused:
        expectation_set(by=hana, role=staff, skill=design, level=9, was=was)

    assert "not on the scale" in refused.value.message_dict["level"][0]
    assert level_of(staff, design) == was


def test_blank_removes_the_expectation(hana, staff, design):
    was = level_of(staff, design)

    assert expectation_set(by=hana, role=staff, skill=design, level=None, was=was) is None

    assert level_of(staff, design) is None


def test_a_new_expectation_is_created_from_blank(hana, staff):
    hiring = Skill.objects.get(key="hiring")
    assert level_of(staff, hiring) is None

    expectation_set(by=hana, role=staff, skill=hiring, level=2, was=None)

    assert level_of(staff, hiring) == 2


def test_the_second_of_two_edits_from_the_same_starting_level_is_a_conflict(hana, staff, design):
    was = level_of(staff, design)
    expectation_set(by=hana, role=staff, skill=design, level=5, was=was)

    with pytest.raises(Conflict) as refused:
        expectation_set(by=hana, role=staff, skill=design, level=1, was=was)

    assert str(refused.value) == (
        "Changed by someone else to 5 since you opened it; reload to see it."
    )
    assert level_of(staff, design) == 5


def test_editing_a_cell_someone_else_emptied_is_a_conflict(hana, staff, design):
    was = level_of(staff, design)
    expectation_set(by=hana, role=staff, skill=design, level=None, was=was)

    with pytest.raises(Conflict, match="Removed by someone else"):
        expectation_set(by=hana, role=staff, skill=design, level=2, was=was)

    assert level_of(staff, design) is None


def test_only_hr_may_set_an_expectation(erin, staff, design):
    was = level_of(staff, design)

    with pytest.raises(PermissionDenied):
        expectation_set(by=erin, role=staff, skill=design, level=5, was=was)

    assert level_of(staff, design) == was


def test_the_change_shows_in_role_and_skill_history_with_who_old_and_new(hana, staff, design):
    was = level_of(staff, design)

    expectation_set(by=hana, role=staff, skill=design, level=5, was=was)

    latest = role_history(staff)[0]
    assert latest.by == "hana"
    assert latest.changes == [{"field": "expectations.system-design", "old": was, "new": 5}]
    on_skill = skill_history(design)[0]
    assert on_skill.by == "hana"
    assert on_skill.changes == [{"field": "expectations.staff-engineer", "old": was, "new": 5}]
