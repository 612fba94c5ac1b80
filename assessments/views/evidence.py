"""The evidence log's pages (rules: assessments.evidence): a person's own at
/map/evidence/, a report's at /team/<id>/evidence/ for those above them. Each shows the
log as a timeline, filtered by skill and kind, with a form to add an item (an
observation when a manager adds it); whoever added an item edits or deletes it, and the
person disputes an observation. Every form works as a plain post; with htmx, the log
swaps in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assessments.evidence import (
    EDITABLE,
    evidence_add,
    evidence_delete,
    evidence_dispute,
    evidence_update,
    may_add,
    visible_evidence,
)
from assessments.models import Evidence
from core.htmx import render_region, wants_region
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import get_report_or_404
from skills.models import Skill

TEMPLATE = "assessments/evidence.html"


def _fields(data: QueryDict) -> dict[str, Any]:
    """The posted form as the service takes it: text fields as given, skills a list."""
    found: dict[str, Any] = {name: data[name] for name in EDITABLE if name in data}
    found["skills"] = data.getlist("skills")
    return found


def _log_url(person: Person, user: Person) -> str:
    if person.pk == user.pk:
        return reverse("assessments:evidence")
    return reverse("assessments:report_evidence", args=[person.pk])


def _edit_url(item: Evidence) -> str:
    """Where its adder edits an item: in their own log, or in their report's."""
    if item.added_by_id == item.person_id:
        return reverse("assessments:evidence_edit", args=[item.pk])
    return reverse("assessments:report_evidence_edit", args=[item.person_id, item.pk])


def _render(
    request: AuthedHttpRequest,
    person: Person,
    *,
    posted: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    editing: Evidence | None = None,
) -> HttpResponse:
    skill_key, kind = request.GET.get("skill", ""), request.GET.get("kind", "")
    skills = list(Skill.objects.active().select_related("category").order_by("name"))
    items = visible_evidence(request.user).filter(person=person)
    if skill_key:
        items = items.filter(skills__key=skill_key)
    if kind in Evidence.Kind.values:
        items = items.filter(kind=kind)
    form = posted if posted is not None else {"skills": [skill_key] if skill_key else []}
    if editing is not None and posted is None:
        form = {
            "title": editing.title,
            "kind": editing.kind,
            "date": editing.date.isoformat(),
            "url": editing.url,
            "description": editing.description,
            "skills": [s.key for s in editing.skills.all()],
        }
    context = {
        "person": person,
        "own": person.pk == request.user.pk,
        "items": list(items.distinct()),
        "skills": skills,
        "kinds": Evidence.Kind.choices,
        "skill_filter": skill_key,
        "kind_filter": kind,
        "may_add": may_add(request.user, person),
        "form": form,
        "errors": errors or {},
        "editing": editing,
        "today": timezone.localdate().isoformat(),
        "log_url": _log_url(person, request.user),
        "form_action": _log_url(person, request.user) if editing is None else _edit_url(editing),
    }
    return render_region(request, TEMPLATE, "log", context)


def _write(
    request: AuthedHttpRequest, person: Person, write: Callable[[], object], done: str, **kw: Any
) -> HttpResponse:
    """Run a service write; on bad input show the form again with each field's error;
    else the log again (htmx) or a redirect to it (plain post)."""
    try:
        write()
    except ValidationError as exc:
        return _render(request, person, errors=exc.message_dict, **kw)
    except PermissionDenied:
        raise Http404("No such evidence.") from None
    if wants_region(request):
        return _render(request, person)
    messages.success(request, done)
    return redirect(_log_url(person, request.user))


def _person(request: AuthedHttpRequest, pk: int | None) -> Person:
    if pk is None:
        return Person.objects.get(pk=request.user.pk)
    return get_report_or_404(request.user, pk)


def _item(request: AuthedHttpRequest, person: Person, item_id: int) -> Evidence:
    item = visible_evidence(request.user).filter(person=person, pk=item_id).first()
    if item is None:
        raise Http404("No such evidence.")
    return item


@login_required
@require_http_methods(["GET", "POST"])
def evidence_log(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """GET: the log; POST: add an item."""
    person = _person(request, pk)
    if request.method == "GET":
        return _render(request, person)
    fields = _fields(request.POST)
    return _write(
        request,
        person,
        lambda: evidence_add(by=request.user, person=person, **fields),
        f"Added “{fields.get('title', '').strip()}” to the evidence log.",
        posted=fields,
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request: AuthedHttpRequest, item_id: int, pk: int | None = None) -> HttpResponse:
    """GET: the log with this item's fields in the form; POST: save them."""
    person = _person(request, pk)
    item = _item(request, person, item_id)
    if item.added_by_id != request.user.pk:
        raise Http404("No such evidence.")
    if request.method == "GET":
        return _render(request, person, editing=item)
    fields = _fields(request.POST)
    return _write(
        request,
        person,
        lambda: evidence_update(by=request.user, item=item, **fields),
        f"Saved “{item.title}”.",
        posted=fields,
        editing=item,
    )


@login_required
@require_POST
def evidence_remove(
    request: AuthedHttpRequest, item_id: int, pk: int | None = None
) -> HttpResponse:
    person = _person(request, pk)
    item = _item(request, person, item_id)
    title = item.title
    return _write(
        request, person, lambda: evidence_delete(by=request.user, item=item), f"Deleted “{title}”."
    )


@login_required
@require_POST
def evidence_dispute_view(request: AuthedHttpRequest, item_id: int) -> HttpResponse:
    """The person disputes an observation (with a comment) or withdraws the dispute."""
    person = _person(request, None)
    item = _item(request, person, item_id)
    disputed = request.POST.get("disputed") == "1"
    return _write(
        request,
        person,
        lambda: evidence_dispute(
            by=request.user,
            item=item,
            disputed=disputed,
            comment=request.POST.get("dispute_comment", ""),
        ),
        "Marked as disputed." if disputed else "Dispute withdrawn.",
    )


urlpatterns = [
    path("map/evidence/", evidence_log, name="evidence"),
    path("map/evidence/<int:item_id>/edit/", evidence_edit, name="evidence_edit"),
    path("map/evidence/<int:item_id>/delete/", evidence_remove, name="evidence_delete"),
    path("map/evidence/<int:item_id>/dispute/", evidence_dispute_view, name="evidence_dispute"),
    path("team/<int:pk>/evidence/", evidence_log, name="report_evidence"),
    path("team/<int:pk>/evidence/<int:item_id>/edit/", evidence_edit, name="report_evidence_edit"),
    path(
        "team/<int:pk>/evidence/<int:item_id>/delete/",
        evidence_remove,
        name="report_evidence_delete",
    ),
]
