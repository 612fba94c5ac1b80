"""The readiness pipeline per role, and the CSV writers of the org reports."""

from __future__ import annotations

import csv
import io

import pytest

from assessments.gaps import gaps_for
from assessments.reports import (
    PIPELINE_COLUMNS,
    SKILLS_COLUMNS,
    pipeline_csv,
    readiness_pipeline,
    skills_csv,
)
from assessments.rollups import skills_report
from people.models import Person
from skills.models import Skill
from tests.factories import ExpectationFactory, PersonFactory, RoleFactory, SkillFactory
from tests.helpers import add_people, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    """staff expects a=3, b=2, c=1, d=1, e=1. ann holds it and meets all five; bob holds
    it and meets four (80%); cat aims at it and meets three; dan holds another role.
    Their levels are their manager's (lee's): confirmed."""
    role = RoleFactory(key="staff", level=2)
    for key, level in {"a": 3, "b": 2, "c": 1, "d": 1, "e": 1}.items():
        ExpectationFactory(role=role, skill=SkillFactory(key=key), level=level)
    senior = RoleFactory(key="senior", level=1)
    lee = PersonFactory(username="lee")
    ann = PersonFactory(username="ann", role=role, manager=lee)
    bob = PersonFactory(username="bob", role=role, manager=lee)
    cat = PersonFactory(username="cat", role=senior, target_role=role, manager=lee)
    PersonFactory(username="dan", role=senior)
    submit(lee, ann, "manager", {"a": 3, "b": 2, "c": 1, "d": 1, "e": 5})
    submit(lee, bob, "manager", {"a": 3, "b": 2, "c": 1, "d": 1})
    submit(lee, cat, "manager", {"a": 4, "b": 2, "c": 1})
    return role


def by_role(user):
    return {row.role.key: row for row in readiness_pipeline(user=user)}


def test_the_pipeline_counts_holders_and_those_aiming_at_a_role(staff):
    hana = PersonFactory(username="hana", is_hr=True)

    rows = by_role(hana)

    assert list(rows) == ["senior", "staff"]  # track, level, key
    staff_row = rows["staff"]
    assert (staff_row.measured, staff_row.holders) == (3, 2)  # ann, bob hold it; cat aims
    assert staff_row.nearly_ready == 2  # ann 100%, bob 80%; cat 60%
    assert staff_row.ready == 1  # ann
    # senior expects nothing: everyone measured against it is ready.
    assert (rows["senior"].measured, rows["senior"].ready) == (2, 2)


def test_the_pipeline_agrees_with_the_gap_arithmetic(org):
    erin, sam = org["erin"], org["sam"]
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3})
    submit(org["max"], sam, "manager", {"system-design": 5})
    people = [p for p in org.values() if p.role_id or p.target_role_id]

    for row in readiness_pipeline(user=org["hana"]):
        measured = [p for p in people if row.role.pk in (p.role_id, p.target_role_id)]
        gaps = [gaps_for(person=p, role=row.role) for p in measured]
        # On confirmed levels: the share of expectations the manager's level meets.
        confirmed = [
            sum(1 for r in g.rows if (r.manager_level or 0) >= r.expected) / len(g.rows)
            if g.rows
            else 1.0
            for g in gaps
        ]
        assert row.measured == len(measured), row.role.key
        assert row.ready == sum(1 for r in confirmed if r == 1.0), row.role.key
        assert row.nearly_ready == sum(1 for r in confirmed if r >= 0.8), row.role.key
        assert row.ready_on_self_ratings == sum(
            1 for g, r in zip(gaps, confirmed, strict=True) if g.readiness == 1.0 and r < 1.0
        ), row.role.key


def test_ready_on_self_ratings_alone_is_counted_apart_and_not_as_ready(staff):
    eve = PersonFactory(username="eve", role=staff)
    # Her own ratings meet every expectation; her manager confirmed none of them.
    submit(eve, eve, "self", {"a": 3, "b": 2, "c": 1, "d": 1, "e": 1})

    row = by_role(PersonFactory(username="hana", is_hr=True))["staff"]

    assert (row.measured, row.ready, row.nearly_ready, row.ready_on_self_ratings) == (4, 1, 2, 1)


