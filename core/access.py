"""Access helpers that need no app: the HR-only page decorator and the admin mixin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from django.contrib.admin.utils import unquote
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


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


class HRAdminMixin:
    """HR admins edit the framework and the org chart without per-model permissions."""

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
