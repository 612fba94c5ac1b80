"""Career paths: the skills map (roles by track and level, the transitions between
them, readiness for each), the roles closest to reach first, and the gaps against a
chosen role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from assessments.charts import role_map
from assessments.gaps import Gaps, gaps_for, paths_for
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.models import Person
from skills.models import Role
from skills.selectors import role_transitions


def _chosen_role(key: str) -> Role:
    role = Role.objects.active().filter(key=key).first()
    if role is None:
        raise Http404("No such role.")
    return role


def paths_page(request: AuthedHttpRequest, person: Person) -> HttpResponse:
    """The page for `person` (the viewer decides who that may be). With htmx and
    `?role=`, only the gaps against that role."""
    key = request.GET.get("role", "")
    if wants_region(request) and key:
        chosen_gaps = gaps_for(person=person, role=_chosen_role(key))
        region = {"chosen": chosen_gaps}
        return render_region(request, "assessments/paths.html", "role-gaps", region)

    paths = paths_for(person=person)
    current = person.role if person.role is not None and not person.role.retired else None
    # paths_for leaves the current role out; its box and its gaps need them too.
    gaps: dict[int, Gaps] = {p.role.pk: p.gaps for p in paths}
    if current is not None:
        gaps[current.pk] = gaps_for(person=person, role=current)
    roles = [p.role for p in paths] + ([current] if current else [])
    transitions = role_transitions()
    names = {role.pk: role.name for role in roles}
    next_names: dict[int, list[str]] = {}
    for source, target in transitions:
        if source in names and target in names:
            next_names.setdefault(source, []).append(names[target])

    chosen = None
    if key:
        chosen = next((g for g in gaps.values() if g.role and g.role.key == key), None)
        if chosen is None:
            raise Http404("No such role.")
    context: dict[str, Any] = {
        "person": person,
        "current": current,
        "current_gaps": gaps.get(current.pk) if current else None,
        "current_next": sorted(next_names.get(current.pk, [])) if current else [],
        # A retired target is on neither the map nor the list.
        "target": next((p.role for p in paths if p.role.pk == person.target_role_id), None),
        "rows": [{"path": p, "next": sorted(next_names.get(p.role.pk, []))} for p in paths],
        "map": role_map(
            roles,
            # Before any rating, no percentage: "not assessed" (None).
            {pk: g.readiness if g.assessed or not g.rows else None for pk, g in gaps.items()},
            transitions,
            current_id=person.role_id,
            target_id=person.target_role_id,
        ),
        "chosen": chosen,
    }
    return render_region(request, "assessments/paths.html", None, context)


@login_required
@require_GET
def paths(request: AuthedHttpRequest) -> HttpResponse:
    return paths_page(request, request.user)


urlpatterns = [
    path("paths/", paths, name="paths"),
]
