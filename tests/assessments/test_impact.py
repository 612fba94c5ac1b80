"""Impact preview: what a framework change would do to readiness, with nothing written."""

from __future__ import annotations

import pytest

from assessments.impact import impact_of
from skills.models import Expectation, Skill
from skills.openformat import parse
from skills.services import framework_import
from tests.factories import ExpectationFactory, PersonFactory, RoleFactory, SkillFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    """A role expecting a=3, b=2; ann meets it, bob meets a only, cat aims at it unrated."""
    role = RoleFactory(key="staff")
    a, b = SkillFactory(key="a"), SkillFactory(key="b")
    ExpectationFactory(role=role, skill=a, level=3)
    ExpectationFactory(role=role, skill=b, level=2)
    ann = PersonFactory(username="ann", role=role)
    bob = PersonFactory(username="bob", role=role)
    PersonFactory(username="cat", target_role=role)
    PersonFactory(username="dan", role=RoleFactory(key="other"))
    submit(ann, ann, "self", {"a": 3, "b": 2})
    submit(bob, bob, "self", {"a": 3, "b": 1})
    return role


def set_level(role, skill_key: str, level: int) -> None:
    Expectation.objects.filter(role=role, skill__key=skill_key).update(level=level)


def test_raising_an_expectation_shows_who_stops_being_ready_and_writes_nothing(staff):
    _, impact = impact_of(lambda: set_level(staff, "a", 4))

    assert [r.key for r in impact.roles] == ["staff"]
    assert impact.measured == 3  # ann, bob (holders) and cat (aiming at it)
    moved = {(c.person.username, c.before, c.after) for c in impact.changes}
    assert moved == {("ann", 1.0, 0.5), ("bob", 0.5, 0.0)}
    assert impact.people == 2
    assert [c.person.username for c in impact.became_not_ready] == ["ann"]
    assert impact.became_ready == []
    assert Expectation.objects.get(role=staff, skill__key="a").level == 3


def test_lowering_an_expectation_shows_who_becomes_ready(staff):
    _, impact = impact_of(lambda: set_level(staff, "b", 1))

    assert [c.person.username for c in impact.became_ready] == ["bob"]
    assert {c.person.username for c in impact.changes} == {"bob"}


def test_retiring_a_skill_counts_as_dropping_its_expectations(staff):
    _, impact = impact_of(lambda: Skill.objects.filter(key="b").update(retired=True))

    assert [c.person.username for c in impact.became_ready] == ["bob"]
    assert Skill.objects.get(key="b").retired is False


def test_a_change_that_moves_nobody_has_no_impact(staff):
    result, impact = impact_of(lambda: "done")

    assert result == "done"
    assert impact.roles == []
    assert impact.changes == []


def test_an_import_dry_run_reports_its_result_and_impact_with_a_new_skill(staff):
    document = parse(
        b"skills:\n  - {key: c, name: C, category: x}\n"
        b"roles:\n  - {key: staff, name: Staff, track: ic, level: 3,"
        b" expectations: {a: 3, b: 2, c: 1}}\n"
    )

    result, impact = impact_of(lambda: framework_import(document=document))

    assert result.created["skills"] == ["c"]
    assert [c.person.username for c in impact.became_not_ready] == ["ann"]
    assert not Skill.objects.filter(key="c").exists()


def test_errors_of_the_change_propagate_and_nothing_is_written(staff):
    def broken():
        set_level(staff, "a", 5)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        impact_of(broken)
    assert Expectation.objects.get(role=staff, skill__key="a").level == 3


@pytest.mark.parametrize("extra_people", [0, 30])
def test_impact_takes_a_fixed_number_of_queries(staff, extra_people, django_assert_num_queries):
    for n in range(extra_people):
        PersonFactory(username=f"p{n}", role=staff)
    # expectations before; savepoint; the change; expectations after; roles; skills;
    # rollback to and release of the savepoint; people; latest levels
    with django_assert_num_queries(10):
        impact_of(lambda: set_level(staff, "a", 4))
