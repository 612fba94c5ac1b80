"""Impact preview of one grid cell, before it is saved: whose readiness for the role
would change, and who would become ready or stop being ready. HR only.

It lives on the assessments side because it reads people and ratings; the framework
app never imports assessments. The change runs and is rolled back (assessments.impact).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from assessments.impact import impact_of
from core.access import hr_required
from core.errors import Conflict
from core.htmx import render_region
from core.types import AuthedHttpRequest
from skills.forms import CellForm
from skills.views import active_cell_or_404, cell_context, cell_error, cell_write


@hr_required
@require_POST
def expectation_impact(request: AuthedHttpRequest, role: str, skill: str) -> HttpResponse:
    """htmx: the preview region of the grid. Plain post: the cell's page with it."""
    found_role, found_skill = active_cell_or_404(role, skill)
    form = CellForm(request.POST)
    context = cell_context(found_role, found_skill, form=form)
    try:
        _, impact = impact_of(cell_write(request, found_role, found_skill, form))
    except (ValidationError, Conflict) as exc:
        context["impact_error"] = cell_error(exc)
    else:
        context["impact"] = impact
        context["preview_level"] = form.cleaned_data["level"]
    return render_region(request, "assessments/impact.html", "preview", context)


urlpatterns = [
    path(
        "framework/grid/<slug:role>/<slug:skill>/impact/",
        expectation_impact,
        name="expectation_impact",
    ),
]
