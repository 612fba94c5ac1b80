"""Static rules held by the database itself, whatever code writes: the framework."""

from __future__ import annotations

import pytest

from skills.models import Category, Expectation, Role, Scale
from tests.helpers import refused

pytestmark = pytest.mark.django_db


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
