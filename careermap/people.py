"""HR pages for people: the list (search, filters, pages), editing a person (role,
manager, HR flag, deactivation) and the CSV import. Anyone but an HR admin gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from careermap.access import hr_required
from careermap.forms import PeopleFilter, PeopleImportForm, PersonEditForm
from careermap.models import Person
from careermap.services import (
    PEOPLE_CSV_COLUMNS,
    people_import,
    person_deactivate,
    person_reactivate,
    person_update,
)

PER_PAGE = 25


def _editable_or_404(request: HttpRequest, pk: int) -> Person:
    person = Person.objects.select_related("role", "manager").filter(pk=pk).first()
    # Superusers are kept by superusers (the admin's rule): for HR they have no edit page.
    if person is None or (person.is_superuser and not request.user.is_superuser):
        raise Http404("No such person.")
    return person


@hr_required
@require_GET
@vary_on_headers("HX-Request")
def people(request: HttpRequest) -> HttpResponse:
    found = PeopleFilter(
        request.GET or None,
        queryset=Person.objects.select_related("role", "manager").order_by(
            "name", "username", "pk"
        ),
    )
    page = Paginator(found.qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": found, "page": page}
    template = "careermap/people.html" + ("#results" if request.htmx else "")
    return render(request, template, context)


def _render_edit(request: HttpRequest, person: Person, form: PersonEditForm, **extra: Any):
    return render(request, "careermap/person_edit.html", {"person": person, "form": form, **extra})


@hr_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
            return redirect("person_edit", pk=person.pk)
    return _render_edit(request, person, form)


def _set_active(request: HttpRequest, pk: int, write: Callable[..., Person], done: str):
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
    return redirect("person_edit", pk=person.pk)


@hr_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(
        request, pk, person_deactivate, "{person} is deactivated: they can no longer log in."
    )


@hr_required
@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, person_reactivate, "{person} is active again.")


@hr_required
@require_http_methods(["GET", "POST"])
def import_people(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = PeopleImportForm(request.POST, request.FILES) if posted else PeopleImportForm()
    context: dict[str, Any] = {"form": form, "columns": ",".join(PEOPLE_CSV_COLUMNS)}
    if posted and form.is_valid():
        try:
            # Importing the same file again changes nothing: a reload is harmless, so the
            # result is shown here rather than behind a redirect.
            context["result"] = people_import(
                by=request.user, data=form.cleaned_data["file"].read()
            )
        except ValidationError as exc:
            context["problems"] = exc.message_dict.get("file", exc.messages)
    return render(request, "careermap/people_import.html", context)


urlpatterns = [
    path("people/", people, name="people"),
    path("people/import/", import_people, name="people_import"),
    path("people/<int:pk>/", person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", reactivate, name="person_reactivate"),
]
