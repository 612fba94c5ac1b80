"""Review cycles' pages (rules: assessments.cycles).

- /cycles/: the cycles (HR: all, with "New cycle"; a manager: the open and closed ones
  with someone of their subtree in them);
- /cycles/new/ and /cycles/<id>/edit/: HR's form (an open cycle's people are fixed: its
  name, dates and reminder days change);
- /cycles/<id>/: progress per step and per manager, the overdue list, the CSV, and
  HR's open and close buttons (plain posts; with htmx, the page's main region swaps);
- /cycles/<id>/progress.csv.

Anyone who may not open a page gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.cycles import (
    DEFAULT_REMINDER_DAYS,
    STATE_NAMES,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_progress,
    cycle_update,
    cycles_visible_to,
    get_cycle_or_404,
    people_in_scope,
    progress_csv,
    site_today,
    values_of,
)
from assessments.models import Cycle
from core.access import hr_required
from core.errors import Conflict
from core.htmx import render_region, wants_region
from core.numbers import ascii_int
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import is_manager
from skills.models import Role

# --- The list ----------------------------------------------------------------------------


@login_required
@require_GET
def cycles(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_hr or is_manager(user)):
        raise Http404("No such page.")
    found = (
        cycles_visible_to(user)
        .annotate(people=Count("participants"))
        .order_by("-created_at", "-id")
    )
    return render_region(request, "assessments/cycles.html", None, {"cycles": list(found)})


# --- The form ----------------------------------------------------------------------------


def _reminder_days(raw: str) -> Any:
    """ "7, 1" as [7, 1]; anything else as typed, for the service to name."""
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    numbers = [ascii_int(p) for p in parts]
    return raw if any(n is None for n in numbers) else numbers


def _posted(data: QueryDict) -> dict[str, Any]:
    managers = [ascii_int(v) for v in data.getlist("managers")]
    return {
        "name": data.get("name", ""),
        "scope": data.get("scope", Cycle.Scope.EVERYONE),
        "roles": data.getlist("roles"),
        "managers": [m for m in managers if m is not None],
        "self_due": data.get("self_due", ""),
        "feedback_due": data.get("feedback_due", ""),
        "manager_due": data.get("manager_due", ""),
        "reminder_days": _reminder_days(data.get("reminder_days", "")),
    }


def _form(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the form's inputs show them."""
    days = values["reminder_days"]
    return {
        **values,
        "self_due": str(values["self_due"] or ""),
        "feedback_due": str(values["feedback_due"] or ""),
        "manager_due": str(values["manager_due"] or ""),
        "reminder_days": ", ".join(str(n) for n in days) if isinstance(days, list) else days,
    }


@hr_required
@require_http_methods(["GET", "POST"])
def cycle_form(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    cycle = None if pk is None else get_cycle_or_404(request.user, pk)
    if cycle is not None and cycle.status == Cycle.Status.CLOSED:
        raise Http404("A closed cycle does not change.")
    people_fixed = cycle is not None and cycle.status == Cycle.Status.OPEN
    errors: dict[str, list[str]] = {}
    general = ""
    if request.method == "POST":
        values = _posted(request.POST)
        if cycle is not None and people_fixed:
            values = {k: v for k, v in values.items() if k not in ("scope", "roles", "managers")}
        try:
            if cycle is None:
                saved = cycle_create(by=request.user, values=values)
            else:
                saved = cycle_update(by=request.user, cycle=cycle, changes=values)
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            general = str(exc)
        except PermissionDenied:
            raise Http404("No such page.") from None
        else:
            messages.success(request, f"Saved the review cycle “{saved.name}”.")
            return redirect("assessments:cycle", pk=saved.pk)
        shown = {**(values_of(cycle) if cycle else {}), **values}
        form = _form({**_blank(), **shown})
    else:
        form = _form(values_of(cycle) if cycle is not None else _blank())
    context = {
        "cycle": cycle,
        "people_fixed": people_fixed,
        "form": form,
        "errors": errors,
        "general": general,
        "scopes": Cycle.Scope.choices,
        "roles": Role.objects.filter(retired=False).order_by("name"),
        "managers": Person.objects.filter(is_active=True, reports__isnull=False)
        .distinct()
        .order_by("name", "username"),
        "today": site_today().isoformat(),
        "action": reverse("assessments:cycle_new")
        if cycle is None
        else reverse("assessments:cycle_edit", args=[cycle.pk]),
    }
    return render_region(request, "assessments/cycle_form.html", None, context)


def _blank() -> dict[str, Any]:
    return {
        "name": "",
        "scope": Cycle.Scope.EVERYONE,
        "roles": [],
        "managers": [],
        "self_due": "",
        "feedback_due": "",
        "manager_due": "",
        "reminder_days": list(DEFAULT_REMINDER_DAYS),
    }


# --- One cycle ---------------------------------------------------------------------------


def _detail(request: AuthedHttpRequest, cycle: Cycle, *, error: str = "", done: str = "") -> Any:
    cycle = (
        Cycle.objects.prefetch_related("scope_roles", "scope_managers").get(pk=cycle.pk)
        if request.user.is_hr
        else cycle
    )
    progress = cycle_progress(cycle=cycle, viewer=request.user)
    context = {
        "cycle": cycle,
        "hr": request.user.is_hr,
        "progress": progress,
        "state_names": STATE_NAMES,
        "in_scope": people_in_scope(cycle).count() if cycle.status == Cycle.Status.DRAFT else None,
        "error": error,
        "done": done,
    }
    return render_region(request, "assessments/cycle.html", "cycle-main", context)


@login_required
@require_GET
def cycle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_cycle_or_404(request.user, pk))


def _change(request: AuthedHttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    found = get_cycle_or_404(request.user, pk)
    try:
        write(by=request.user, cycle=found)
    except (Conflict, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if wants_region(request):
            return _detail(request, found, error=text)
        messages.error(request, text)
    except PermissionDenied:
        raise Http404("No such page.") from None
    else:
        if wants_region(request):
            return _detail(request, found, done=done.format(name=found.name))
        messages.success(request, done.format(name=found.name))
    return redirect("assessments:cycle", pk=found.pk)


@hr_required
@require_POST
def open_cycle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    done = "Opened “{name}”: everyone in it has their to-dos, and an email is on its way."
    return _change(request, pk, cycle_open, done)


@hr_required
@require_POST
def close_cycle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    done = "Closed “{name}”: its progress is kept as it is now."
    return _change(request, pk, cycle_close, done)


@login_required
@require_GET
def progress_csv_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = get_cycle_or_404(request.user, pk)
    content = progress_csv(cycle_progress(cycle=found, viewer=request.user))
    return HttpResponse(
        content,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="careermap-cycle-{pk}.csv"'},
    )


urlpatterns = [
    path("cycles/", cycles, name="cycles"),
    path("cycles/new/", cycle_form, name="cycle_new"),
    path("cycles/<int:pk>/", cycle, name="cycle"),
    path("cycles/<int:pk>/edit/", cycle_form, name="cycle_edit"),
    path("cycles/<int:pk>/open/", open_cycle, name="cycle_open"),
    path("cycles/<int:pk>/close/", close_cycle, name="cycle_close"),
    path("cycles/<int:pk>/progress.csv", progress_csv_download, name="cycle_csv"),
]
