"""The manager pages: the team heatmap (the viewer's own reports, never anyone else's
team) and the org view for managers of managers and HR."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from assessments.org import team_rollups
from assessments.selectors import Gaps, calibration_report, skills_report, team_for
from core.htmx import render_region
from core.types import AuthedHttpRequest
from people.visibility import is_manager, manages_managers, may_open_org_view

SORTS = {"person": "Person", "readiness": "Readiness, lowest first"}


def _report_url(pk: int) -> str:
    try:
        return reverse("assessments:report", args=[pk])
    except NoReverseMatch:  # the report page is built separately; its address is fixed
        return f"/team/{pk}/"


def _sorted(members: list[Gaps], sort: str) -> list[Gaps]:
    if sort == "readiness":
        # The least ready first; people without a role to measure against last.
        return sorted(
            members,
            key=lambda g: (g.readiness is None, g.readiness or 0.0, g.person.name.lower()),
        )
    return members  # team_for orders by name


@login_required
@require_GET
def team(request: AuthedHttpRequest) -> HttpResponse:
    """Always the viewer's own reports: no parameter names another manager."""
    user = request.user
    if not is_manager(user):
        raise Http404("No team.")
    several_levels = manages_managers(user)
    depth = "all" if several_levels and request.GET.get("depth") == "all" else "direct"
    sort = request.GET.get("sort", "person")
    sort = sort if sort in SORTS else "person"

    found = team_for(manager=user, depth=depth)
    categories = {s.category.key: s.category for s in found.skills}
    category = request.GET.get("category", "")
    category = category if category in categories else ""
    skills = [s for s in found.skills if not category or s.category.key == category]

    names = {user.pk: user.name or user.username}
    names.update({g.person.pk: g.person.name or g.person.username for g in found.members})
    rows = []
    for gaps in _sorted(found.members, sort):
        by_skill = {row.loaded_skill.pk: row for row in gaps.rows}
        rows.append(
            {
                "gaps": gaps,
                "url": _report_url(gaps.person.pk),
                "manager": names.get(gaps.person.manager_id or 0, ""),
                "cells": [by_skill.get(skill.pk) for skill in skills],
            }
        )

    def query(**changes: str) -> str:
        params = {"depth": depth, "category": category, "sort": sort} | changes
        # The defaults stay out of the address: /team/ is the direct reports by name.
        defaults = {"depth": "direct", "sort": "person", "category": ""}
        kept = {k: v for k, v in params.items() if v != defaults[k]}
        return "?" + urlencode(kept) if kept else ""

    context: dict[str, Any] = {
        "depth": depth,
        "several_levels": several_levels,
        "org_link": several_levels or user.is_hr,
        "sort": sort,
        "sorts": [
            {"key": key, "label": label, "query": query(sort=key), "current": key == sort}
            for key, label in SORTS.items()
        ],
        "direct_query": query(depth="direct"),
        "all_query": query(depth="all"),
        "category": category,
        "categories": sorted(categories.values(), key=lambda c: (c.order, c.name)),
        "skills": skills,
        "rows": rows,
    }
    return render_region(request, "assessments/team.html", "heatmap", context)


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def _meaning(value: float | None) -> str:
    if value is None:
        return "no ratings to compare yet"
    if value > 0:
        return "reports rate themselves higher than their manager does"
    if value < 0:
        return "reports rate themselves lower than their manager does"
    return "reports and their manager agree on average"


@login_required
@require_GET
def org(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not may_open_org_view(user):
        raise Http404("No org view.")
    calibration: list[dict[str, Any]] = [
        {"row": row, "delta": _signed(row.mean_delta), "meaning": _meaning(row.mean_delta)}
        for row in calibration_report(user=user)
    ]
    context = {
        "skills": [r for r in skills_report(user=user) if r.expected],
        "teams": team_rollups(user=user),
        "calibration": calibration,
    }
    # Each with its manager from the row: person.manager would cost a query a row.
    divergent = [
        {"manager": row["row"].manager, "d": d} for row in calibration for d in row["row"].divergent
    ]
    # The widest first; a whole company has thousands, and the page shows a readable few.
    divergent.sort(key=lambda x: -abs(x["d"].self_level - x["d"].manager_level))
    context["divergent"] = divergent[:DIVERGENT_SHOWN]
    context["divergent_total"] = len(divergent)
    return render_region(request, "assessments/org.html", None, context)


DIVERGENT_SHOWN = 50

urlpatterns = [
    path("team/", team, name="team"),
    path("team/org/", org, name="team_org"),
]
