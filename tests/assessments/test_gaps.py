"""The gap arithmetic of product.md, exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.gaps import gaps_for, latest_levels, visible_gaps
from assessments.services import assessment_start
from people.models import Person
from skills.models import Skill
from tests.factories import ExpectationFactory, PersonFactory, RoleFactory, SkillFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def role(db):
    """A role expecting a=3, b=2, c=4, d=1."""
    role = RoleFactory(key="r")
    for key, level in {"a": 3, "b": 2, "c": 4, "d": 1}.items():
        ExpectationFactory(role=role, skill=SkillFactory(key=key), level=level)
    return role


@pytest.fixture
def pair(role):
    boss = PersonFactory(username="boss")
    return PersonFactory(username="pat", manager=boss, role=role), boss


def rows(gaps) -> list[tuple]:
    return [(r.skill.key, r.self_level, r.manager_level, r.current, r.gap) for r in gaps.rows]


def measured(person, role=None):
    """The gaps as the pages get them (gaps_for, skills loaded) after checking that the
    API's one-query path (visible_gaps, keys only) gives exactly the same numbers."""
    pages = gaps_for(person=person, role=role)
    hr, _ = Person.objects.get_or_create(username="hr", defaults={"is_hr": True})
    api = visible_gaps(user=hr, person_id=person.pk, role=role)
    assert api is not None
    assert [
        (r.key, r.expected, r.self_level, r.manager_level, r.current, r.gap) for r in api.rows
    ] == [
        (r.skill.key, r.expected, r.self_level, r.manager_level, r.current, r.gap)
        for r in pages.rows
    ]
    assert api.person.pk == pages.person.pk
    assert (api.role and api.role.key) == (pages.role and pages.role.key)
    assert (api.readiness, api.total_gap) == (pages.readiness, pages.total_gap)
    return pages


def test_the_manager_level_wins_over_self_and_gaps_are_never_negative(pair):
    pat, boss = pair
    submit(pat, pat, "self", {"a": 3, "b": 5, "c": 1})
    submit(boss, pat, "manager", {"a": 1, "c": 4})

    gaps = measured(pat)

    # Biggest gap first, then skill key.
    assert rows(gaps) == [
        ("a", 3, 1, 1, 2),
        ("d", None, None, None, 1),
        ("b", 5, None, 5, 0),
        ("c", 1, 4, 4, 0),
    ]
    assert gaps.readiness == 0.5
    assert gaps.total_gap == 3


def test_the_latest_submitted_rating_wins(pair):
    pat, _ = pair
    now = timezone.now()
    submit(pat, pat, "self", {"a": 1, "b": 1}, at=now - timedelta(days=2))
    submit(pat, pat, "self", {"a": 3, "b": 0}, at=now - timedelta(days=1))
    # Submitted later but dated earlier (as an import of old data would be): it loses.
    submit(pat, pat, "self", {"a": 2, "b": 2}, at=now - timedelta(days=3))

    assert rows(measured(pat)) == [
        ("c", None, None, None, 4),
        ("b", 0, None, 0, 2),
        ("d", None, None, None, 1),
        ("a", 3, None, 3, 0),
    ]


def test_equal_submission_times_fall_back_to_the_higher_id(pair):
    pat, _ = pair
    at = timezone.now()
    first = submit(pat, pat, "self", {"a": 1}, at=at)
    second = submit(pat, pat, "self", {"a": 2}, at=at)
    assert second.pk > first.pk

    found = latest_levels([pat.pk])[(pat.pk, Skill.objects.get(key="a").pk)]
    assert (found.self_level, found.manager_level, found.self_assessment_id) == (2, None, second.pk)
    assert ("a", 2, None, 2, 1) in rows(measured(pat))


def test_drafts_never_count(pair):
    pat, boss = pair
    assessment_start(by=pat, person=pat, kind="self", ratings=[{"skill": "a", "level": 5}])
    assessment_start(by=boss, person=pat, kind="manager", ratings=[{"skill": "a", "level": 5}])

    assert all(r[1:4] == (None, None, None) for r in rows(measured(pat)))


