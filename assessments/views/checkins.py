"""1:1 check-ins: a report's check-ins and a new one (managers, from the report's page),
and a check-in's page for the person and their managers (HR read it). Every form
works as a plain post; with htmx, the check-in swaps in place. Rules:
assessments.checkins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from assessments.checkins import (
    NewAction,
    checkin_create,
    checkin_detail,
    checkin_update,
    checkins_of,
    focus_choices,
    get_checkin_or_404,
    next_date_of,
)
from assessments.feedback import site_today
from assessments.models import AgendaItem, CheckIn
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.visibility import get_report_or_404

# --- A report's check-ins -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_checkins(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The report's check-ins, newest first, and the form for a new one."""
    person = get_report_or_404(request.user, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            made = checkin_create(
                by=request.user,
                person=person,
                date=request.POST.get("date", ""),
                next_date=request.POST.get("next_date", "") or None,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied as exc:  # an inactive report: the form says why
            errors = {"date": [str(exc)]}
        else:
            messages.success(request, "Check-in made: its agenda is ready.")
            return redirect("assessments:checkin", made.pk)
    history = checkins_of(person)
    context = {
        "person": person,
        "checkins": history,
        "next_checkin": next_date_of(history),
        "errors": errors,
        "form": {
            "date": request.POST.get("date", site_today().isoformat()),
            "next_date": request.POST.get("next_date", ""),
        },
    }
    return render_region(request, "assessments/checkin_list.html", "new-checkin", context)


@login_required
@require_http_methods(["GET"])
def my_checkins(request: AuthedHttpRequest) -> HttpResponse:
    """The person's own check-ins, all of them (My map lists the latest)."""
    history = checkins_of(request.user)
    context = {"checkins": history, "next_checkin": next_date_of(history)}
    return render_region(request, "assessments/checkin_mine.html", None, context)


# --- A check-in --------------------------------------------------------------------------


def _links(request: AuthedHttpRequest, checkin: CheckIn, party: bool) -> dict[str, str]:
    """Where each kind of generated agenda item is looked at more closely, for this
    viewer: the person's own pages, or the report's pages for a manager; none for HR
    readers (the report's pages are for managers)."""
    if not party:
        return {}
    if request.user.pk == checkin.person_id:
        growth, map_ = reverse("assessments:growth_plan"), reverse("assessments:my_map")
        evidence = reverse("assessments:evidence")
        feedback = reverse("assessments:feedback_mine")
    else:
        growth = map_ = reverse("assessments:report", args=[checkin.person_id])
        evidence = reverse("assessments:report_evidence", args=[checkin.person_id])
        feedback = reverse("assessments:feedback_about", args=[checkin.person_id])
    return {
        AgendaItem.Kind.FOCUS: growth,
        AgendaItem.Kind.ACTION: growth,
        AgendaItem.Kind.STALE: map_,
        AgendaItem.Kind.DIVERGENCE: map_,
        AgendaItem.Kind.EVIDENCE: evidence,
        AgendaItem.Kind.FEEDBACK: feedback,
    }


def _context(request: AuthedHttpRequest, checkin: CheckIn, errors: dict | None = None) -> dict:
    party: bool = checkin.party  # type: ignore[attr-defined]
    detail = checkin_detail(checkin, request.user, party=party)
    links = _links(request, checkin, party)
    for item in detail["agenda"]:
        item.href = links.get(item.kind, "")
    return {
        **detail,
        "person": checkin.person,
        "party": party,
        "is_person": request.user.pk == checkin.person_id,
        "agenda_open": party and site_today() <= checkin.date,
        "focus": focus_choices(checkin.person) if party else [],
        "errors": errors or {},
    }


def _render(request: AuthedHttpRequest, checkin: CheckIn, errors: dict | None = None) -> Any:
    return render_region(
        request, "assessments/checkin.html", "checkin", _context(request, checkin, errors)
    )


@login_required
@require_http_methods(["GET"])
def checkin_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _render(request, get_checkin_or_404(request.user, pk))


def _write(
    request: AuthedHttpRequest, pk: int, write: Callable[[CheckIn], object], done: str
) -> HttpResponse:
    """Run a write as a party of the check-in; answer with the check-in (htmx) or a
    redirect (plain post). A reader (HR) gets 404 here: nothing to post."""
    checkin = get_checkin_or_404(request.user, pk)
    if not checkin.party:  # type: ignore[attr-defined]
        raise Http404("No such check-in.")
    try:
        write(checkin)
    except ValidationError as exc:
        errors = exc.message_dict
        if wants_region(request):
            return _render(request, get_checkin_or_404(request.user, pk), errors)
        for problems in errors.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("assessments:checkin", pk)
    if wants_region(request):
        return _render(request, get_checkin_or_404(request.user, pk))
    messages.success(request, done)
    return redirect("assessments:checkin", pk)


@login_required
@require_POST
def add_agenda(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, add_agenda=[text]),
        "Added to the agenda.",
    )


@login_required
@require_POST
def save_notes(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notes = request.POST.get("notes", "")
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, notes=notes),
        "Shared notes saved.",
    )


@login_required
@require_POST
def save_next(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    next_date = request.POST.get("next_date", "") or None
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, next_date=next_date),
        "Next check-in date saved.",
    )


@login_required
@require_POST
def save_private(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("private_notes", "")
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, private_notes=text),
        "Your private note is saved.",
    )


@login_required
@require_POST
def add_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    new = NewAction(
        text=request.POST.get("text", ""),
        due_date=request.POST.get("due_date", "") or None,
        focus_skill=request.POST.get("focus_skill", "") or None,
    )
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, add_actions=[new]),
        "Action added.",
    )


@login_required
@require_POST
def toggle_action(request: AuthedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    done = request.POST.get("done") == "1"
    return _write(
        request,
        pk,
        lambda c: checkin_update(by=request.user, checkin=c, done_actions={action_pk: done}),
        "Action marked done." if done else "Action marked not done.",
    )


urlpatterns = [
    path("team/<int:pk>/checkins/", report_checkins, name="report_checkins"),
    path("map/checkins/", my_checkins, name="my_checkins"),
    path("checkins/<int:pk>/", checkin_page, name="checkin"),
    path("checkins/<int:pk>/agenda/", add_agenda, name="checkin_agenda"),
    path("checkins/<int:pk>/notes/", save_notes, name="checkin_notes"),
    path("checkins/<int:pk>/next/", save_next, name="checkin_next"),
    path("checkins/<int:pk>/private/", save_private, name="checkin_private"),
    path("checkins/<int:pk>/actions/", add_action, name="checkin_add_action"),
    path("checkins/<int:pk>/actions/<int:action_pk>/", toggle_action, name="checkin_toggle_action"),
]
