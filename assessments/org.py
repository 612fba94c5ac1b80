"""Reads for the org view: who may open it, and the rollup per team (each manager's
subtree). The gap arithmetic stays in selectors.py; this only groups its results."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.selectors import Gaps, _gaps_of, people_in_scope
from careermap.models import Person


def manages_managers(user: Person) -> bool:
    """True if someone who reports to `user` has active reports of their own. One query."""
    return Person.objects.filter(is_active=True, manager__manager=user).exists()


def may_open_org_view(user: Person) -> bool:
    return bool(user.is_hr) or manages_managers(user)


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
    counts towards every manager above them within the scope. 3 queries."""
    people = list(
        people_in_scope(user).select_related("role", "target_role").order_by("name", "username")
    )
    by_id = {p.pk: p for p in people}
    tallies: dict[
        int, list[float]
    ] = {}  # manager id -> [people, readiness sum, rated, below, unassessed]
    for gaps in _gaps_of(people):
        below, unassessed = _counts(gaps)
        manager_id = gaps.person.manager_id
        seen: set[int] = set()
        while manager_id in by_id and manager_id not in seen:  # the chain within scope
            seen.add(manager_id)
            tally = tallies.setdefault(manager_id, [0, 0.0, 0, 0, 0])
            tally[0] += 1
            if gaps.readiness is not None:
                tally[1] += gaps.readiness
                tally[2] += 1
            tally[3] += below
            tally[4] += unassessed
            manager_id = by_id[manager_id].manager_id

    children: dict[int | None, list[Person]] = {}
    for person in people:
        if person.pk in tallies:
            parent = person.manager_id if person.manager_id in by_id else None
            children.setdefault(parent, []).append(person)
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


def _counts(gaps: Gaps) -> tuple[int, int]:
    """(below, unassessed) as skills_report counts them."""
    below = sum(1 for row in gaps.rows if row.current is not None and row.gap > 0)
    unassessed = sum(1 for row in gaps.rows if row.current is None)
    return below, unassessed
