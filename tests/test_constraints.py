"""Static rules held by the database itself, whatever code writes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment, Rating
from skills.models import Category, Expectation, Role, Scale, Skill

pytestmark = pytest.mark.django_db


def refused(constraint: str, write) -> None:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    # PostgreSQL names the constraint; SQLite names it for check constraints only.
    message = str(caught.value)
    assert constraint in message or "UNIQUE" in message


def test_nobody_is_their_own_manager(erin):
    erin.manager_id = erin.pk
    refused("person_not_own_manager", erin.save)


def test_one_expectation_per_role_and_skill(framework):
    existing = Expectation.objects.first()
    refused(
        "expectation_unique_role_skill",
        lambda: Expectation.objects.create(role=existing.role, skill=existing.skill, level=1),
    )


def test_a_scale_runs_upwards():
    refused("scale_max_above_min", lambda: Scale.objects.create(minimum=3, maximum=3))


def test_kinds_and_tracks_are_closed_lists(framework):
    refused("category_kind_valid", lambda: Category.objects.create(key="x", name="X", kind="warm"))
    refused("role_track_valid", lambda: Role.objects.create(key="x", name="X", track="side"))


def test_a_self_assessment_is_authored_by_the_person(erin, max_):
    refused(
        "assessment_author_matches_kind",
        lambda: Assessment.objects.create(person=erin, author=max_, kind="self"),
    )
    refused(
        "assessment_author_matches_kind",
        lambda: Assessment.objects.create(person=erin, author=erin, kind="manager"),
    )


def test_submitted_at_is_set_exactly_when_submitted(erin):
    refused(
        "assessment_submitted_at_iff_submitted",
        lambda: Assessment.objects.create(
            person=erin, author=erin, kind="self", status="submitted"
        ),
    )
    refused(
        "assessment_submitted_at_iff_submitted",
        lambda: Assessment.objects.create(
            person=erin, author=erin, kind="self", submitted_at=timezone.now()
        ),
    )


def test_one_open_draft_per_person_kind_and_author(erin):
    Assessment.objects.create(person=erin, author=erin, kind="self")
    refused(
        "assessment_one_open_draft",
        lambda: Assessment.objects.create(person=erin, author=erin, kind="self"),
    )
    # Submitted ones are not limited.
    for _ in range(2):
        Assessment.objects.create(
            person=erin, author=erin, kind="self", status="submitted", submitted_at=timezone.now()
        )


def test_one_rating_per_assessment_and_skill(erin):
    assessment = Assessment.objects.create(person=erin, author=erin, kind="self")
    skill = Skill.objects.first()
    Rating.objects.create(assessment=assessment, skill=skill, level=1)
    refused(
        "rating_unique_assessment_skill",
        lambda: Rating.objects.create(assessment=assessment, skill=skill, level=2),
    )
