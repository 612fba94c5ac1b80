"""`manage.py generate_org`: the benchmark organisation, and the reports' counts in the
database checked against the gap arithmetic of selectors.py on that data."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from assessments.models import Assessment, Rating
from assessments.org import team_rollups
from assessments.selectors import (
    _gaps_of,
    calibration_report,
    gap_tallies,
    skills_report,
    visible_gaps,
)
from people.models import Person
from skills.models import Role, Skill

pytestmark = pytest.mark.django_db


def generate(people: int = 120, seed: int = 3, *extra: str) -> None:
    call_command("generate_org", "--people", str(people), "--seed", str(seed), *extra)


def fingerprint() -> list[tuple]:
    return list(
        Rating.objects.order_by(
            "assessment__person__username", "assessment__kind", "assessment__submitted_at", "skill"
        ).values_list(
            "assessment__person__username",
            "assessment__person__manager__username",
            "assessment__person__role__key",
            "assessment__kind",
            "skill__key",
            "level",
            "evidence",
        )
    )


def test_it_makes_the_people_asked_for_in_a_tree_of_span_5_to_10():
    generate(300)

    assert Person.objects.count() == 300
    spans = Counter(Person.objects.exclude(manager=None).values_list("manager_id", flat=True))
    # Every manager has 5-10 reports, but the last one filled, where the count ran out.
    assert sum(1 for n in spans.values() if not 5 <= n <= 10) <= 1
    assert all(n <= 10 for n in spans.values())
    top = Person.objects.get(manager=None, is_hr=False)
    assert top.username == "mona"
    assert Person.objects.below(top.pk).count() == 298  # everyone but mona and hana


def test_the_demo_logins_are_there_with_their_places_and_the_password_demo():
    generate()

    people = {p.username: p for p in Person.objects.select_related("manager")}
    assert people["hana"].is_hr
    assert people["hana"].manager is None
    assert people["mona"].manager is None
    assert people["max"].manager.username == "mona"
    assert people["mia"].manager.username == "mona"
    assert people["erin"].manager.username == "max"
    assert people["sam"].manager.username == "max"
    assert people["eli"].manager.username == "mia"
    assert authenticate(username="hana", password="demo") == people["hana"]
    assert authenticate(username="erin", password="demo") == people["erin"]


def test_the_framework_is_widened_to_60_skills_and_8_roles():
    generate()

    assert Skill.objects.active().count() == 60
    assert Role.objects.active().count() == 8
    assert all(role.expectations.count() == 20 for role in Role.objects.all())


def test_everyone_has_two_self_and_two_manager_assessments_submitted_with_evidence():
    generate()

    kinds = Counter(Assessment.objects.values_list("person__username", "kind", "status"))
    for person in Person.objects.filter(is_hr=False):
        assert kinds[(person.username, "self", "submitted")] == 2
        expected = 0 if person.manager_id is None else 2
        assert kinds[(person.username, "manager", "submitted")] == expected
    assert not Assessment.objects.filter(status="draft").exists()
    assert Assessment.objects.filter(ratings=None).count() == 0
    assert not Rating.objects.filter(evidence="").exists()
    managers = Assessment.objects.filter(kind="manager").select_related("person")
    assert all(a.author_id == a.person.manager_id for a in managers)


def test_the_same_seed_gives_the_same_organisation_and_another_seed_another():
    generate(80, 5)
    first = fingerprint()

    generate(80, 5, "--replace")
    assert fingerprint() == first

    generate(80, 6, "--replace")
    assert fingerprint() != first


def test_a_database_that_holds_people_is_refused_without_replace():
    generate(50)

    with pytest.raises(CommandError, match="--replace"):
        generate(50)
    assert Person.objects.count() == 50


def test_the_counts_made_in_the_database_agree_with_the_gap_arithmetic():
    generate(200, 9)
    # Ties and edge cases the generated data lacks: equal submitted_at (the higher id
    # wins), a retired skill, a person without any role.
    erin = Person.objects.get(username="erin")
    own = list(Assessment.objects.filter(person=erin, kind="self"))
    Assessment.objects.filter(pk__in=[a.pk for a in own]).update(submitted_at=own[0].submitted_at)
    Skill.objects.filter(key="system-design").update(retired=True)
    Person.objects.filter(username="sam").update(role=None, target_role=None)

    people = list(Person.objects.filter(is_active=True).select_related("role", "target_role"))
    by_python = {gaps.person.pk: gaps for gaps in _gaps_of(people)}
    by_sql = gap_tallies(Person.objects.filter(is_active=True), by="person")
    for pk, gaps in by_python.items():
        tally = by_sql.get(pk)
        assert (tally.expected if tally else 0) == len(gaps.rows)
        if tally:
            assert tally.total_gap == gaps.total_gap
            assert tally.below == sum(1 for r in gaps.rows if r.current is not None and r.gap)
            assert tally.unassessed == sum(1 for r in gaps.rows if r.current is None)
            assert tally.ready / tally.expected == gaps.readiness

    # The API's one statement per person (visible_gaps) gives the very same rows.
    hana = Person.objects.get(username="hana")
    for pk, gaps in by_python.items():
        alone = visible_gaps(user=hana, person_id=pk)
        assert [(r.key, r.expected, r.self_level, r.manager_level) for r in alone.rows] == [
            (r.skill.key, r.expected, r.self_level, r.manager_level) for r in gaps.rows
        ]
        assert alone.readiness == gaps.readiness

    hana = Person.objects.get(username="hana")
    for row in skills_report(user=hana):
        rows = [r for g in by_python.values() for r in g.rows if r.skill.pk == row.skill.pk]
        assert row.expected == len(rows)
        assert row.unassessed == sum(1 for r in rows if r.current is None)
        assert row.meeting == sum(1 for r in rows if r.current is not None and r.gap == 0)
        if rows:
            assert row.average_gap == pytest.approx(sum(r.gap for r in rows) / len(rows))

    mona = next(t for t in team_rollups(user=hana) if t.manager.username == "mona")
    assert mona.people == 198
    below_mona = [g for g in by_python.values() if g.person.username not in ("mona", "hana")]
    assert mona.below == sum(
        1 for g in below_mona for r in g.rows if r.current is not None and r.gap
    )


def test_calibration_made_in_the_database_agrees_with_a_plain_python_reading():
    generate(150, 11)
    # A manager assessment by someone above the direct manager: never part of it.
    erin = Person.objects.get(username="erin")
    Assessment.objects.filter(person=erin, kind="manager").update(
        author=Person.objects.get(username="mona")
    )
    latest: dict[tuple[int, str, int], tuple] = {}  # (person, kind, skill) -> key, level
    ratings = Rating.objects.filter(assessment__status="submitted", skill__retired=False)
    for r in ratings.select_related("assessment", "assessment__person"):
        a = r.assessment
        if a.kind == "manager" and a.author_id != a.person.manager_id:
            continue
        key = (a.person_id, a.kind, r.skill_id)
        if key not in latest or (a.submitted_at, a.pk) > latest[key][0]:
            latest[key] = ((a.submitted_at, a.pk), r.level)
    expected: dict[int, list[int]] = {}
    for (person_id, kind, skill_id), (_, level) in latest.items():
        theirs = latest.get((person_id, "manager", skill_id))
        if kind == "self" and theirs:
            manager_id = Person.objects.get(pk=person_id).manager_id
            expected.setdefault(manager_id, []).append(level - theirs[1])

    rows = calibration_report(user=Person.objects.get(username="hana"))

    assert {row.manager.pk for row in rows if row.mean_delta is not None} == set(expected)
    for row in rows:
        deltas = expected.get(row.manager.pk, [])
        assert row.mean_delta == (pytest.approx(sum(deltas) / len(deltas)) if deltas else None)
        assert len(row.divergent) == sum(1 for d in deltas if abs(d) >= 2)
    max_row = next(row for row in rows if row.manager.username == "max")
    assert erin.pk not in {d.person.pk for d in max_row.divergent}
