"""Access helpers that need no app: the HR-only page decorator and the admin mixin."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, Protocol

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput
from django.http import Http404, HttpRequest, HttpResponse

from core.numbers import ascii_int


def is_hr(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_hr", False))


def hr_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and HR, else 404: the HR pages' existence is nobody else's business."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_hr(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


class StrictJSONFormField(forms.JSONField):
    """Django's JSON form field refuses only what json.loads calls a JSONDecodeError: an
    integer past Python's 4,300 digits (a ValueError) or nesting past the recursion
    limit was a 500, where it reads the text and where it shows it again."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except (ValueError, RecursionError) as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from exc

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except (ValueError, RecursionError):
            return InvalidJSONInput(data)


class AutocompleteByIds(AutocompleteSelect):
    """The admin's autocomplete widget looks the posted value up to show it again: a
    value that is no id ("²", a date) made that query a ValueError, a 500 on the form
    that was only to say "Select a valid choice". Only ASCII ids are looked up."""

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        ids = [v for v in value if ascii_int(str(v)) is not None]
        return super().optgroups(name, ids, attr)


class HRAdminMixin:
    """HR admins edit the framework and the org chart without per-model permissions.
    Hostile input stays a form error (issue 23): JSON past Python's limits, an
    autocomplete value that is no id, an empty `?_to_field=`."""

    formfield_overrides: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
        models.JSONField: {"form_class": StrictJSONFormField}
    }

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            site = self.admin_site  # type: ignore[attr-defined]
            kwargs["widget"] = AutocompleteByIds(db_field, site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        # Django's admin takes `?_to_field=` (empty) for a field named "": a 500.
        return super().get_object(request, object_id, from_field or None)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hr(request.user) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_hr(request.user) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_hr(request.user) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_hr(request.user) or super().has_change_permission(request, obj)  # type: ignore[misc]


class HistoryAdminMixin:
    """django-simple-history's history pages answer 404, not 500, for an id that is not
    one (its view looks the id up unchecked; the admin's get_object checks it)."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if self.get_object(request, unquote(object_id)) is None:  # type: ignore[attr-defined]
            raise Http404("No such item.")
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]


class Actor(Protocol):
    """Whoever makes a write, as the lower layers see them: an id and the HR flag. The
    framework types its callers with this, so it never names the people app's Person."""

    pk: Any
    is_hr: bool
