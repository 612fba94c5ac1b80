"""The org reports of the HR pages: the readiness pipeline per role, and the CSV files of
it and of the per-skill picture (`gaps.skills_report`). The gap arithmetic stays in
assessments.gaps: this only counts what it answers.

"Ready" counts only the levels a manager has confirmed (assessments.gaps' gaps measured
from the manager's levels alone): a person ready by their current levels only because
they rated themselves is counted apart, as ready on self-ratings alone.

"Measured against a role" means what it means in the impact preview (assessments.impact):
the role is the person's current role or their target role, the people who hold it and
those aiming at it. Readiness of everyone for every role would cost people x roles gap
lists (10,000 people and a dozen roles: over a million rows per page view), for numbers
that mostly say how far an engineer is from roles nobody asked about.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.gaps import gaps_many
from assessments.rollups import SkillReport
from core.spreadsheets import csv_text
from people.models import Person
from people.visibility import in_scope
from skills.models import Category, Role

READY = 1.0
NEARLY_READY = 0.8


@dataclass(frozen=True)
class PipelineRow:
    role: Role
    # Head counts, all of them.
    measured: int  # people in scope holding the role or aiming at it
    holders: int  # of those, how many hold it now
    nearly_ready: int  # readiness of at least 80% on manager-confirmed levels
    ready: int  # gap 0 on every skill the role expects, on manager-confirmed levels
    # Ready on their current levels but not on confirmed ones: some of it rests on their
    # self-ratings alone (not counted in `ready`).
    ready_on_self_ratings: int


def readiness_pipeline(*, user: Person) -> list[PipelineRow]:
    """Per active role (by track, level, key): how many of the people in scope
    (people.visibility.in_scope: everyone for HR) are measured against it, how many of
    those are at least 80% and 100% ready for it on the levels their manager confirmed,
    and how many are ready only with their self-ratings. 4 queries: roles, people, their
    gap rows on current levels and on confirmed levels (assessments.gaps)."""
    roles = list(Role.objects.active().order_by("track", "level", "key"))
    by_id = {role.pk: role for role in roles}
    people = list(in_scope(user).order_by("pk"))
    # dict.fromkeys: someone whose target role is their current role counts once.
    pairs = [
        (person, by_id[role_id])
        for person in people
        for role_id in dict.fromkeys((person.role_id, person.target_role_id))
        if role_id in by_id
    ]
    current = gaps_many(pairs, with_skills=False)
    confirmed = gaps_many(pairs, with_skills=False, confirmed=True)
    # Role id -> (person, readiness on current levels, on confirmed levels) of each measured.
    measured: dict[int, list[tuple[Person, float, float]]] = {role.pk: [] for role in roles}
    for (person, role), now, sure in zip(pairs, current, confirmed, strict=True):
        assert now.readiness is not None  # a role is given
        assert sure.readiness is not None
        measured[role.pk].append((person, now.readiness, sure.readiness))
    rows = []
    for role in roles:
        found = measured[role.pk]
        rows.append(
            PipelineRow(
                role=role,
                measured=len(found),
                holders=sum(1 for p, _, _ in found if p.role_id == role.pk),
                nearly_ready=sum(1 for _, _, sure in found if sure >= NEARLY_READY),
                ready=sum(1 for _, _, sure in found if sure == READY),
                ready_on_self_ratings=sum(
                    1 for _, now, sure in found if now == READY and sure != READY
                ),
            )
        )
    return rows


# --- CSV --------------------------------------------------------------------------------

SKILLS_COLUMNS = [
    "skill",
    "name",
    "category",
    "expected",
    "below",
    "meeting",
    "unassessed",
    "average_gap",
]
PIPELINE_COLUMNS = [
    "role",
    "name",
    "track",
    "level",
    "measured",
    "holders",
    "ready_80_confirmed",
    "ready_100_confirmed",
    "ready_100_on_self_ratings",
]


def skills_csv(report: list[SkillReport]) -> str:
    """The per-skill picture as CSV; average_gap with two decimals, empty when no one is
    expected to have the skill. One query: the category keys."""
    categories = dict(Category.objects.values_list("pk", "key"))
    return csv_text(
        SKILLS_COLUMNS,
        (
            [
                r.skill.key,
                r.skill.name,
                categories[r.skill.category_id],
                r.expected,
                r.below,
                r.meeting,
                r.unassessed,
                "" if r.average_gap is None else f"{r.average_gap:.2f}",
            ]
            for r in report
        ),
    )


def pipeline_csv(pipeline: list[PipelineRow]) -> str:
    return csv_text(
        PIPELINE_COLUMNS,
        (
            [
                r.role.key,
                r.role.name,
                r.role.track,
                r.role.level,
                r.measured,
                r.holders,
                r.nearly_ready,
                r.ready,
                r.ready_on_self_ratings,
            ]
            for r in pipeline
        ),
    )
