"""The projection of current levels (assessments.gaps): kept in the transaction of every
submit, rebuilt and checked by commands, and cheap to keep at any number of skills."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.gaps import current_levels_check
from assessments.models import CurrentLevel
from assessments.services import assessment_start, assessment_submit
from skills.library import read
from skills.models import Skill
from skills.openformat import parse
from skills.services import framework_import
from tests.factories import PersonFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def level_of(person, key: str) -> tuple:
    row = CurrentLevel.objects.get(person=person, skill__key=key)
    return row.self_level, row.manager_level, row.level


def test_a_submit_writes_the_current_level_and_a_manager_level_wins(erin, max_):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 1})
    assert level_of(erin, "system-design") == (4, None, 4)

    done = submit(max_, erin, "manager", {"system-design": 2})

    assert level_of(erin, "system-design") == (4, 2, 2)
    row = CurrentLevel.objects.get(person=erin, skill__key="system-design")
    assert (row.manager_assessment_id, row.manager_author_id) == (done.pk, max_.pk)
    assert level_of(erin, "mentoring") == (1, None, 1)  # a skill the manager left alone


def test_a_draft_writes_nothing(erin):
    assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "mentoring", "level": 3}]
    )
    assert not CurrentLevel.objects.exists()


def test_the_projection_is_written_in_the_transaction_of_the_submit(erin):
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "mentoring", "level": 3}]
    )
    seen = []

    @transaction.atomic
    def submit_then_fail() -> None:
        assessment_submit(by=erin, assessment=draft)
        seen.append(CurrentLevel.objects.filter(person=erin).count())
        raise RuntimeError("the request fails after the submit")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert seen == [1]
    assert not CurrentLevel.objects.exists()


def test_an_older_submission_never_replaces_a_newer_one(erin):
    now = timezone.now()
    submit(erin, erin, "self", {"mentoring": 4}, at=now)
    submit(erin, erin, "self", {"mentoring": 1}, at=now - timedelta(days=30))
    assert level_of(erin, "mentoring") == (4, None, 4)
    assert current_levels_check()[1] == []


def test_the_commands_rebuild_and_prove_the_projection(erin, max_):
    submit(erin, erin, "self", {"system-design": 4})
    submit(max_, erin, "manager", {"system-design": 2})
    out = io.StringIO()
    call_command("check_current_levels", stdout=out)
    assert out.getvalue().startswith("1 current levels match the ratings")

    CurrentLevel.objects.update(manager_level=5)  # tampered with
    with pytest.raises(CommandError, match="rebuild_current_levels"):
        call_command("check_current_levels", stdout=io.StringIO(), stderr=io.StringIO())

    out = io.StringIO()
    call_command("rebuild_current_levels", stdout=out)
    assert out.getvalue().startswith("Rebuilt 1 current levels")
    assert level_of(erin, "system-design") == (4, 2, 2)
    call_command("check_current_levels", stdout=io.StringIO())


def submit_queries(person, keys: list[str]) -> int:
    draft = assessment_start(
        by=person,
        person=person,
        kind="self",
        ratings=[{"skill": key, "level": 1} for key in keys],
    )
    with CaptureQueriesContext(connection) as captured:
        assessment_submit(by=person, assessment=draft)
    return len(captured)


def test_submitting_costs_the_same_queries_at_164_skills_as_at_2():
    framework_import(document=parse(read("direct")))
    keys = list(Skill.objects.active().values_list("key", flat=True))
    assert len(keys) == 164
    # The draft locked, its ratings counted, the submit saved, the projection's two
    # statements (its rows of those skills deleted, derived again), in savepoints.
    few = submit_queries(PersonFactory(username="few"), keys[:2])
    many = submit_queries(PersonFactory(username="many"), keys)
    assert few == many
    assert CurrentLevel.objects.filter(person__username="many").count() == 164
