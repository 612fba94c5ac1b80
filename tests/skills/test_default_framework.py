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
    # Second edition (issue 21)
    "technical-judgement",
    "business-impact",
    "product-sense",
    "decisions-under-uncertainty",
    "project-management",
    "budget-headcount",
    "team-health-performance",
    "coaching",
    "hiring-pipeline",
    "organisation-design",
]


def expected(role: str) -> dict[str, int]:
    return dict(Expectation.objects.filter(role__key=role).values_list("skill__key", "level"))


def test_it_has_25_to_30_skills_covering_every_topic(framework):
    # Second edition: the first edition's 17 skills and ten the issue found missing.
    keys = set(Skill.objects.values_list("key", flat=True))
    assert 25 <= len(keys) <= 30
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


def test_the_roles_sit_on_three_tracks(framework):
    # Second edition: the staff archetypes share the staff level; `other` holds the
    # sideways moves from senior.
    assert sorted(Role.objects.values_list("key", "track", "level")) == [
        ("developer-relations", "other", 1),
        ("engineering-manager", "management", 1),
        ("founding-engineer", "other", 1),
        ("manager-of-managers", "management", 2),
        ("principal-engineer", "ic", 3),
        ("product-manager", "other", 1),
        ("senior-engineer", "ic", 1),
        ("solutions-architect", "other", 1),
        ("staff-architect", "ic", 2),
        ("staff-engineer", "ic", 2),
        ("staff-right-hand", "ic", 2),
        ("staff-solver", "ic", 2),
        ("staff-tech-lead", "ic", 2),
    ]


def test_next_roles_form_the_skills_map(framework):
    moves = set(Role.next_roles.through.objects.values_list("from_role__key", "to_role__key"))
    # The first edition's moves stay.
    assert {
        ("engineering-manager", "manager-of-managers"),
        ("engineering-manager", "staff-engineer"),
        ("senior-engineer", "engineering-manager"),
        ("senior-engineer", "staff-engineer"),
        ("staff-engineer", "engineering-manager"),
        ("staff-engineer", "principal-engineer"),
    } <= moves
    # Every staff archetype leads on, and the sideways moves start from senior.
    for variant in ("staff-tech-lead", "staff-architect", "staff-solver", "staff-right-hand"):
        assert (variant, "principal-engineer") in moves
        assert ("senior-engineer", variant) in moves
    for other in Role.objects.filter(track="other"):
        assert ("senior-engineer", other.key) in moves
    # Every role but the first can be reached from another.
    reached = {to for _, to in moves}
    assert set(Role.objects.values_list("key", flat=True)) - reached == {"senior-engineer"}


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
    for ic in [senior, staff, principal] + [
        expected(r.key) for r in Role.objects.filter(variant_of__key="staff-engineer")
    ]:
        assert "managing-managers" not in ic
        assert "hiring" not in ic
    # Managers grow people; a manager of managers manages managers and strategy.
    # Second edition: a first-time manager is expected at 3 (the first edition's 4s made
    # senior -> EM the bigger step); still well above the senior they were, and below
    # the manager of managers they may become.
    assert manager["delegation"] >= 3
    assert manager["delegation"] > senior["delegation"]
    assert manager["hiring"] >= 3
    assert mom["hiring"] > manager["hiring"]
    assert mom["delegation"] > manager["delegation"]
    assert manager["technical-depth"] < senior["technical-depth"]
    assert mom["managing-managers"] >= 4
    assert mom["strategic-thinking"] == 5
    assert mom["organisation-design"] >= 4
    assert "managing-managers" not in manager
    # Nobody needs everything at 5.
    for role in (senior, staff, principal, manager, mom):
        assert sorted(role.values()).count(5) < len(role) / 2
    for other in Role.objects.filter(track="other"):
        levels = list(expected(other.key).values())
        assert levels.count(5) < len(levels) / 2, other.key
