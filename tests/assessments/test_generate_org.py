"""`manage.py generate_org`: the benchmark organisation, and the reports' counts in the
database checked against a plain reading of its ratings, and the projection of
current levels against a recomputation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from assessments import rollups
from assessments.gaps import (
    current_levels_check,
    current_levels_rebuild,
    gap_tallies,
    visible_gaps,
)
from assessments.models import Assessment, CurrentLevel, Rating
from assessments.rollups import calibration_report, divergent_pairs, skills_report, team_rollups
from people.models import Person
from skills.models import Expectation, Role, Skill
from skills.openformat import parse

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


def test_the_framework_is_widened_to_60_skills_and_three_more_roles():
    generate()

    default = {
        role["key"]: role
        for role in parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())["roles"]
    }
    assert Skill.objects.active().count() == 60
    # The default framework's roles (5 in the first edition, 13 in the second), and
    # an engineer below senior, a distinguished engineer and a director at the top.
    assert set(Role.objects.active().values_list("key", flat=True)) == set(default) | {
        "engineer",
        "distinguished-engineer",
        "director",
    }
    # Each role expects 20 skills: its own expectations, kept as they are, topped up
    # with generated ones. A role of the default framework that already expects more
    # (the second edition's expect up to 26) keeps them all.
    for role in Role.objects.all():
        own = default.get(role.key, {}).get("expectations") or {}
        stored = dict(role.expectations.values_list("skill__key", "level"))
        assert len(stored) == max(20, len(own)), role.key
        assert own.items() <= stored.items(), role.key


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


def plain_latest() -> dict[tuple[int, str, int], tuple[tuple, int, int]]:
    """(person, kind, skill) -> ((submitted_at, id), level, author): the latest submitted
    rating read plainly from every rating, as the test's own oracle."""
    latest: dict[tuple[int, str, int], tuple[tuple, int, int]] = {}
    for r in Rating.objects.filter(assessment__status="submitted").select_related("assessment"):
        a = r.assessment
        key = (a.person_id, a.kind, r.skill_id)
        if key not in latest or (a.submitted_at, a.pk) > latest[key][0]:
            latest[key] = ((a.submitted_at, a.pk), r.level, a.author_id)
    return latest


def test_the_projection_equals_a_recomputation_and_a_rebuild_repairs_it():
    generate(200, 9)
    rows, differences = current_levels_check()
    assert rows > 0
    assert differences == []
    # Around the services: equal submitted_at (the higher id wins then).
    erin = Person.objects.get(username="erin")
    own = list(Assessment.objects.filter(person=erin, kind="self").order_by("submitted_at"))
    Assessment.objects.filter(pk=own[0].pk).update(submitted_at=own[-1].submitted_at)
    Assessment.objects.filter(pk=own[-1].pk).update(submitted_at=own[0].submitted_at)
    assert current_levels_check()[1] != []

    assert current_levels_rebuild() == rows
    assert current_levels_check() == (rows, [])
    stored = {
        (c.person_id, c.skill_id): (c.self_level, c.manager_level, c.level)
        for c in CurrentLevel.objects.all()
    }
    latest = plain_latest()
    for (person_id, skill_id), (own_level, manager_level, level) in stored.items():
        mine = latest.get((person_id, "self", skill_id))
        theirs = latest.get((person_id, "manager", skill_id))
        assert own_level == (mine[1] if mine else None)
        assert manager_level == (theirs[1] if theirs else None)
        assert level == (manager_level if manager_level is not None else own_level)


