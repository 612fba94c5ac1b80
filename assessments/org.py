"""Reads for the org view: the rollup per team (each manager's
subtree). The gap arithmetic stays in selectors.py; this only groups its results."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.selectors import gap_tallies
from people.models import Person
from people.visibility import in_scope


@dataclass(frozen=True)
class TeamRollup:
    manager: Person
    level: int  # 0 for the managers at the top of the scope, 1 below them, ...
    people: int  # everyone in the manager's subtree
    readiness: float | None  # the mean over those with a role to measure against
    below: int  # (person, skill) pairs assessed and below the expectation
    unassessed: int  # (person, skill) pairs the role expects and nobody rated yet


def team_rollups(*, user: Person) -> list[TeamRollup]:
    """One row per manager in the viewer's scope (HR: everyone; a manager: the subtree
    below them), over that manager's whole subtree, in org-chart order. Each person
    counts towards every manager above them within the scope; a deactivated manager is
    passed through, not a dead end. 3 queries: the people, the whole chart (inactive
    people included), and their gap tallies (counted in the database, one per person)."""
    scope = in_scope(user)
    people = list(scope.order_by("name", "username"))
    parents = dict(Person.objects.values_list("pk", "manager_id"))
    per_person = gap_tallies(scope, by="person")
    by_id = {p.pk: p for p in people}

    def managers_above(person: Person) -> list[int]:
        """The active managers in scope above `person`, nearest first."""
        found, seen, manager_id = [], set(), person.manager_id
        while manager_id is not None and manager_id not in seen:
            seen.add(manager_id)
            if manager_id in by_id:
                found.append(manager_id)
            manager_id = parents.get(manager_id)
        return found

    tallies: dict[
        int, list[float]
    ] = {}  # manager id -> [people, readiness sum, rated, below, unassessed]
    for person in people:
        tally = per_person.get(person.pk)
        below, unassessed = (tally.below, tally.unassessed) if tally else (0, 0)
        if person.gap_role_id is None:
            readiness = None
        else:  # a role that expects no active skill: ready, as Gaps.readiness has it
            readiness = tally.ready / tally.expected if tally else 1.0
        for manager_id in managers_above(person):
            tally_of = tallies.setdefault(manager_id, [0, 0.0, 0, 0, 0])
            tally_of[0] += 1
            if readiness is not None:
                tally_of[1] += readiness
                tally_of[2] += 1
            tally_of[3] += below
            tally_of[4] += unassessed

    children: dict[int | None, list[Person]] = {}
    for person in people:
        if person.pk in tallies:
            above = managers_above(person)
            children.setdefault(above[0] if above else None, []).append(person)
    rows: list[TeamRollup] = []

    def walk(parent: int | None, level: int) -> None:
        for manager in children.get(parent, []):
            people_count, readiness_sum, rated, below, unassessed = tallies[manager.pk]
            rows.append(
                TeamRollup(
                    manager=manager,
                    level=level,
                    people=int(people_count),
                    readiness=readiness_sum / rated if rated else None,
                    below=int(below),
                    unassessed=int(unassessed),
                )
            )
            walk(manager.pk, level + 1)

    walk(None, 0)
    return rows