def test_a_manager_confirming_the_last_self_rated_skill_makes_them_ready(staff):
    eve = PersonFactory(username="eve", role=staff, manager=Person.objects.get(username="lee"))
    submit(eve, eve, "self", {"a": 3, "b": 2, "c": 1, "d": 1, "e": 1})
    # lee confirms four: 80% confirmed, still ready only with her own rating of e.
    submit(eve.manager, eve, "manager", {"a": 3, "b": 2, "c": 1, "d": 1})
    hana = PersonFactory(username="hana", is_hr=True)
    row = by_role(hana)["staff"]
    assert (row.ready, row.nearly_ready, row.ready_on_self_ratings) == (1, 3, 1)

    submit(eve.manager, eve, "manager", {"e": 1})

    row = by_role(hana)["staff"]
    assert (row.ready, row.nearly_ready, row.ready_on_self_ratings) == (2, 3, 0)


def test_someone_aiming_at_the_role_they_hold_counts_once(staff):
    PersonFactory(username="eve", role=staff, target_role=staff)

    row = by_role(PersonFactory(username="hana", is_hr=True))["staff"]

    assert (row.measured, row.holders) == (4, 3)


def test_retired_roles_retired_skills_and_inactive_people_are_left_out(staff):
    RoleFactory(key="old", retired=True)
    Skill.objects.filter(key="e").update(retired=True)  # bob now meets all four left
    PersonFactory(username="gone", role=staff, is_active=False)

    rows = by_role(PersonFactory(username="hana", is_hr=True))

    assert "old" not in rows
    assert (rows["staff"].measured, rows["staff"].ready) == (3, 2)


def test_a_manager_sees_the_pipeline_of_the_people_below_them(staff):
    boss = PersonFactory(username="boss")
    Person.objects.filter(username__in=["ann", "cat"]).update(manager=boss)

    row = by_role(boss)["staff"]

    assert (row.measured, row.holders, row.ready) == (2, 1, 1)  # ann, cat; not bob


def test_the_pipeline_takes_four_queries_whatever_the_org_size(
    org, framework, django_assert_num_queries
):
    # roles, people, their gap rows on current levels and on confirmed levels
    # (assessments.gaps, over the current levels projection)
    with django_assert_num_queries(4):
        readiness_pipeline(user=org["hana"])
    add_people(org["mia"], 60, framework, "wide")
    with django_assert_num_queries(4):
        rows = readiness_pipeline(user=org["hana"])
    assert sum(r.measured for r in rows) > 60


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_skills_csv_has_a_header_and_a_row_per_skill_of_the_report(org):
    submit(org["erin"], org["erin"], "self", {"system-design": 4})
    report = skills_report(user=org["hana"])

    rows = read(skills_csv(report))

    assert rows[0] == SKILLS_COLUMNS
    design = next(r for r in report if r.skill.key == "system-design")
    line = next(r for r in rows[1:] if r[0] == "system-design")
    assert line == [
        "system-design",
        design.skill.name,
        design.skill.category.key,
        str(design.expected),
        str(design.below),
        str(design.meeting),
        str(design.unassessed),
        f"{design.average_gap:.2f}",
    ]
    assert [r[0] for r in rows[1:]] == [r.skill.key for r in report]


def test_the_pipeline_csv_has_a_header_and_a_row_per_active_role(staff):
    pipeline = readiness_pipeline(user=PersonFactory(username="hana", is_hr=True))

    rows = read(pipeline_csv(pipeline))

    assert rows[0] == PIPELINE_COLUMNS
    assert rows[2] == ["staff", "Staff", "ic", "2", "3", "2", "2", "1", "0"]


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(db):
    skill = SkillFactory(key="evil", name="=HYPERLINK(1)")
    report = [r for r in skills_report(user=PersonFactory(is_hr=True)) if r.skill == skill]

    assert read(skills_csv(report))[1][1] == "'=HYPERLINK(1)"


def test_a_skill_no_one_is_expected_to_have_has_an_empty_average_gap(db):
    SkillFactory(key="lonely")

    rows = read(skills_csv(skills_report(user=PersonFactory(is_hr=True))))

    assert rows[1][0] == "lonely"
    assert rows[1][3:] == ["0", "0", "0", "0", ""]
