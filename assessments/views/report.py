"""A report's page for their managers (direct or indirect): the report's map as My map
shows it, self and manager ratings side by side with divergences flagged, the evidence
behind them, the growth plan (read-only) and the assessment history; and the manager
assessment of the report, on the same form core as the self-assessment.

Every view starts with get_report_or_404: anyone not above the person, the person
included, gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.checkins import checkins_of, next_date_of
from assessments.feedback import Aggregate, others_for
from assessments.gaps import diverges
from assessments.history import submitted_assessments
from assessments.models import Assessment, Rating
from assessments.selectors import growth_plan_for, latest_ratings
from assessments.views.assess import assessment_confirm_submit, assessment_form, assessment_save
from assessments.views.history import history_page
from assessments.views.my_map import map_context
from core.htmx import render_region
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import get_report_or_404
from skills.models import Scale, Skill

RECENT_ASSESSMENTS = 5  # the page lists these; the history page lists them all
RECENT_CHECKINS = 5  # the page lists these; the report's check-ins page lists them all


@dataclass(frozen=True)
class Comparison:
    """One skill's latest submitted self and manager levels, and their evidence."""

    skill: Skill
    self_level: int | None
    manager_level: int | None
    self_rating: Rating | None
    manager_rating: Rating | None
    scale: Scale
    others: Aggregate | None = None  # others' view of the skill; None: nobody answered

    @property
    def self_word(self) -> str:
        return "" if self.self_level is None else self.scale.label(self.self_level)

    @property
    def manager_word(self) -> str:
        return "" if self.manager_level is None else self.scale.label(self.manager_level)

    @property
    def difference(self) -> int | None:
        if self.self_level is None or self.manager_level is None:
            return None
        return abs(self.self_level - self.manager_level)

    @property
    def diverges(self) -> bool:
        return diverges(self.self_level, self.manager_level)

    @property
    def others_median(self) -> float | None:
        return self.others.median if self.others is not None else None

    @property
    def others_diverges(self) -> bool:
        return diverges(self.self_level, self.others_median)

    @property
    def has_evidence(self) -> bool:
        return any(
            r is not None and r.evidence.strip() for r in (self.self_rating, self.manager_rating)
        )


def _comparisons(
    person: Person, expected: list[Skill], scale: Scale, others: dict[int, Aggregate]
) -> list[Comparison]:
    """Every skill the gap role expects or either side rated, by category then name,
    each with others' view of it (`others`: feedback.others_for(person))."""
    ratings = latest_ratings(person=person)
    skills = {s.pk: s for s in expected} | {r.skill_id: r.skill for r in ratings.values()}
    rows = []
    for skill in sorted(
        skills.values(), key=lambda s: (s.category.order, s.category.name, s.name, s.key)
    ):
        own = ratings.get((Assessment.Kind.SELF, skill.pk))
        theirs = ratings.get((Assessment.Kind.MANAGER, skill.pk))
        rows.append(
            Comparison(
                skill=skill,
                self_level=own.level if own else None,
                manager_level=theirs.level if theirs else None,
                self_rating=own,
                manager_rating=theirs,
                scale=scale,
                others=others.get(skill.pk),
            )
        )
    return rows


@login_required
@require_GET
def report(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_report_or_404(request.user, pk)
    plan = growth_plan_for(person=person)  # its gaps are the map's: one read, one arithmetic
    gaps = plan.gaps
    scale = Scale.current()
    others = others_for(person)  # the map's rows and the ratings table: one read
    comparisons = _comparisons(person, [row.loaded_skill for row in gaps.rows], scale, others)
    assessments = list(submitted_assessments(person=person))
    checkins = checkins_of(person, limit=RECENT_CHECKINS)
    context: dict[str, Any] = {
        "person": person,
        "gaps": gaps,
        "scale": scale,
        **map_context(person, gaps, scale, others),
        "comparisons": comparisons,
        "divergent": [c for c in comparisons if c.diverges],
        # Named once above the table when one manager wrote them all, else per row.
        "manager_authors": sorted(
            {
                c.manager_rating.assessment.author.get_full_name()
                for c in comparisons
                if c.manager_rating
            }
        ),
        "evidence": [c for c in comparisons if c.has_evidence],
        "plan": plan,
        "assessments": assessments[:RECENT_ASSESSMENTS],
        "assessment_count": len(assessments),
        "checkins": checkins,
        "next_checkin": next_date_of(checkins),
    }
    return render_region(request, "assessments/report.html", None, context)


@login_required
@require_GET
def report_history(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return history_page(request, get_report_or_404(request.user, pk))


# --- The manager assessment: the self-assessment's form core, kind "manager" ------------


@login_required
@require_GET
def assess_report(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_report_or_404(request.user, pk)
    return assessment_form(request, person=person, kind=Assessment.Kind.MANAGER)


@login_required
@require_POST
def assess_report_save(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_report_or_404(request.user, pk)
    return assessment_save(request, person=person, kind=Assessment.Kind.MANAGER)


@login_required
@require_http_methods(["GET", "POST"])
def assess_report_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_report_or_404(request.user, pk)
    return assessment_confirm_submit(request, person=person, kind=Assessment.Kind.MANAGER)


urlpatterns = [
    path("team/<int:pk>/", report, name="report"),
    path("team/<int:pk>/history/", report_history, name="report_history"),
    path("team/<int:pk>/assess/", assess_report, name="assess_report"),
    path("team/<int:pk>/assess/save/", assess_report_save, name="assess_report_save"),
    path("team/<int:pk>/assess/submit/", assess_report_submit, name="assess_report_submit"),
]
