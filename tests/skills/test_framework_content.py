"""The content of the default framework's second edition, read through the real import:
what a careful reader of the career map past senior expects of it (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from assessments.models import Rating
from assessments.services import assessment_start, assessment_submit
from skills.models import Expectation, Role, Scale, Skill
from skills.openformat import parse
from skills.services import framework_import
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

FIRST_EDITION = Path(__file__).parent / "data" / "default-framework-1st-edition.yaml"
PEOPLE_AND_STRATEGY = ("people-leadership", "strategy-judgement")
# The management role and the IC role at the same step of the map: an engineering manager
# is promoted from senior, a manager of managers leads staff-level engineers' peers.
IC_PEERS = {"engineering-manager": "senior-engineer", "manager-of-managers": "staff-engineer"}
# Renown, not contribution: the reputation trap the framework warns of.
RENOWN = re.compile(
    r"\b(trusted|respected|known for|recogni[sz]ed|renowned|reputation for)\b", re.I
)
# A descriptor met by agreeing with someone else's view of you is circular.
OTHERS_RATING = re.compile(
    r"self-assessment|in line with (their|the) manager|manager's (rating|view)|"
    r"differs? from others'|rated by",
    re.I,
)


def expected(role: str) -> dict[str, int]:
    return dict(Expectation.objects.filter(role__key=role).values_list("skill__key", "level"))


def level_steps(start: str, to: str) -> int:
    """What moving from one role to another asks for: the level-steps its expectations
    lie above the first role's (a skill the first role does not expect counts from 0)."""
    have, want = expected(start), expected(to)
    return sum(max(0, level - have.get(key, 0)) for key, level in want.items())


def test_every_active_skill_describes_every_level_and_a_way_to_grow_at_every_step(framework):
    scale = Scale.current()
    steps = [str(level) for level in scale.levels if level > scale.minimum]
    skills = Skill.objects.active()
    assert skills.count() >= 25
    for skill in skills:
        assert sorted(map(int, skill.levels)) == list(scale.levels), skill.key
        assert sorted(skill.grow_to, key=int) == steps, skill.key
        assert all(len(text) > 20 for text in skill.grow_to.values()), skill.key


def test_no_descriptor_measures_renown_or_another_persons_rating(framework):
    for skill in Skill.objects.all():
        for level, text in skill.levels.items():
            assert not RENOWN.search(text), (skill.key, level, text)
            assert not OTHERS_RATING.search(text), (skill.key, level, text)


def test_self_awareness_is_behaviour_and_the_self_others_gap_only_a_signal(framework):
    skill = Skill.objects.get(key="self-awareness")
    descriptors = " ".join(skill.levels.values()).lower()
    for behaviour in ("feedback", "mistake", "stress"):
        assert behaviour in descriptors
    assert "manager" not in descriptors
    assert "signal" in skill.description


def test_every_roles_expectations_reference_active_skills(framework):
    for role in Role.objects.active():
        expectations = Expectation.objects.filter(role=role).select_related("skill")
        assert expectations.exists(), role.key
        assert not [e.skill.key for e in expectations if e.skill.retired], role.key


def test_management_roles_expect_people_and_strategy_at_or_above_their_ic_peer(framework):
    for manager, peer in IC_PEERS.items():
        ours, theirs = expected(manager), expected(peer)
        soft = Skill.objects.filter(category__key__in=PEOPLE_AND_STRATEGY)
        compared = [s.key for s in soft if s.key in theirs]
        assert len(compared) >= 5, (manager, peer)
        for key in compared:
            assert ours.get(key, 0) >= theirs[key], (manager, peer, key)


def test_management_roles_have_their_own_technical_judgement_and_less_ic_craft(framework):
    senior, manager, mom = (
        expected("senior-engineer"),
        expected("engineering-manager"),
        expected("manager-of-managers"),
    )
    assert manager["technical-judgement"] >= 3
    assert mom["technical-judgement"] >= manager["technical-judgement"]
    assert manager["technical-depth"] < senior["technical-depth"]
    assert mom.get("technical-depth", 0) <= manager["technical-depth"]


def test_becoming_a_manager_of_managers_is_the_larger_step(framework):
    # The first edition had it inverted: senior -> EM 24 level-steps, EM -> MoM 10.
    senior_to_em = level_steps("senior-engineer", "engineering-manager")
    em_to_mom = level_steps("engineering-manager", "manager-of-managers")
    assert em_to_mom >= senior_to_em > 0


