"""What a framework change would do to people's readiness, before it is saved.

`impact_of(change)` runs the change (any write: one expectation, a whole import) inside a
transaction that is always rolled back, and compares readiness before and after for the
people measured against the roles it touches. The gap arithmetic stays in
assessments.gaps: this asks it twice, with the change and without.

"Measured against a role" means the role is the person's current role or their target
role: the current holders and those aiming at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from assessments.gaps import gaps_many
from core import derived
from people.models import Person
from skills.models import Expectation, Role

# role id -> {skill id: expected level}, active skills only
Expected = dict[int, dict[int, int]]


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

    Readiness comes from the gap module both times (assessments.gaps.gaps_many): after
    the change, inside the transaction, and before it, once it is rolled back. Errors
    that `change()` raises (a refused import, a bad level) propagate unchanged, and
    nothing is written either way. 7 queries besides the change's own.
    """
    before = _expected()
    try:
        # Rolled back whatever happens: the tallies it would refresh are left alone.
        with transaction.atomic(), derived.discarded():
            result = change()
            altered = _altered(before, _expected())
            # Loaded before the rollback: the change may have created them.
            roles = {r.pk: r for r in Role.objects.filter(pk__in=altered)}
            pairs = _measured(roles)
            after = [g.readiness for g in gaps_many(pairs, with_skills=False)]
            raise _Rollback
    except _Rollback:
        pass
    was = [g.readiness for g in gaps_many(pairs, with_skills=False)]
    changes = [
        ReadinessChange(person, role, old, new)  # type: ignore[arg-type]
        for (person, role), old, new in zip(pairs, was, after, strict=True)
        if old != new
    ]
    ordered = sorted(roles.values(), key=lambda r: (r.track, r.level, r.key))
    people = len({person.pk for person, _ in pairs})
    return result, Impact(roles=ordered, measured=people, changes=changes)


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


def _measured(roles: dict[int, Role]) -> list[tuple[Person, Role]]:
    """(person, role) for every active person whose current or target role is one of
    `roles`, by name. One query."""
    people = (
        Person.objects.filter(is_active=True)
        .filter(Q(role_id__in=roles) | Q(target_role_id__in=roles))
        .order_by("name", "username")
    )
    return [
        (person, roles[role_id])
        for person in people
        for role_id in dict.fromkeys((person.role_id, person.target_role_id))
        if role_id in roles
    ]