def test_any_manager_above_counts_and_the_latest_of_them_wins(pair):
    pat, boss = pair
    top = PersonFactory(username="top")
    boss.manager = top
    boss.save()
    now = timezone.now()
    submit(boss, pat, "manager", {"a": 1}, at=now - timedelta(days=1))
    submit(top, pat, "manager", {"a": 3}, at=now)

    found = latest_levels([pat.pk])[(pat.pk, Skill.objects.get(key="a").pk)]
    assert (found.self_level, found.manager_level, found.manager_author_id) == (None, 3, top.pk)
    assert ("a", None, 3, 3, 0) in rows(measured(pat))


def test_the_target_role_is_the_default_else_the_current_role(pair):
    pat, _ = pair
    other = RoleFactory(key="other")
    ExpectationFactory(role=other, skill=Skill.objects.get(key="a"), level=1)

    assert measured(pat).role.key == "r"
    pat.target_role = other
    pat.save()
    assert measured(pat).role.key == "other"
    assert measured(pat, role=pat.role).role.key == "r"


def test_no_role_means_no_rows_and_no_readiness():
    gaps = measured(PersonFactory(username="nobody"))
    assert (gaps.role, gaps.readiness, gaps.rows) == (None, None, [])


def test_a_role_that_expects_nothing_is_fully_ready():
    person = PersonFactory(username="p", role=RoleFactory(key="empty"))
    assert measured(person).readiness == 1.0


def test_retired_skills_are_left_out(pair):
    pat, _ = pair
    Skill.objects.filter(key="c").update(retired=True)

    gaps = measured(pat)

    assert [r[0] for r in rows(gaps)] == ["a", "b", "d"]
    assert gaps.readiness == 0.0


def test_gaps_take_two_queries_however_much_history_there_is(pair):
    pat, boss = pair
    for level in range(4):
        submit(pat, pat, "self", {"a": level, "b": level, "c": level, "d": level})
        submit(boss, pat, "manager", {"a": level, "b": level})
    pat = type(pat).objects.select_related("role", "target_role").get(pk=pat.pk)

    with CaptureQueriesContext(connection) as queries:
        gaps = gaps_for(person=pat)
    # 1: the role's expectations of active skills with the latest self and manager level
    #    of each (a window function ranks the ratings)
    # 2: those skills with their categories
    assert len(queries) == 2
    assert len(gaps.rows) == 4

    with CaptureQueriesContext(connection) as queries:
        gaps = visible_gaps(user=boss, person_id=pat.pk)
    # The API's path: the person (if visible), their role, and the numbers at once.
    assert len(queries) == 1
    assert [r.key for r in gaps.rows] == ["c", "a", "b", "d"]


def test_the_api_path_finds_only_people_the_user_may_see(pair):
    pat, boss = pair
    outsider = PersonFactory(username="outsider", role=pat.role)

    assert visible_gaps(user=boss, person_id=pat.pk) is not None
    assert visible_gaps(user=pat, person_id=pat.pk) is not None
    assert visible_gaps(user=boss, person_id=outsider.pk) is None
    assert visible_gaps(user=outsider, person_id=pat.pk) is None
    assert visible_gaps(user=pat, person_id=boss.pk) is None
    assert visible_gaps(user=boss, person_id=10**9) is None
    assert visible_gaps(user=boss, person_id=2**70) is None  # past any id column
    boss.is_active = False
    assert visible_gaps(user=boss, person_id=pat.pk) is None


def test_a_role_asked_for_is_measured_even_for_someone_without_one(role):
    nobody = PersonFactory(username="nobody")
    submit(nobody, nobody, "self", {"a": 3})

    gaps = measured(nobody, role=role)

    assert rows(gaps)[-1] == ("a", 3, None, 3, 0)
    assert gaps.readiness == 0.25