def test_the_missing_skills_are_there_and_expected_where_they_belong(framework):
    mom = expected("manager-of-managers")
    manager = expected("engineering-manager")
    for key in ("organisation-design", "budget-headcount", "hiring-pipeline", "managing-managers"):
        assert mom[key] >= 4, key
    assert "organisation-design" not in manager
    for key in ("team-health-performance", "coaching", "project-management"):
        assert manager[key] >= 3, key
    for key in ("business-impact", "product-sense", "decisions-under-uncertainty"):
        assert key in expected("senior-engineer"), key


def test_ways_to_grow_include_the_concrete_suggestions(framework):
    text = " ".join(t for s in Skill.objects.all() for t in s.grow_to.values()).lower()
    for suggestion in (
        "decision records",
        "volunteer for a cross-functional project",
        "all-hands",
        "coordinate an incident response",
        "organise tech talks",
        "tool evaluation",
        "black friday",
    ):
        assert suggestion in text, suggestion


def test_staff_archetypes_are_variants_of_staff_engineer_with_their_own_emphasis(framework):
    staff = Role.objects.get(key="staff-engineer")
    variants = {r.key: r for r in staff.variants.all()}
    assert set(variants) == {
        "staff-tech-lead",
        "staff-architect",
        "staff-solver",
        "staff-right-hand",
    }
    base = expected("staff-engineer")
    emphases = set()
    for key, variant in variants.items():
        assert (variant.track, variant.level) == (staff.track, staff.level), key
        differs = {k for k, v in expected(key).items() if base.get(k) != v}
        assert differs, key
        emphases.add(frozenset(differs))
    assert len(emphases) == len(variants)  # each its own emphasis


def test_the_other_track_offers_sideways_moves_from_senior(framework):
    other = set(Role.objects.filter(track="other").values_list("key", flat=True))
    assert {"product-manager", "solutions-architect", "founding-engineer"} <= other
    moves = set(Role.objects.get(key="senior-engineer").next_roles.values_list("key", flat=True))
    assert other <= moves
    for key in other:
        assert len(expected(key)) >= 8, key


def test_every_active_role_has_its_page_content(framework):
    for role in Role.objects.active():
        for field in ("summary", "description", "typical_week", "changes"):
            assert len(getattr(role, field)) > 40, (role.key, field)
    week = Role.objects.get(key="staff-engineer").typical_week
    assert "20%" in week


def test_every_first_edition_key_is_kept():
    first = parse(FIRST_EDITION.read_bytes())
    second = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    for section in ("categories", "skills", "roles"):
        kept = {item["key"] for item in second[section]}
        assert {item["key"] for item in first[section]} <= kept, section


# --- Upgrading an installation from the first edition ---------------------------------


def test_the_second_edition_upgrades_the_first_losing_nothing():
    framework_import(document=parse(FIRST_EDITION.read_bytes()))
    # What an installation did with the first edition: its own skill, ratings.
    framework_import(
        document={
            "skills": [
                {"key": "our-own-skill", "name": "Our own skill", "category": "Communication"}
            ]
        }
    )
    skills_before = set(Skill.objects.values_list("key", flat=True))
    roles_before = set(Role.objects.values_list("key", flat=True))
    person = PersonFactory(role=Role.objects.get(key="senior-engineer"))
    ratings = [{"skill": key, "level": 3} for key in sorted(skills_before)]
    draft = assessment_start(by=person, person=person, kind="self", ratings=ratings)
    assessment_submit(by=person, assessment=draft)
    stored = sorted(Rating.objects.values_list("skill__key", "level"))
    history_before = Skill.history.count()
    old_self_awareness = Skill.objects.get(key="self-awareness").levels["2"]

    second = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    review = framework_import(document=second, dry_run=True)

    # The review names what would change, and writes nothing.
    assert "technical-judgement" in review.created["skills"]
    assert "self-awareness" in review.updated["skills"]
    assert "staff-architect" in review.created["roles"]
    assert "engineering-manager" in review.updated["roles"]
    assert any("Engineering Manager · Technical depth" in str(c) for c in review.changes)
    assert set(Skill.objects.values_list("key", flat=True)) == skills_before
    assert Skill.objects.get(key="self-awareness").levels["2"] == old_self_awareness
    assert Skill.history.count() == history_before

    result = framework_import(document=second)

    assert result.created == review.created
    assert result.updated == review.updated
    assert skills_before < set(Skill.objects.values_list("key", flat=True))
    assert roles_before < set(Role.objects.values_list("key", flat=True))
    assert Skill.objects.get(key="our-own-skill").retired is False
    assert sorted(Rating.objects.values_list("skill__key", "level")) == stored
    # The first edition's text stays in each skill's history.
    history = Skill.history.filter(key="self-awareness").order_by("history_date")
    assert history.first().levels["2"] == old_self_awareness
    assert history.last().levels["2"] != old_self_awareness
    # Importing it again changes nothing.
    again = framework_import(document=second, dry_run=True)
    assert not again.changed
