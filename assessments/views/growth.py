"""Growth plan: focus skills with target levels, actions with due dates, a status.
Every form works as a plain post; with htmx, the plan swaps in place."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from assessments.gaps import gaps_for
from assessments.models import Action, FocusSkill, GrowthPlan
from assessments.selectors import growth_focus_for, growth_plan_for
from assessments.services import (
    action_add,
    action_add_once,
    action_set_done,
    focus_skill_add,
    focus_skill_remove,
    focus_skill_save,
    growth_plan_set_status,
)
from assessments.templatetags.careermap import bullets
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.models import Person
from skills.models import Scale, Skill


def _render(request: AuthedHttpRequest, person: Person, errors: dict | None = None) -> HttpResponse:
    context = {
        "person": person,
        "view": growth_plan_for(person=person),
        "scale": Scale.current(),
        "skills": Skill.objects.active().select_related("category"),
        "statuses": GrowthPlan.Status.choices,
        "errors": errors or {},
    }
    return render_region(request, "assessments/growth.html", "plan", context)


@login_required
@require_GET
def growth_plan(request: AuthedHttpRequest) -> HttpResponse:
    return _render(request, _me(request))


def _me(request: AuthedHttpRequest) -> Person:
    return Person.objects.select_related("role", "target_role").get(pk=request.user.pk)


def _write(request: AuthedHttpRequest, write: Callable[[], object], done: str) -> HttpResponse:
    """Run a service write; answer with the plan (htmx) or a redirect (plain post)."""
    try:
        write()
    except ValidationError as exc:
        errors = exc.message_dict
        if wants_region(request):
            # The plan swaps in with the error beside its field (core.htmx).
            return _render(request, _me(request), errors)
        for messages_ in errors.values():
            for message in messages_:
                messages.error(request, message)
        return redirect("assessments:growth_plan")
    if wants_region(request):
        return _render(request, _me(request))
    messages.success(request, done)
    return redirect("assessments:growth_plan")


@login_required
@require_POST
def set_status(request: AuthedHttpRequest) -> HttpResponse:
    return _write(
        request,
        lambda: growth_plan_set_status(
            by=request.user, person=request.user, status=request.POST.get("status", "")
        ),
        "Status saved.",
    )


@login_required
@require_POST
def add_focus(request: AuthedHttpRequest) -> HttpResponse:
    return _write(
        request,
        lambda: focus_skill_add(
            by=request.user,
            person=request.user,
            skill_key=request.POST.get("skill", ""),
            target_level=request.POST.get("target_level", ""),
        ),
        "Focus skill saved.",
    )


def _own_focus(request: AuthedHttpRequest, pk: int) -> FocusSkill:
    # Someone else's plan answers 404, like anything a user may not see.
    return get_object_or_404(
        FocusSkill.objects.select_related("plan__person"), pk=pk, plan__person=request.user
    )


@login_required
@require_POST
def remove_focus(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    focus = _own_focus(request, pk)
    return _write(request, lambda: focus_skill_remove(by=request.user, focus=focus), "Removed.")


@login_required
@require_POST
def add_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    focus = _own_focus(request, pk)
    return _write(
        request,
        lambda: action_add(
            by=request.user,
            focus=focus,
            text=request.POST.get("text", ""),
            due_date=request.POST.get("due_date", ""),
        ),
        "Action added.",
    )


@login_required
@require_POST
def toggle_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.select_related("focus__plan__person"),
        pk=pk,
        focus__plan__person=request.user,
    )
    done = request.POST.get("done") == "1"
    return _write(
        request,
        lambda: action_set_done(by=request.user, action=action, done=done),
        "Action marked done." if done else "Action marked not done.",
    )


# --- From My map: "Add to my growth plan" -----------------------------------------------


@login_required
@require_POST
def add_from_map(request: AuthedHttpRequest) -> HttpResponse:
    """A gap card's "Add to my growth plan": the skill becomes a focus skill, its target
    the level the person's gap role expects (a focus skill already keeps the target it
    has); from one of the skill's ways to grow, that way also becomes an action (unless
    the focus skill has it already). All or nothing; back to My map, saying what
    happened or what was wrong (naming the field)."""
    person = _me(request)
    key, way = request.POST.get("skill", ""), request.POST.get("way", "").strip()
    gaps = gaps_for(person=person)
    row = next((r for r in gaps.rows if r.loaded_skill.key == key), None)
    error = ""
    if row is None:
        role = gaps.role.name if gaps.role else "no role yet"
        error = f"Skill: choose a skill your map shows ({role}); “{key[:80]}” is not one."
    elif "way" in request.POST and way not in bullets(row.loaded_skill.how_to_grow):
        error = f"Way to grow: choose one of the ways to grow listed for {row.loaded_skill.name}."
    if row is None or error:
        messages.error(request, error)
        return redirect("assessments:my_map")
    skill = row.loaded_skill
    _, focused = growth_focus_for(person=person)
    found = next((f for f in focused if f.focus.skill_id == skill.pk), None)
    try:
        with transaction.atomic():
            if found is None:
                focus, _ = focus_skill_save(
                    by=request.user, person=person, skill_key=skill.key, target_level=row.expected
                )
            else:
                focus = found.focus
            added_way = bool(way) and action_add_once(by=request.user, focus=focus, text=way)[1]
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            name = {"text": "Way to grow", "target_level": "Target level"}.get(field, field)
            messages.error(request, f"{name.capitalize()}: {' '.join(problems)}")
        return redirect("assessments:my_map")
    if way and added_way:
        done = format_html("Added “{}” to {} in your growth plan.", way, skill.name)
    elif way:
        done = format_html("“{}” is already an action of {}: nothing changed.", way, skill.name)
    elif found is None:
        done = format_html(
            "{} is now a focus skill of your growth plan, target level {}.",
            skill.name,
            focus.target_level,
        )
    else:
        done = format_html("{} is already in your growth plan: nothing changed.", skill.name)
    plan = reverse("assessments:growth_plan")
    messages.success(request, done + format_html(' <a href="{}">Open your growth plan</a>', plan))
    return redirect("assessments:my_map")


urlpatterns = [
    path("growth/", growth_plan, name="growth_plan"),
    path("growth/from-map/", add_from_map, name="growth_from_map"),
    path("growth/status/", set_status, name="growth_status"),
    path("growth/focus/", add_focus, name="growth_add_focus"),
    path("growth/focus/<int:pk>/remove/", remove_focus, name="growth_remove_focus"),
    path("growth/focus/<int:pk>/actions/", add_action, name="growth_add_action"),
    path("growth/actions/<int:pk>/", toggle_action, name="growth_toggle_action"),
]
