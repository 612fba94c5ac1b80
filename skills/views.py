"""The framework editor, for HR admins: categories, skills, roles, the expectation grid
edited cell by cell, retire and restore, change history. Everyone else gets 404.

Every write goes through skills.services, as an import of one entry would: the same
validation, the same history. Grid cells swap in place with htmx; each has a page of
its own that works without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import hr_required
from core.errors import Conflict
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from skills.forms import CategoryForm, CellForm, RoleForm, SkillForm, add_service_errors
from skills.models import Category, Role, Scale, Skill
from skills.selectors import (
    Change,
    GridCell,
    expectation_grid,
    expectation_level,
    framework_overview,
    role_history,
    skill_history,
)
from skills.services import (
    category_save,
    expectation_set,
    role_save,
    role_set_retired,
    skill_save,
    skill_set_retired,
)

CELL_PAGE = "skills/cell.html"
GRID = "skills/grid.html"


# --- Overview ---------------------------------------------------------------------------


@hr_required
@require_GET
def framework(request: AuthedHttpRequest) -> HttpResponse:
    context = {"overview": framework_overview()}
    return render_region(request, "skills/framework.html", None, context)


# --- Categories, skills, roles ------------------------------------------------------------


def _save(request: AuthedHttpRequest, form: Any, write: Callable[[], Any], done: str) -> bool:
    """Run a service write for a valid form; its field errors go onto the form."""
    try:
        write()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


@hr_required
@require_http_methods(["GET", "POST"])
def category_edit(request: AuthedHttpRequest, key: str | None = None) -> HttpResponse:
    category = get_object_or_404(Category, key=key) if key else None
    form = CategoryForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        saving = category.key if category else form.cleaned_data["key"]
        if _save(
            request,
            form,
            lambda: category_save(
                by=request.user, key=saving, changes=form.changes(), create=category is None
            ),
            f"Category {form.cleaned_data['name']} saved.",
        ):
            return redirect("skills:framework")
    context = {"form": form, "category": category}
    return render_region(request, "skills/category_form.html", None, context)


def _skill_or_404(key: str) -> Skill:
    return get_object_or_404(Skill.objects.select_related("category"), key=key)


@hr_required
@require_http_methods(["GET", "POST"])
def skill_edit(request: AuthedHttpRequest, key: str | None = None) -> HttpResponse:
    skill = _skill_or_404(key) if key else None
    form = SkillForm(request.POST or None, scale=Scale.current(), skill=skill)
    if request.method == "POST" and form.is_valid():
        saving = skill.key if skill else form.cleaned_data["key"]
        if _save(
            request,
            form,
            lambda: skill_save(
                by=request.user, key=saving, changes=form.changes(), create=skill is None
            ),
            f"Skill {form.cleaned_data['name']} saved.",
        ):
            return redirect("skills:skill_edit", saving)
    context = {"form": form, "skill": skill}
    return render_region(request, "skills/skill_form.html", None, context)


@hr_required
@require_POST
def skill_retire(request: AuthedHttpRequest, key: str, retired: bool) -> HttpResponse:
    skill = _skill_or_404(key)
    skill_set_retired(by=request.user, skill=skill, retired=retired)
    verb = "retired: it is hidden from new work" if retired else "restored"
    messages.success(request, f"Skill {skill.name} {verb}.")
    return redirect("skills:skill_edit", skill.key)


def _role_or_404(key: str) -> Role:
    return get_object_or_404(Role.objects.prefetch_related("next_roles"), key=key)


@hr_required
@require_http_methods(["GET", "POST"])
def role_edit(request: AuthedHttpRequest, key: str | None = None) -> HttpResponse:
    role = _role_or_404(key) if key else None
    form = RoleForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        saving = role.key if role else form.cleaned_data["key"]
        if _save(
            request,
            form,
            lambda: role_save(
                by=request.user, key=saving, changes=form.changes(), create=role is None
            ),
            f"Role {form.cleaned_data['name']} saved.",
        ):
            return redirect("skills:role_edit", saving)
    context = {"form": form, "role": role}
    return render_region(request, "skills/role_form.html", None, context)


@hr_required
@require_POST
def role_retire(request: AuthedHttpRequest, key: str, retired: bool) -> HttpResponse:
    role = _role_or_404(key)
    role_set_retired(by=request.user, role=role, retired=retired)
    verb = "retired: it is hidden from new work" if retired else "restored"
    messages.success(request, f"Role {role.name} {verb}.")
    return redirect("skills:role_edit", role.key)


# --- History ----------------------------------------------------------------------------


def _shown(value: Any) -> Any:
    """A history value as people read it: lists as "a, b", booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return value


