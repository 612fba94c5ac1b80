"""When a current level was given, when it goes stale, and how much evidence stands behind
it (issue 17): the gaps API's `rated_at`, `stale` and `evidence_count`."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.gaps import is_stale
from assessments.models import Evidence
from skills.models import Skill
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def row(api, person, skill="system-design"):
    gaps = api.get(f"/api/people/{person.pk}/gaps/").json()
    return next(r for r in gaps["skills"] if r["skill"] == skill)


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (timedelta(days=364), False),
        # A minute inside the line: the request is answered a moment after `at` is taken.
        (timedelta(days=365) - timedelta(minutes=1), False),
        (timedelta(days=366), True),
    ],
    ids=["364 days", "365 days less a minute", "366 days"],
)
def test_a_rating_goes_stale_the_day_after_the_setting_says(as_, erin, age, stale):
    at = timezone.now() - age
    submit(erin, erin, "self", {"system-design": 3}, at=at)

    found = row(as_("erin"), erin)

    assert found["stale"] is stale
    assert found["rated_at"] == at.isoformat().replace("+00:00", "Z")


def test_the_boundary_is_exact_to_the_second():
    now = timezone.now()
    assert not is_stale(now - timedelta(days=365), now=now)
    assert is_stale(now - timedelta(days=365, seconds=1), now=now)
    assert not is_stale(None, now=now)


def test_the_setting_moves_the_line(as_, erin, settings):
    submit(erin, erin, "self", {"system-design": 3}, at=timezone.now() - timedelta(days=40))
    assert row(as_("erin"), erin)["stale"] is False

    settings.CAREERMAP_STALE_AFTER_DAYS = 30

    assert row(as_("erin"), erin)["stale"] is True


def test_the_current_level_dates_from_the_manager_rating_when_there_is_one(as_, erin, max_):
    old = timezone.now() - timedelta(days=500)
    submit(erin, erin, "self", {"system-design": 3}, at=timezone.now() - timedelta(days=10))
    submit(max_, erin, "manager", {"system-design": 3}, at=old)

    found = row(as_("erin"), erin)

    assert found["rated_at"] == old.isoformat().replace("+00:00", "Z")
    assert found["stale"] is True


def test_evidence_count_counts_undisputed_items_showing_the_skill(as_, erin, max_):
    def log(title, by, skills, disputed=False):
        made = Evidence.objects.create(
            person=erin,
            added_by=by,
            title=title,
            kind="project",
            date=datetime.date(2026, 5, 1),
            disputed=disputed,
            dispute_comment="Not me." if disputed else "",
        )
        made.skills.set(Skill.objects.filter(key__in=skills))

    log("Billing split", erin, ["system-design", "writing-decisions"])
    log("Queue design", max_, ["system-design"])
    log("Disputed design", max_, ["system-design"], disputed=True)
    log("Mentoring", erin, ["mentoring"])

    found = row(as_("max"), erin)

    assert found["evidence_count"] == 2
    assert row(as_("max"), erin, "mentoring")["evidence_count"] == 1
