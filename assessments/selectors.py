"""Reads that span people, the framework and assessments. The gap arithmetic of
product.md lives here and nowhere else: pages, API, exports and benchmarks call it.

For person P and role R (default: P's target role, else current role), for each active
skill S that R expects at level E:
    self    = level in P's latest submitted self-assessment that rates S, else None
    manager = likewise from submitted manager assessments of P, else None
    current = manager if not None, else self
    gap     = max(E - (current or 0), 0)
readiness(P, R) = (skills with gap 0) / (skills R expects); 1.0 if R expects none.
Rows: gap descending, then skill key ascending. "Latest" is the highest submitted_at,
then the highest assessment id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from assessments.models import Assessment, Rating
from careermap.models import Person
from skills.models import Expectation, Role, Skill

Levels = tuple[int | None, int | None]  # (self, manager)


@dataclass(frozen=True)
class GapRow:
    skill: Skill
    expected: int
    self_level: int | None
    manager_level: int | None

    @property
    def current(self) -> int | None:
        return self.manager_level if self.manager_level is not None else self.self_level

    @property
    def gap(self) -> int:
        return max(self.expected - (self.current or 0), 0)


@dataclass(frozen=True)
class Gaps:
    person: Person
    role: Role | None
    rows: list[GapRow]

    @property
    def readiness(self) -> float | None:
        if self.role is None:
            return None
        if not self.rows:
            return 1.0
        return sum(1 for row in self.rows if row.gap == 0) / len(self.rows)

    @property
    def total_gap(self) -> int:
        return sum(row.gap for row in self.rows)


def latest_levels(person_ids: Iterable[int]) -> dict[tuple[int, int], Levels]:
    """(person id, skill id) -> (self level, manager level) from submitted assessments.

    One query whatever the number of people, skills and assessments.
    """
    ranked = (
        Rating.objects.filter(
            assessment__status=Assessment.Status.SUBMITTED,
            assessment__person_id__in=list(person_ids),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("assessment__person_id"), F("assessment__kind"), F("skill_id")],
                order_by=[F("assessment__submitted_at").desc(), F("assessment_id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("assessment__person_id", "skill_id", "assessment__kind", "level")
    )
    levels: dict[tuple[int, int], Levels] = {}
    for person_id, skill_id, kind, level in ranked:
        own, manager = levels.get((person_id, skill_id), (None, None))
        if kind == Assessment.Kind.SELF:
            own = level
        else:
            manager = level
        levels[(person_id, skill_id)] = (own, manager)
    return levels


def expectations_of(role_ids: Iterable[int]) -> dict[int, list[Expectation]]:
    """role id -> its expectations of active skills, skill loaded. One query."""
    by_role: dict[int, list[Expectation]] = {}
    expectations = (
        Expectation.objects.filter(role_id__in=list(role_ids), skill__retired=False)
        .select_related("skill__category")
        .order_by("skill__key")
    )
    for expectation in expectations:
        by_role.setdefault(expectation.role_id, []).append(expectation)
    return by_role


def gap_rows(
    expectations: list[Expectation], levels: dict[tuple[int, int], Levels], person_id: int
) -> list[GapRow]:
    rows = [
        GapRow(e.skill, e.level, *levels.get((person_id, e.skill_id), (None, None)))
        for e in expectations
    ]
    rows.sort(key=lambda row: (-row.gap, row.skill.key))
    return rows


def gaps_for(*, person: Person, role: Role | None = None) -> Gaps:
    """The gaps of `person` against `role` (default: target role, else current role)."""
    if role is None:
        role = person.target_role or person.role
    if role is None:
        return Gaps(person=person, role=None, rows=[])
    expectations = expectations_of([role.pk]).get(role.pk, [])
    levels = latest_levels([person.pk])
    return Gaps(person=person, role=role, rows=gap_rows(expectations, levels, person.pk))