def _readable(changes: list[Change]) -> list[Change]:
    return [
        Change(
            at=c.at,
            by=c.by,
            changes=[{**i, "old": _shown(i["old"]), "new": _shown(i["new"])} for i in c.changes],
        )
        for c in changes
    ]


@hr_required
@require_GET
def role_changes(request: AuthedHttpRequest, key: str) -> HttpResponse:
    role = get_object_or_404(Role, key=key)
    context = {
        "subject": role,
        "kind": "role",
        "changes": _readable(role_history(role)),
        "edit_url": reverse("skills:role_edit", args=[role.key]),
    }
    return render_region(request, "skills/history.html", None, context)


@hr_required
@require_GET
def skill_changes(request: AuthedHttpRequest, key: str) -> HttpResponse:
    skill = get_object_or_404(Skill, key=key)
    context = {
        "subject": skill,
        "kind": "skill",
        "changes": _readable(skill_history(skill)),
        "edit_url": reverse("skills:skill_edit", args=[skill.key]),
    }
    return render_region(request, "skills/history.html", None, context)


# --- The expectation grid ---------------------------------------------------------------


@hr_required
@require_GET
def grid(request: AuthedHttpRequest) -> HttpResponse:
    return render_region(request, GRID, None, {"grid": expectation_grid()})


def active_cell_or_404(role_key: str, skill_key: str) -> tuple[Role, Skill]:
    """The grid shows active roles and skills only; retired ones have no cell."""
    role = get_object_or_404(Role.objects.active(), key=role_key)
    skill = get_object_or_404(Skill.objects.active().select_related("category"), key=skill_key)
    return role, skill


def cell_context(
    role: Role, skill: Skill, *, form: CellForm | None = None, error: str = ""
) -> dict[str, Any]:
    """What the cell editor needs: the level as stored (or as typed back after an
    error), the level the editor first saw, the scale."""
    stored = expectation_level(role, skill)
    if form is not None:
        value = form.data.get("level", "")
        was = form.data.get("was", "")
    else:
        value = "" if stored is None else str(stored)
        was = value
    return {
        "cell": GridCell(role, skill, stored),
        "value": value,
        "was": was,
        "error": error,
        "scale": Scale.current(),
    }


def cell_error(exc: Exception) -> str:
    """A refused cell write as one sentence for the cell."""
    if isinstance(exc, ValidationError):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return str(exc)


def cell_write(request: AuthedHttpRequest, role: Role, skill: Skill, form: CellForm) -> Any:
    """The write a cell form asks for (the caller catches ValidationError and Conflict)."""
    if not form.is_valid():
        errors = form.errors.get_json_data()
        message = " ".join(e["message"] for field in errors.values() for e in field)
        raise ValidationError({"level": f"Level: {message}"})
    data = form.cleaned_data
    return lambda: expectation_set(
        by=request.user, role=role, skill=skill, level=data["level"], was=data["was"]
    )


@hr_required
@require_http_methods(["GET", "POST"])
def grid_cell(request: AuthedHttpRequest, role: str, skill: str) -> HttpResponse:
    """GET: the cell's editor (in place by htmx, else a page). POST: save the level."""
    found_role, found_skill = active_cell_or_404(role, skill)
    if request.method == "GET":
        context = cell_context(found_role, found_skill)
        return render_region(request, GRID, "cell-form", context, page=CELL_PAGE)
    form = CellForm(request.POST)
    try:
        cell_write(request, found_role, found_skill, form)()
    except (ValidationError, Conflict) as exc:
        context = cell_context(found_role, found_skill, form=form, error=cell_error(exc))
        # The cell swaps in with its error inside it (core.htmx).
        return render_region(request, GRID, "cell-form", context, page=CELL_PAGE)
    if wants_region(request):
        context = cell_context(found_role, found_skill)
        level = context["cell"].level
        shown = "none" if level is None else level
        context["announce"] = f"Saved: {found_role.name}, {found_skill.name}, {shown}"
        return render_region(request, GRID, "cell", context)
    messages.success(request, f"{found_role.name}, {found_skill.name}: saved.")
    return redirect(reverse("skills:framework_grid") + f"#cell-{found_role.key}-{found_skill.key}")


@hr_required
@require_GET
def grid_cell_show(request: AuthedHttpRequest, role: str, skill: str) -> HttpResponse:
    """The cell as the grid shows it: Cancel puts it back (plain links go to the grid)."""
    found_role, found_skill = active_cell_or_404(role, skill)
    if not wants_region(request):
        return redirect("skills:framework_grid")
    context = cell_context(found_role, found_skill) | {"announce": "Cancelled"}
    return render_region(request, GRID, "cell", context)