def test_the_counts_made_in_the_database_agree_with_a_plain_reading_of_the_ratings():
    generate(200, 9)
    # Edge cases the generated data lacks: a retired skill, a person without any role.
    Skill.objects.filter(key="system-design").update(retired=True)
    Person.objects.filter(username="sam").update(role=None, target_role=None)
    rollups.refresh()  # both went around the services
    assert rollups.check() == []

    latest = plain_latest()
    expectations: dict[int, dict[int, int]] = {}
    for e in Expectation.objects.filter(skill__retired=False):
        expectations.setdefault(e.role_id, {})[e.skill_id] = e.level
    plain: dict[int, list[tuple[int, int, int | None]]] = {}  # person -> (skill, gap, current)
    for person in Person.objects.filter(is_active=True):
        role_id = person.target_role_id or person.role_id
        if role_id is None:
            continue
        for skill_id, expected in expectations.get(role_id, {}).items():
            theirs = latest.get((person.pk, "manager", skill_id))
            mine = latest.get((person.pk, "self", skill_id))
            current = theirs[1] if theirs else (mine[1] if mine else None)
            gap = max(expected - (current or 0), 0)
            plain.setdefault(person.pk, []).append((skill_id, gap, current))

    tallies = gap_tallies(Person.objects.filter(is_active=True), by="person")
    assert set(tallies) == {pk for pk, rows in plain.items() if rows}
    for pk, rows in plain.items():
        tally = tallies[pk]
        assert tally.expected == len(rows)
        assert tally.total_gap == sum(gap for _, gap, _ in rows)
        assert tally.below == sum(1 for _, gap, c in rows if c is not None and gap)
        assert tally.unassessed == sum(1 for _, _, c in rows if c is None)
        assert tally.ready == sum(1 for _, gap, _ in rows if gap == 0)

    # The API's one statement per person gives the very same rows.
    hana = Person.objects.get(username="hana")
    for pk, rows in plain.items():
        alone = visible_gaps(user=hana, person_id=pk)
        assert sorted((r.gap, r.current) for r in alone.rows) == sorted(
            (gap, current) for _, gap, current in rows
        )
        assert alone.readiness == sum(1 for _, gap, _ in rows if gap == 0) / len(rows)
    assert visible_gaps(user=hana, person_id=Person.objects.get(username="sam").pk).role is None

    for row in skills_report(user=hana):
        rows = [r for found in plain.values() for r in found if r[0] == row.skill.pk]
        assert row.expected == len(rows)
        assert row.unassessed == sum(1 for _, _, c in rows if c is None)
        assert row.meeting == sum(1 for _, gap, c in rows if c is not None and gap == 0)
        if rows:
            assert row.average_gap == pytest.approx(sum(gap for _, gap, _ in rows) / len(rows))

    mona = next(t for t in team_rollups(user=hana) if t.manager.username == "mona")
    assert mona.people == 198
    below_mona = Person.objects.exclude(username__in=["mona", "hana"]).values_list("pk", flat=True)
    assert mona.below == sum(
        1 for pk in below_mona for _, gap, c in plain.get(pk, []) if c is not None and gap
    )


def test_calibration_made_in_the_database_agrees_with_a_plain_reading():
    generate(150, 11)
    # Manager assessments by someone above the direct manager: the current manager
    # level of erin is mona's, which is no part of max's calibration.
    erin = Person.objects.get(username="erin")
    Assessment.objects.filter(person=erin, kind="manager").update(
        author=Person.objects.get(username="mona")
    )
    rollups.rebuild()  # the authors changed around the services
    latest = plain_latest()
    active = set(Skill.objects.active().values_list("pk", flat=True))
    managers = dict(Person.objects.values_list("pk", "manager_id"))
    expected: dict[int, list[int]] = {}
    for (person_id, kind, skill_id), (_, level, _) in latest.items():
        theirs = latest.get((person_id, "manager", skill_id))
        if kind != "self" or skill_id not in active or theirs is None:
            continue
        if theirs[2] == managers[person_id]:  # given by their manager now
            expected.setdefault(managers[person_id], []).append(level - theirs[1])

    hana = Person.objects.get(username="hana")
    rows = calibration_report(user=hana)

    assert {row.manager.pk for row in rows if row.mean_delta is not None} == set(expected)
    for row in rows:
        deltas = expected.get(row.manager.pk, [])
        assert row.pairs == len(deltas)
        assert row.mean_delta == (pytest.approx(sum(deltas) / len(deltas)) if deltas else None)
        assert row.divergent == sum(1 for d in deltas if abs(d) >= 2)
    listed = list(divergent_pairs(user=hana))
    assert len(listed) == sum(row.divergent for row in rows)
    assert [p.spread for p in listed] == sorted((p.spread for p in listed), reverse=True)
    max_row = next(row for row in rows if row.manager.username == "max")
    assert erin.pk not in {
        p.person_id for p in divergent_pairs(user=hana, manager=max_row.manager.pk)
    }
