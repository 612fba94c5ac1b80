"""Reads of a person's history: their submitted assessments over time and, for one skill,
the self and manager levels they were given at each one. Drafts never appear here.

Each read is one query whatever the number of assessments and skills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.db.models import Count, QuerySet

from assessments.models import Assessment, Rating
from people.models import Person
from skills.models import Skill


def submitted_assessments(*, person: Person) -> QuerySet[Assessment]:
    """The person's submitted assessments, newest first, each with its author and
    `rating_count`. One query."""
    return (
        Assessment.objects.filter(person=person, status=Assessment.Status.SUBMITTED)
        .select_related("author")
        .annotate(rating_count=Count("ratings"))
        .order_by("-submitted_at", "-id")
    )


def rated_skills(*, person: Person) -> list[Skill]:
    """Skills rated in any submitted assessment of the person, retired ones included
    (retired skills keep their history), by category then name. One query."""
    return list(
        Skill.objects.filter(
            ratings__assessment__person=person,
            ratings__assessment__status=Assessment.Status.SUBMITTED,
        )
        .select_related("category")
        .distinct()
        .order_by("category__order", "category__name", "name", "key")
    )


@dataclass(frozen=True)
class HistoryPoint:
    """One submitted assessment's level for the skill."""

    at: datetime
    kind: str  # Assessment.Kind
    level: int
    author: Person
    assessment_id: int

    @property
    def is_self(self) -> bool:
        return self.kind == Assessment.Kind.SELF


@dataclass(frozen=True)
class RatingHistory:
    skill: Skill
    points: list[HistoryPoint]  # oldest first

    @property
    def self_points(self) -> list[HistoryPoint]:
        return [p for p in self.points if p.kind == Assessment.Kind.SELF]

    @property
    def manager_points(self) -> list[HistoryPoint]:
        return [p for p in self.points if p.kind == Assessment.Kind.MANAGER]


def rating_history(*, person: Person, skill: Skill) -> RatingHistory:
    """The level of `skill` in each submitted assessment of `person` that rates it,
    oldest first (submitted_at, then id: the order the gap arithmetic calls "latest").
    One query."""
    ratings = (
        Rating.objects.filter(
            skill=skill,
            assessment__person=person,
            assessment__status=Assessment.Status.SUBMITTED,
        )
        .select_related("assessment__author")
        .order_by("assessment__submitted_at", "assessment_id")
    )
    return RatingHistory(
        skill=skill,
        points=[
            HistoryPoint(
                # Submitted, so set (the assessment_submitted_at_iff_submitted constraint).
                at=cast(datetime, r.assessment.submitted_at),
                kind=r.assessment.kind,
                level=r.level,
                author=r.assessment.author,
                assessment_id=r.assessment_id,
            )
            for r in ratings
        ],
    )
