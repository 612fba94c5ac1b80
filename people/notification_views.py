"""A person's notifications (rules: people.notifications):

- /notifications/: the list, newest first, unread marked; each opens through
  /notifications/<id>/ (marks it read, then goes to what it is about); "Mark all read";
- /account/notifications/: per kind, email, in the app only, or off;
- /notifications/failed/: HR only, the emails that failed for good, sent again on demand.

Plain posts throughout; only the person's own notifications are ever found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.numbers import ascii_int
from core.types import AuthedHttpRequest
from people.models import Notification
from people.notifications import (
    NEVER_OFF,
    Channel,
    Kind,
    channels_of,
    failed_emails,
    failed_retry,
    mark_read,
    notifications_of,
    settings_update,
)

PER_PAGE = 50


@login_required
@require_GET
def notifications(request: AuthedHttpRequest) -> HttpResponse:
    pages = Paginator(notifications_of(request.user), PER_PAGE)
    page = pages.get_page(ascii_int(request.GET.get("page")) or 1)
    context = {"page": page, "unread": request.user.notifications_unread}
    return render(request, "people/notifications.html", context)


@login_required
@require_GET
def notification_open(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: it is read once opened."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(person=request.user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("people:notifications")


@login_required
@require_POST
def notifications_read(request: AuthedHttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all."""
    pk = ascii_int(request.POST.get("id"))
    count = mark_read(person=request.user, ids=None if pk is None else [pk])
    if pk is None:
        messages.success(request, f"Marked {count} notification(s) read.")
    return redirect("people:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthedHttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    current = channels_of(request.user)
    if request.method == "POST":
        changes = {kind: request.POST[kind] for kind in Kind.values if kind in request.POST}
        try:
            settings_update(person=request.user, changes=changes)
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
            current = {**current, **changes}
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("people:notification_settings")
    kinds = [
        {
            "kind": kind,
            "label": label,
            "channel": current[kind],
            "choices": [
                (value, text)
                for value, text in Channel.choices
                if not (kind in NEVER_OFF and value == Channel.OFF)
            ],
            "error": errors.get(kind, ""),
        }
        for kind, label in Kind.choices
    ]
    context = {"kinds": kinds, "errors": errors}
    status = 400 if errors else 200
    return render(request, "people/notification_settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notifications_failed(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_hr:
        raise Http404
    if request.method == "POST":
        pk = ascii_int(request.POST.get("id"))
        count = failed_retry(by=request.user, ids=None if pk is None else [pk])
        messages.success(request, f"Queued {count} email(s) to be sent again.")
        return redirect("people:notifications_failed")
    pages = Paginator(failed_emails(), PER_PAGE)
    page = pages.get_page(ascii_int(request.GET.get("page")) or 1)
    return render(request, "people/notifications_failed.html", {"page": page})


urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("notifications/failed/", notifications_failed, name="notifications_failed"),
    path("notifications/<int:pk>/", notification_open, name="notification_open"),
    path("account/notifications/", notification_settings, name="notification_settings"),
]
