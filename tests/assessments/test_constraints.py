"""Static rules held by the database itself, whatever code writes: assessments and
ratings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assessments.models import Assessment, Rating
from skills.models import Skill
from tests.helpers import refused

pytestmark = pytest.mark.django_db


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
