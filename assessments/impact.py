"""What a framework change would do to people's readiness, before it is saved.

`impact_of(change)` runs the change (any write: one expectation, a whole import) inside a
transaction that is always rolled back, and compares readiness before and after for the
people measured against the roles it touches. The gap arithmetic stays in selectors.py:
this only feeds it two sets of expectations. Ratings do not change with the framework, so
they are read once.

"Measured against a role" means the role is the person's current role or their target
role: the current holders and those aiming at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from assessments.selectors import Gaps, gap_rows, latest_levels
from people.models import Person
from skills.models import Expectation, Role, Skill

# role id -> {skill id: expected level}, active skills only
Expected = dict[int, dict[int, int]]
Levels = dict[tuple[int, int], tuple[int | None, int | None]]


@dataclass(frozen=True)
class ReadinessChange:
    person: Person
    role: Role
    before: float
    after: float

    @property
    def became_ready(self) -> bool:
        return self.before < 1.0 and self.after == 1.0

    @property
    def became_not_ready(self) -> bool:
        return self.before == 1.0 and self.after < 1.0


@dataclass(frozen=True)
class Impact:
    roles: list[Role]  # roles whose expectations of active skills the change alters
    measured: int  # people measured against those roles (current or target role)
    changes: list[ReadinessChange]  # each (person, role) whose readiness moves

    @property
    def people(self) -> int:
        """How many people's readiness for an affected role changes."""
        return len({c.person.pk for c in self.changes})

    @property
    def became_ready(self) -> list[ReadinessChange]:
        return [c for c in self.changes if c.became_ready]

    @property
    def became_not_ready(self) -> list[ReadinessChange]:
        return [c for c in self.changes if c.became_not_ready]


class _Rollback(Exception):
    pass


def impact_of[T](change: Callable[[], T]) -> tuple[T, Impact]:
    """Run `change()` and roll it back; return its result and its impact on readiness.

    Errors that `change()` raises (a refused import, a bad level) propagate unchanged,
    and nothing is written either way. 6 queries besides the change's own.
    """
    before = _expected()
    try:
        with transaction.atomic():
            result = change()
            after = _expected()
            altered = _altered(before, after)
            # Loaded before the rollback: the change may have created them.
            roles = {r.pk: r for r in Role.objects.filter(pk__in=altered)}
            wanted = {s for pk in altered for s in (*before.get(pk, {}), *after.get(pk, {}))}
            skills = {s.pk: s for s in Skill.objects.filter(pk__in=wanted)}
            raise _Rollback
    except _Rollback:
        pass
    return result, _impact(roles, skills, before, after)


def _expected() -> Expected:
    """Every role's expectations of active skills. One query."""
    expected: Expected = {}
    rows = Expectation.objects.filter(skill__retired=False).values_list(
        "role_id", "skill_id", "level"
    )
    for role_id, skill_id, level in rows:
        expected.setdefault(role_id, {})[skill_id] = level
    return expected


def _altered(before: Expected, after: Expected) -> set[int]:
    return {pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)}


def _impact(
    roles: dict[int, Role], skills: dict[int, Skill], before: Expected, after: Expected
) -> Impact:
    """Readiness before and after for everyone measured against the altered roles.
    2 queries: the people, their latest levels."""
    people = list(
        Person.objects.filter(is_active=True)
        .filter(Q(role_id__in=roles) | Q(target_role_id__in=roles))
        .order_by("name", "username")
    )
    levels = latest_levels([p.pk for p in people])
    changes = []
    for person in people:
        for role_id in dict.fromkeys((person.role_id, person.target_role_id)):
            if role_id not in roles:
                continue
            role = roles[role_id]
            was = _readiness(person, role, before.get(role_id, {}), skills, levels)
            now = _readiness(person, role, after.get(role_id, {}), skills, levels)
            if was != now:
                changes.append(ReadinessChange(person, role, was, now))
    ordered = sorted(roles.values(), key=lambda r: (r.track, r.level, r.key))
    return Impact(roles=ordered, measured=len(people), changes=changes)


def _readiness(
    person: Person, role: Role, expected: dict[int, int], skills: dict[int, Skill], levels: Levels
) -> float:
    rows = gap_rows(
        [Expectation(role=role, skill=skills[s], level=level) for s, level in expected.items()],
        levels,
        person.pk,
    )
    readiness = Gaps(person, role, rows).readiness
    assert readiness is not None  # a role is given
    return readiness
