"""Reads that span people, the framework and assessments, other than gaps: the latest
ratings with their evidence, growth plans, the assessment form's starting point.
Where a person stands, and every count of it, is assessments.gaps'."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from assessments.gaps import GapRow, Gaps, gap_role_id, gaps_for, latest_levels
from assessments.models import Action, Assessment, CurrentLevel, FocusSkill, GrowthPlan, Rating
from people.models import Person
from skills.models import Expectation, Role, Skill

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def latest_ratings(*, person: Person) -> dict[tuple[str, int], Rating]:
    """(kind, skill id) -> the latest submitted rating of the person (the one whose
    level the projection holds), evidence, skill and author loaded; active skills only.
    One query."""
    current = CurrentLevel.objects.filter(person=person, skill__retired=False)
    ratings = (
        Rating.objects.filter(skill__retired=False, assessment__person=person)
        .filter(
            Exists(current.filter(skill=OuterRef("skill"), self_assessment=OuterRef("assessment")))
            | Exists(
                current.filter(skill=OuterRef("skill"), manager_assessment=OuterRef("assessment"))
            )
        )
        .select_related("skill__category", "assessment__author")
    )
    return {(r.assessment.kind, r.skill_id): r for r in ratings}


# --- Growth plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    focus: FocusSkill
    current: int | None
    actions: list[Action]


@dataclass(frozen=True)
class PlanView:
    plan: GrowthPlan | None
    focus: list[Focus]
    suggestions: list[GapRow]  # the biggest gaps for the gap role, not yet focus skills
    gaps: Gaps


def growth_plan_for(*, person: Person, suggestions: int = 3) -> PlanView:
    """The plan with each focus skill's current level, and suggestions (the biggest
    gaps of gaps_for). 6 queries."""
    plan, focus = growth_focus_for(person=person)
    gaps = gaps_for(person=person)
    focused = {f.focus.skill_id for f in focus}
    return PlanView(
        plan=plan,
        focus=focus,
        suggestions=[r for r in gaps.rows if r.gap > 0 and r.loaded_skill.pk not in focused][
            :suggestions
        ],
        gaps=gaps,
    )


def growth_focus_for(*, person: Person) -> tuple[GrowthPlan | None, list[Focus]]:
    """The plan (None before its first write) and its focus skills, each with the
    person's current level of the skill (the CurrentLevel projection) and its actions.
    At most 4 queries: plan, focus skills with skills, actions, current levels."""
    plan = GrowthPlan.objects.filter(person=person).first()
    focus = list(
        plan.focus_skills.select_related("skill").prefetch_related("actions") if plan else []
    )
    levels = latest_levels([person.pk])
    return plan, [
        Focus(
            focus=f,
            current=_level(levels.get((person.pk, f.skill_id))),
            actions=list(f.actions.all()),
        )
        for f in focus
    ]


def _level(found: CurrentLevel | None) -> int | None:
    return found.level if found is not None else None


# --- The assessment form -----------------------------------------------------------------


def assessment_starting_point(*, person: Person, kind: str, author: Person) -> Assessment | None:
    """The author's open draft, else their last submitted assessment of the person and
    kind (what a new draft is pre-filled from), else None. One query."""
    drafts_first = Case(
        When(status=Assessment.Status.DRAFT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Assessment.objects.filter(person=person, kind=kind, author=author)
        .order_by(drafts_first, "-submitted_at", "-id")
        .first()
    )


def open_draft(*, person: Person, kind: str, author: Person) -> Assessment | None:
    """The author's open draft of this person and kind, if any. One query."""
    return Assessment.objects.filter(
        person=person, kind=kind, author=author, status=Assessment.Status.DRAFT
    ).first()


class Expected(TypedDict):
    expected: bool
    expected_level: int | None


def assessable_skills(
    person: Person,
) -> tuple[list[WithAnnotations[Skill, Expected]], list[Role]]:
    """Active skills by category, each annotated `expected` (by the person's current or
    target role) and `expected_level` (the level their gap role expects, or None), and
    those roles. Two queries (one without roles)."""
    role_ids = [pk for pk in (person.role_id, person.target_role_id) if pk]
    roles = sorted(Role.objects.filter(pk__in=role_ids), key=lambda r: role_ids.index(r.pk))
    expected = Expectation.objects.filter(skill=OuterRef("pk"), role_id__in=role_ids)
    # No gap role: no role's expectation (no role has id 0).
    level = Expectation.objects.filter(skill=OuterRef("pk"), role_id=gap_role_id(person) or 0)
    skills = list(
        Skill.objects.active()
        .select_related("category")
        .annotate(expected=Exists(expected), expected_level=Subquery(level.values("level")[:1]))
    )
    return skills, roles


def visible_assessments(user: Person) -> QuerySet[Assessment]:
    """Submitted assessments of the people the user may see, and the user's own drafts."""
    return Assessment.objects.filter(person__in=Person.objects.visible_to(user)).filter(
        Q(status=Assessment.Status.SUBMITTED) | Q(author=user)
    )


# --- My map: the manager's evidence ------------------------------------------------------


@dataclass(frozen=True)
class CitedItem:
    """An item of the person's evidence log that a manager's rating cites."""

    pk: int
    title: str


@dataclass(frozen=True)
class ManagerCitation:
    """The evidence behind a person's latest submitted manager rating of a skill: the
    rating's note and the items it cites. Items the person disputes are not the
    manager's evidence: they are counted apart (`disputed`), never listed."""

    author: str
    note: str
    items: list[CitedItem]
    disputed: int = 0

    @property
    def empty(self) -> bool:
        return not self.note.strip() and not self.items and not self.disputed


def manager_citations(*, person: Person) -> dict[int, ManagerCitation]:
    """skill id -> the note and cited items of the person's latest submitted manager
    rating of it (the one whose level the projection holds), active skills only, items
    newest first. One query, whatever the number of skills and items: a row per cited
    item (one with no item for a rating citing none)."""
    latest = CurrentLevel.objects.filter(
        person=person, skill=OuterRef("skill"), manager_assessment=OuterRef("assessment")
    )
    rows = (
        Rating.objects.filter(assessment__person=person, skill__retired=False)
        .filter(Exists(latest))
        .order_by("skill_id", "-evidence_items__date", "-evidence_items__id")
        .values_list(
            "skill_id",
            "evidence",
            "assessment__author__name",
            "assessment__author__username",
            "evidence_items__id",
            "evidence_items__title",
            "evidence_items__disputed",
            "evidence_items__person_id",
        )
    )
    found: dict[int, ManagerCitation] = {}
    for skill_id, note, name, username, item_id, title, disputed, owner in rows:
        citation = found.setdefault(skill_id, ManagerCitation(name or username, note, []))
        if item_id is None or owner != person.pk:
            continue
        if disputed:
            found[skill_id] = replace(citation, disputed=citation.disputed + 1)
        else:
            citation.items.append(CitedItem(item_id, title))
    return found
