"""Org reports for HR, the whole company: the per-skill picture and the readiness
pipeline per role, each with a CSV download. Anyone but an HR admin gets 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from assessments.reports import NEARLY_READY, pipeline_csv, readiness_pipeline, skills_csv
from assessments.rollups import SkillReport, skills_report
from core.access import hr_required
from core.htmx import render_region
from core.types import AuthedHttpRequest


def _bar(report: SkillReport) -> list[dict[str, Any]]:
    """The segments of a skill's bar (meeting, below, unassessed) as x and width in
    percent of the people expected: an SVG drawn here, no style attribute needed."""
    segments, x = [], 0.0
    for kind, count in (
        ("meeting", report.meeting),
        ("below", report.below),
        ("unassessed", report.unassessed),
    ):
        width = 100 * count / report.expected if report.expected else 0.0
        if width:
            segments.append({"kind": kind, "x": f"{x:.2f}", "width": f"{width:.2f}"})
        x += width
    return segments


@hr_required
@require_GET
def reports(request: AuthedHttpRequest) -> HttpResponse:
    # By name for reading; the CSV keeps the report's order, by key.
    skills = sorted(skills_report(user=request.user), key=lambda r: (r.skill.name, r.skill.key))
    context = {
        "skills": [{"r": r, "bar": _bar(r)} for r in skills],
        "pipeline": readiness_pipeline(user=request.user),
        "nearly_ready": f"{NEARLY_READY:.0%}",
    }
    return render_region(request, "assessments/reports.html", None, context)


def _csv_response(content: str, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@hr_required
@require_GET
def skills_csv_download(request: AuthedHttpRequest) -> HttpResponse:
    return _csv_response(skills_csv(skills_report(user=request.user)), "careermap-skills.csv")


@hr_required
@require_GET
def pipeline_csv_download(request: AuthedHttpRequest) -> HttpResponse:
    return _csv_response(
        pipeline_csv(readiness_pipeline(user=request.user)), "careermap-pipeline.csv"
    )


urlpatterns = [
    path("reports/", reports, name="reports"),
    path("reports/skills.csv", skills_csv_download, name="reports_skills_csv"),
    path("reports/pipeline.csv", pipeline_csv_download, name="reports_pipeline_csv"),
]
