"""History: the person's submitted assessments over time and, for a chosen skill, its
self and manager levels over time as a line chart."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from assessments.charts import history_chart
from assessments.history import rated_skills, rating_history, submitted_assessments
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.models import Person
from skills.models import Scale


def history_page(request: AuthedHttpRequest, person: Person) -> HttpResponse:
    """The history of `person` (the caller decides who may see it). `?skill=<key>`
    chooses the skill (default: the first rated one); with htmx, only the chart."""
    skills = rated_skills(person=person)
    key = request.GET.get("skill", "")
    skill = next((s for s in skills if s.key == key), None) if key else None
    if key and skill is None:
        raise Http404("No ratings of this skill.")
    skill = skill or (skills[0] if skills else None)
    scale = Scale.current()
    history = rating_history(person=person, skill=skill) if skill else None
    context: dict[str, Any] = {
        "person": person,
        "skill": skill,
        "scale": scale,
        "history": history,
        "chart": history_chart(history, scale) if history else None,
    }
    if wants_region(request):
        return render_region(request, "assessments/history.html", "skill-chart", context)
    context |= {
        "skills": skills,
        "assessments": list(submitted_assessments(person=person)),
    }
    return render_region(request, "assessments/history.html", None, context)


@login_required
@require_GET
def history(request: AuthedHttpRequest) -> HttpResponse:
    return history_page(request, request.user)


urlpatterns = [
    path("history/", history, name="history"),
]
