"""My map: current and target role, readiness, the radar, and the gaps biggest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.text import slugify
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_POST

from assessments.charts import radar
from assessments.checkins import checkins_of, next_date_of
from assessments.export import map_csv, map_export
from assessments.feedback import Aggregate, min_answers, others_for, self_awareness
from assessments.gaps import GapRow, Gaps, gaps_for, with_others
from assessments.selectors import ManagerCitation, manager_citations
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.models import Person
from people.services import person_update
from skills.models import Role, Scale

RECENT_CHECKINS = 5  # your latest 1:1 check-ins, under the map


@dataclass(frozen=True)
class Card:
    """A gap card: the skill's gap row, and the evidence of its latest manager rating."""

    row: GapRow
    citation: ManagerCitation | None

    @property
    def age(self) -> str:
        """How long ago the current level was rated, as the stale badge says it: "3
        months"; empty before any rating."""
        return timesince(self.row.rated_at, depth=1) if self.row.rated_at else ""


def map_context(
    person: Person, gaps: Gaps, scale: Scale, others: dict[int, Aggregate] | None = None
) -> dict[str, Any]:
    """What the `map` partial shows of anyone's map (My map, a report's page): the
    radar and a card per gap row with the manager's evidence, each with others' view
    (`others`: feedback.others_for(person), if the caller read it already), and the
    person's self-awareness. Three queries beyond the gaps and the scale: the
    citations, others' answers (none when given), the self levels."""
    citations = manager_citations(person=person)
    if others is None:
        others = others_for(person)
    with_others(gaps, others)
    return {
        "radar": radar(gaps.rows, scale.maximum),
        "cards": [Card(row, citations.get(row.loaded_skill.pk)) for row in gaps.rows],
        "self_awareness": self_awareness(person, others),
        "min_answers": min_answers(),
    }


def _context(request: AuthedHttpRequest, error: str = "") -> dict:
    person = _me(request)
    gaps = gaps_for(person=person)
    scale = Scale.current()
    return {
        "person": person,
        "gaps": gaps,
        "scale": scale,
        **map_context(person, gaps, scale),
        "roles": Role.objects.active().order_by("track", "level", "name"),
        "target_error": error,
    }


@login_required
@require_GET
def my_map(request: AuthedHttpRequest) -> HttpResponse:
    context = _context(request)
    checkins = checkins_of(context["person"], limit=RECENT_CHECKINS)
    context |= {"checkins": checkins, "next_checkin": next_date_of(checkins)}
    return render_region(request, "assessments/my_map.html", "map", context)


@login_required
@require_POST
def choose_target(request: AuthedHttpRequest) -> HttpResponse:
    """The person chooses the role they aim at: htmx swaps the map in place; without
    htmx the form posts and the page reloads."""
    key = request.POST.get("target_role", "")
    role = Role.objects.active().filter(key=key).first() if key else None
    error = ""
    if key and role is None:
        error = "Choose one of the listed roles."
    else:
        try:
            person_update(by=request.user, person=request.user, target_role=role)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if wants_region(request):
        context = _context(request, error)
        return render_region(request, "assessments/my_map.html", "map", context)
    if error:
        messages.error(request, error)
    return redirect("assessments:my_map")


@login_required
@require_GET
def export_json(request: AuthedHttpRequest) -> HttpResponse:
    data = map_export(person=_me(request))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{_filename(request)}.json"'
    return response


@login_required
@require_GET
def export_csv(request: AuthedHttpRequest) -> HttpResponse:
    response = HttpResponse(map_csv(person=_me(request)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(request)}.csv"'
    return response


def _me(request: AuthedHttpRequest) -> Person:
    return Person.objects.select_related("role", "target_role").get(pk=request.user.pk)


def _filename(request: AuthedHttpRequest) -> str:
    return f"careermap-{slugify(request.user.username) or 'map'}"


urlpatterns = [
    path("map/", my_map, name="my_map"),
    path("map/export.json", export_json, name="my_map_json"),
    path("map/export.csv", export_csv, name="my_map_csv"),
    path("map/target/", choose_target, name="choose_target"),
]
