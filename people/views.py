"""HR pages for people: the list (search, filters, pages), editing a person (role,
manager, HR flag, deactivation) and the CSV import. Anyone but an HR admin gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import hr_required
from core.audit import audit_actions, audit_events
from core.htmx import render_region
from core.types import AuthedHttpRequest
from people.forms import InviteForm, PeopleFilter, PeopleImportForm, PersonEditForm
from people.invitations import INVITABLE, people_invite
from people.models import Person
from people.services import (
    PEOPLE_CSV_COLUMNS,
    people_import,
    person_deactivate,
    person_reactivate,
    person_update,
    role_history,
)
from skills.models import Role

PER_PAGE = 25


def _editable_or_404(request: AuthedHttpRequest, pk: int) -> Person:
    person = Person.objects.select_related("role", "manager").filter(pk=pk).first()
    # Superusers are kept by superusers (the admin's rule): for HR they have no edit page.
    if person is None or (person.is_superuser and not request.user.is_superuser):
        raise Http404("No such person.")
    return person


@hr_required
@require_GET
def people(request: AuthedHttpRequest) -> HttpResponse:
    found = PeopleFilter(
        request.GET or None,
        queryset=Person.objects.select_related("role", "manager").order_by(
            "name", "username", "pk"
        ),
    )
    page = Paginator(found.qs, PER_PAGE).get_page(request.GET.get("page"))
    invitable = found.qs.filter(INVITABLE).aggregate(
        count=Count("pk"), again=Count("pk", filter=Q(invited_at__isnull=False))
    )
    context = {"filter": found, "page": page, "invitable": invitable}
    return render_region(request, "people/people.html", "results", context)


def _render_edit(
    request: AuthedHttpRequest, person: Person, form: PersonEditForm, **extra: Any
) -> HttpResponse:
    context = {"person": person, "form": form, "role_history": role_history(person), **extra}
    return render_region(request, "people/person_edit.html", None, context)


@hr_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = _editable_or_404(request, pk)
    if request.method == "GET":
        return _render_edit(request, person, PersonEditForm(person=person))
    form = PersonEditForm(request.POST, person=person)
    if form.is_valid():
        # Only what changed: a role retired since it was given is kept, not refused.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            person_update(by=request.user, person=person, **changes)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404("No such person.") from None
        else:
            messages.success(request, f"Saved {person}.")
            return redirect("people:person_edit", pk=person.pk)
    return _render_edit(request, person, form)


def _set_active(request: AuthedHttpRequest, pk: int, write: Callable[..., Person], done: str):
    person = _editable_or_404(request, pk)
    try:
        write(by=request.user, person=person)
    except ValidationError as exc:
        return _render_edit(
            request,
            person,
            PersonEditForm(person=person),
            active_errors=exc.message_dict.get("is_active", exc.messages),
        )
    except PermissionDenied:
        raise Http404("No such person.") from None
    messages.success(request, done.format(person=person))
    return redirect("people:person_edit", pk=person.pk)


@hr_required
@require_POST
def deactivate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request, pk, person_deactivate, "{person} is deactivated: they can no longer log in."
    )


@hr_required
@require_POST
def reactivate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, person_reactivate, "{person} is active again.")


@hr_required
@require_http_methods(["GET", "POST"])
def import_people(request: AuthedHttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = PeopleImportForm(request.POST, request.FILES) if posted else PeopleImportForm()
    context: dict[str, Any] = {
        "form": form,
        "columns": ",".join(PEOPLE_CSV_COLUMNS),
        "roles": Role.objects.active().order_by("track", "level", "name"),
    }
    if posted and form.is_valid():
        dry_run = request.POST.get("dry_run") == "1"
        try:
            # Importing the same file again changes nothing: a reload is harmless, so the
            # result is shown here rather than behind a redirect.
            context["result"] = people_import(
                by=request.user, data=form.cleaned_data["file"].read(), dry_run=dry_run
            )
        except ValidationError as exc:
            context["problems"] = exc.message_dict.get("file", exc.messages)
            context["dry_run"] = dry_run
    return render_region(request, "people/people_import.html", None, context)


@hr_required
@require_GET
def import_template(request: AuthedHttpRequest) -> HttpResponse:
    """A CSV to fill in: the header, and two example lines with this framework's roles."""
    roles = list(Role.objects.active().order_by("track", "level", "name")[:2])
    manager_role = roles[-1].key if roles else ""
    report_role = roles[0].key if roles else ""
    lines = [
        ",".join(PEOPLE_CSV_COLUMNS),
        f"ada,Ada Lovelace,ada@example.com,{manager_role},",
        f"alan,Alan Turing,alan@example.com,{report_role},ada",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-template.csv"'
    return response


def _names(people: list[Person]) -> str:
    return ", ".join(str(p) for p in people)


@hr_required
@require_POST
def invite(request: AuthedHttpRequest) -> HttpResponse:
    """Send invitations: to the people named, or to everyone the list's filters find who
    never logged in (`found`, the filters in the query string). Back where HR came from."""
    form = InviteForm(request.POST, filters=request.GET)
    # A path on this site, or the list: redirect() would take a bare word for a URL
    # pattern's name (a NoReverseMatch, a 500, for "²").
    back = request.POST.get("next", "")
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = reverse("people:people")
    if not form.is_valid():
        for problems in form.errors.values():
            messages.error(request, " ".join(str(problem) for problem in problems))
        return HttpResponseRedirect(back)
    try:
        found = people_invite(
            by=request.user,
            people=form.cleaned_data["people"],
            site=request.build_absolute_uri("/"),
        )
    except PermissionDenied:
        raise Http404("No such person.") from None
    if found.sent:
        messages.success(
            request,
            f"Invitations are on their way to {len(found.sent)} "
            f"{'person' if len(found.sent) == 1 else 'people'}: {_names(found.sent)}. "
            "Each link lets them choose a password, once, within a week.",
        )
    elif not (found.no_email or found.inactive):
        messages.info(request, "Nobody to invite: everyone found has logged in already.")
    if found.no_email:
        messages.warning(
            request, f"Not invited, no email address: {_names(found.no_email)}. Add one first."
        )
    if found.inactive:
        messages.warning(request, f"Not invited, deactivated: {_names(found.inactive)}.")
    return HttpResponseRedirect(back)


# The audit trail: not in the main navigation; the reports page links it.
AUDIT_PER_PAGE = 50


@hr_required
@require_GET
def audit(request: AuthedHttpRequest) -> HttpResponse:
    actions = audit_actions()
    action = request.GET.get("action", "")
    if action not in dict(actions):
        action = ""
    page = Paginator(audit_events(action=action), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "actions": actions, "action": action}
    return render_region(request, "people/audit.html", None, context)
