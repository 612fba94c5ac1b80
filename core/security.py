"""Log-in throttling with django-axes: the backend that refuses locked-out attempts, and
the answer they get (the log-in page, or JSON under /api/), both 429."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_lockout_message
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


def client_ip(request: HttpRequest) -> str | None:
    """The address a log-in attempt came from. Behind DJANGO_PROXY_COUNT trusted proxies
    (settings.PROXY_COUNT), each appending to X-Forwarded-For, it is the entry the first
    of them added, counted from the right: entries further left are the client's say-so.
    Without proxies, or when the header is short, the peer's address."""
    count = settings.PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' check, for log-ins that come with a request (the log-in page, the admin's,
    the API token endpoint: every way in from outside). A call without one (the shell,
    a management command, a test) has no client to throttle and is let through to the
    password check, where axes would raise."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """What a locked-out attempt gets: a JSON detail under /api/, else the log-in page
    with the reason in place of the form's error."""
    message = str(get_lockout_message())
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=LOCKED_OUT_STATUS)
    # Unbound: validating it would try the password again, and count one more failure.
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=LOCKED_OUT_STATUS,
    )
