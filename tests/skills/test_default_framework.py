"""The framework careermap ships with, read through the real import."""

from __future__ import annotations

import pytest

from skills.models import Category, Expectation, Role, Scale, Skill

pytestmark = pytest.mark.django_db

TOPICS = [
    "technical-depth",
    "system-design",
    "operational-excellence",
    "explaining-tech",
    "writing-decisions",
    "mentoring",
    "delegation",
    "feedback",
    "hiring",
    "strategic-thinking",
    "cross-team-projects",
    "stakeholder-management",
    "self-awareness",
    "fair-assessment",
    "managing-managers",
]


def expected(role: str) -> dict[str, int]:
    return dict(Expectation.objects.filter(role__key=role).values_list("skill__key", "level"))


def test_it_has_15_to_20_skills_covering_every_topic(framework):
    keys = set(Skill.objects.values_list("key", flat=True))
    assert 15 <= len(keys) <= 20
    assert set(TOPICS) <= keys


def test_it_has_hard_and_soft_categories(framework):
    assert set(Category.objects.values_list("kind", flat=True)) == {"hard", "soft"}


def test_every_skill_describes_every_level_and_how_to_grow(framework):
    scale = Scale.current()
    assert (scale.minimum, scale.maximum) == (0, 5)
    for skill in Skill.objects.all():
        assert sorted(map(int, skill.levels)) == list(scale.levels), skill.key
        assert all(len(text) > 20 for text in skill.levels.values()), skill.key
        assert skill.how_to_grow.count("- ") >= 3, skill.key
        assert skill.description, skill.key


def test_the_roles_sit_on_two_tracks(framework):
    assert sorted(Role.objects.values_list("key", "track", "level")) == [
        ("engineering-manager", "management", 1),
        ("manager-of-managers", "management", 2),
        ("principal-engineer", "ic", 3),
        ("senior-engineer", "ic", 1),
        ("staff-engineer", "ic", 2),
    ]


def test_next_roles_form_the_skills_map(framework):
    moves = sorted(Role.next_roles.through.objects.values_list("from_role__key", "to_role__key"))
    assert moves == [
        ("engineering-manager", "manager-of-managers"),
        ("engineering-manager", "staff-engineer"),
        ("senior-engineer", "engineering-manager"),
        ("senior-engineer", "staff-engineer"),
        ("staff-engineer", "engineering-manager"),
        ("staff-engineer", "principal-engineer"),
    ]


def test_every_skill_matters_to_some_role(framework):
    assert set(Expectation.objects.values_list("skill__key", flat=True)) == set(
        Skill.objects.values_list("key", flat=True)
    )


def test_expected_levels_differ_by_role_as_a_leader_would_expect(framework):
    senior, staff, principal = (
        expected("senior-engineer"),
        expected("staff-engineer"),
        expected("principal-engineer"),
    )
    manager, mom = expected("engineering-manager"), expected("manager-of-managers")

    # The IC track grows in design and influence, never in managing people.
    assert senior["system-design"] < staff["system-design"] <= principal["system-design"]
    assert staff["system-design"] >= 4
    assert staff["strategic-thinking"] >= 4
    for ic in (senior, staff, principal):
        assert "managing-managers" not in ic
        assert "hiring" not in ic
    # Managers grow people; a manager of managers manages managers and strategy.
    assert manager["delegation"] >= 4
    assert manager["hiring"] >= 4
    assert manager["technical-depth"] < senior["technical-depth"]
    assert mom["managing-managers"] >= 4
    assert mom["strategic-thinking"] == 5
    assert "managing-managers" not in manager
    # Nobody needs everything at 5.
    for role in (senior, staff, principal, manager, mom):
        assert sorted(role.values()).count(5) < len(role) / 2
