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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from careermap.access import hr_required
from careermap.errors import Conflict
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

GRID = "skills/grid.html"


# --- Overview ---------------------------------------------------------------------------


@hr_required
@require_GET
def framework(request: HttpRequest) -> HttpResponse:
    return render(request, "skills/framework.html", {"overview": framework_overview()})


# --- Categories, skills, roles ------------------------------------------------------------


def _save(request: HttpRequest, form: Any, write: Callable[[], Any], done: str) -> bool:
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
def category_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
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
            return redirect("framework")
    return render(request, "skills/category_form.html", {"form": form, "category": category})


def _skill_or_404(key: str) -> Skill:
    return get_object_or_404(Skill.objects.select_related("category"), key=key)


@hr_required
@require_http_methods(["GET", "POST"])
def skill_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
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
            return redirect("skill_edit", saving)
    return render(request, "skills/skill_form.html", {"form": form, "skill": skill})


@hr_required
@require_POST
def skill_retire(request: HttpRequest, key: str, retired: bool) -> HttpResponse:
    skill = _skill_or_404(key)
    skill_set_retired(by=request.user, skill=skill, retired=retired)
    verb = "retired: it is hidden from new work" if retired else "restored"
    messages.success(request, f"Skill {skill.name} {verb}.")
    return redirect("skill_edit", skill.key)


def _role_or_404(key: str) -> Role:
    return get_object_or_404(Role.objects.prefetch_related("next_roles"), key=key)


@hr_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
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
            return redirect("role_edit", saving)
    return render(request, "skills/role_form.html", {"form": form, "role": role})


@hr_required
@require_POST
def role_retire(request: HttpRequest, key: str, retired: bool) -> HttpResponse:
    role = _role_or_404(key)
    role_set_retired(by=request.user, role=role, retired=retired)
    verb = "retired: it is hidden from new work" if retired else "restored"
    messages.success(request, f"Role {role.name} {verb}.")
    return redirect("role_edit", role.key)


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
def role_changes(request: HttpRequest, key: str) -> HttpResponse:
    role = get_object_or_404(Role, key=key)
    context = {
        "subject": role,
        "kind": "role",
        "changes": _readable(role_history(role)),
        "edit_url": reverse("role_edit", args=[role.key]),
    }
    return render(request, "skills/history.html", context)


@hr_required
@require_GET
def skill_changes(request: HttpRequest, key: str) -> HttpResponse:
    skill = get_object_or_404(Skill, key=key)
    context = {
        "subject": skill,
        "kind": "skill",
        "changes": _readable(skill_history(skill)),
        "edit_url": reverse("skill_edit", args=[skill.key]),
    }
    return render(request, "skills/history.html", context)


# --- The expectation grid ---------------------------------------------------------------


@hr_required
@require_GET
def grid(request: HttpRequest) -> HttpResponse:
    return render(request, GRID, {"grid": expectation_grid()})


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


def cell_write(request: HttpRequest, role: Role, skill: Skill, form: CellForm) -> Any:
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
@vary_on_headers("HX-Request")
def grid_cell(request: HttpRequest, role: str, skill: str) -> HttpResponse:
    """GET: the cell's editor (in place by htmx, else a page). POST: save the level."""
    found_role, found_skill = active_cell_or_404(role, skill)
    if request.method == "GET":
        template = GRID + "#cell-form" if request.htmx else "skills/cell.html"
        return render(request, template, cell_context(found_role, found_skill))
    form = CellForm(request.POST)
    try:
        cell_write(request, found_role, found_skill, form)()
    except (ValidationError, Conflict) as exc:
        context = cell_context(found_role, found_skill, form=form, error=cell_error(exc))
        # 200, so that htmx swaps the cell in and its error shows inside it.
        return render(request, GRID + "#cell-form" if request.htmx else "skills/cell.html", context)
    if request.htmx:
        return render(request, GRID + "#cell", cell_context(found_role, found_skill))
    messages.success(request, f"{found_role.name}, {found_skill.name}: saved.")
    return redirect(reverse("framework_grid") + f"#cell-{found_role.key}-{found_skill.key}")


@hr_required
@require_GET
def grid_cell_show(request: HttpRequest, role: str, skill: str) -> HttpResponse:
    """The cell as the grid shows it: Cancel puts it back (plain links go to the grid)."""
    found_role, found_skill = active_cell_or_404(role, skill)
    if not request.htmx:
        return redirect("framework_grid")
    return render(request, GRID + "#cell", cell_context(found_role, found_skill))


urlpatterns = [
    path("framework/", framework, name="framework"),
    path("framework/grid/", grid, name="framework_grid"),
    path("framework/grid/<slug:role>/<slug:skill>/", grid_cell, name="grid_cell"),
    path("framework/grid/<slug:role>/<slug:skill>/show/", grid_cell_show, name="grid_cell_show"),
    path("framework/new/category/", category_edit, name="category_new"),
    path("framework/categories/<slug:key>/", category_edit, name="category_edit"),
    path("framework/new/skill/", skill_edit, name="skill_new"),
    path("framework/skills/<slug:key>/", skill_edit, name="skill_edit"),
    path(
        "framework/skills/<slug:key>/retire/", skill_retire, {"retired": True}, name="skill_retire"
    ),
    path(
        "framework/skills/<slug:key>/restore/",
        skill_retire,
        {"retired": False},
        name="skill_restore",
    ),
    path("framework/skills/<slug:key>/history/", skill_changes, name="skill_history"),
    path("framework/new/role/", role_edit, name="role_new"),
    path("framework/roles/<slug:key>/", role_edit, name="role_edit"),
    path("framework/roles/<slug:key>/retire/", role_retire, {"retired": True}, name="role_retire"),
    path(
        "framework/roles/<slug:key>/restore/", role_retire, {"retired": False}, name="role_restore"
    ),
    path("framework/roles/<slug:key>/history/", role_changes, name="role_history"),
]
