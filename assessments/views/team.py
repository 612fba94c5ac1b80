"""The manager pages: the team heatmap (the viewer's own reports, never anyone else's
team) and the org view for managers of managers and HR."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from assessments.charts import skill_bars
from assessments.feedback import min_answers
from assessments.gaps import Gaps, team_for
from assessments.rollups import (
    CALIBRATION_LEAN,
    CALIBRATION_MIN_REPORTS,
    EVIDENCE_COVERAGE_DAYS,
    OrgChart,
    calibration_report,
    divergent_pairs,
    self_awareness_distribution,
    skills_report,
    team_rollups,
)
from core.htmx import render_region
from core.types import AuthedHttpRequest
from people.visibility import is_manager, manages_managers, may_open_org_view

SORTS = {"person": "Person", "readiness": "Readiness, lowest first"}


def _sorted(members: list[Gaps], sort: str) -> list[Gaps]:
    if sort == "readiness":
        # The least ready first; people without a role to measure against last.
        return sorted(
            members,
            key=lambda g: (g.readiness is None, g.readiness or 0.0, g.person.name.lower()),
        )
    return list(members)  # team_for orders by name


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
    # A 200-person subtree is ~200 rows of ~50 cells, so: plain values in each row (the
    # template's attribute lookups add up), one reverse() for all the report links (~60 us
    # a call), the cells matched by skill key (a field, where .pk is a property).
    report_url = reverse("assessments:report", args=[0]).removesuffix("0/")  # + "<pk>/"
    members = _sorted(found.members, sort)
    if depth == "all":  # grouped by manager (by name), the chosen order within each
        members.sort(key=lambda g: names.get(g.person.manager_id or 0, "").lower())
    rows = []
    for gaps in members:
        person = gaps.person
        by_skill = {row.key: row for row in gaps.rows}
        target = person.target_role
        rows.append(
            {
                "username": person.username,
                "name": names[person.pk],
                "url": f"{report_url}{person.pk}/",
                "role": person.role.name if person.role else "",
                "aiming": target.name if target and target.pk != person.role_id else "",
                "manager": names.get(person.manager_id or 0, ""),
                "gaps": gaps,
                "cells": [by_skill.get(skill.key) for skill in skills],
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


_MEANINGS = {
    "none": "no ratings to compare yet",
    "too few": f"too few to say: fewer than {CALIBRATION_MIN_REPORTS} reports compared",
    "even": f"no clear lean: within {CALIBRATION_LEAN} of a level on average",
    "higher": "reports rate themselves higher than their manager does",
    "lower": "reports rate themselves lower than their manager does",
}


@login_required
@require_GET
def org(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not may_open_org_view(user):
        raise Http404("No org view.")
    chart = OrgChart.load()  # one reading of the org chart for the four reports
    calibration: list[dict[str, Any]] = [
        {"row": row, "delta": _signed(row.mean_delta), "meaning": _MEANINGS[row.direction]}
        for row in calibration_report(user=user, chart=chart)
    ]
    # A pair's manager is the viewer or has a calibration row: their names come from there.
    managers = {c["row"].manager.pk: c["row"].manager for c in calibration} | {user.pk: user}
    skills = sorted(
        (r for r in skills_report(user=user, chart=chart) if r.expected),
        key=lambda r: (r.skill.name.lower(), r.skill.key),
    )
    context = {
        "skills": skills,
        "skill_chart": skill_bars(skills),
        "teams": team_rollups(user=user, chart=chart),
        "calibration": calibration,
        "coverage_days": EVIDENCE_COVERAGE_DAYS,
        # The widest first; a whole company has thousands, and the page shows a readable few.
        "divergent": [
            {"pair": pair, "manager": managers.get(pair.manager_author_id)}
            for pair in divergent_pairs(user=user, chart=chart)[:DIVERGENT_SHOWN]
        ],
        "divergent_total": sum(c["row"].divergent for c in calibration),
        "awareness": self_awareness_distribution(user=user, chart=chart),
        "min_answers": min_answers(),
    }
    return render_region(request, "assessments/org.html", None, context)


DIVERGENT_SHOWN = 50

urlpatterns = [
    path("team/", team, name="team"),
    path("team/org/", org, name="team_org"),
]
