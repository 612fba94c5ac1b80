"""Throttling, in one place. Log-ins with django-axes: the backend that refuses
locked-out attempts, and the answer they get (the log-in page, or JSON under /api/),
both 429. "Forgot your password?" with `password_link_throttled`: requests counted per
address and per client IP address (`client_ip`, the same address axes counts by) in the
database, so every web process sees the same count."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_lockout_message
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.validators import MaxLengthValidator
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.models import ThrottleHit

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
        if _address_failed_too_often(request):
            # As axes answers a locked-out account: the same flag, the same 429.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.locked_out_message = ADDRESS_LOCKED  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("Too many failed log-ins from this address.")
        return super().authenticate(request, *args, **kwargs)


def _address_failed_too_often(request: HttpRequest) -> bool:
    """More than LOGIN_FAILURES_PER_IP failed log-ins, any usernames, from the request's
    client address within LOGIN_FAILURES_WINDOW (axes counts per username and address:
    guessing one password for many usernames is slowed here)."""
    ip = client_ip(request)
    if not ip:
        return False
    since = timezone.now() - settings.LOGIN_FAILURES_WINDOW
    return _hits(_LOGIN_RULE, _digest("ip:" + ip), since) >= settings.LOGIN_FAILURES_PER_IP


_LOGIN_RULE = "login-failed"
ADDRESS_LOCKED = "Too many failed log-ins from this address. Try again in 15 minutes."


@receiver(user_login_failed, dispatch_uid="careermap_count_login_failures_per_address")
def _count_failure(
    sender: Any, credentials: Any, request: HttpRequest | None = None, **kw: Any
) -> None:
    ip = client_ip(request) if request is not None else None
    if ip:
        _hit(_LOGIN_RULE, [_digest("ip:" + ip)], timezone.now(), settings.LOGIN_FAILURES_WINDOW)


# As the API's token endpoint (people.api.TokenRequestSerializer): a password longer
# than this is refused on the field, never hashed.
PASSWORD_MAX_LENGTH = 1024


class BoundedCredentials(AuthenticationForm):
    """Django's log-in form with the username's and the password's lengths checked on
    their fields, before authentication. AuthenticationForm sets the username field's
    max_length after making it, so no validator holds it: a 10,000-character username
    reached django-axes, whose 255-character column refused it (a 500 on PostgreSQL).
    Mixed into every log-in form (the page's, the admin's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))  # type: ignore[attr-defined]
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """What a locked-out attempt gets: a JSON detail under /api/, else the log-in page
    with the reason in place of the form's error."""
    message = getattr(request, "locked_out_message", "") or str(get_lockout_message())
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


def throttled(rule: str, counted: Iterable[tuple[str, int]], window: timedelta) -> bool:
    """Count one request under `rule` for each (key, limit) of `counted`, and say whether
    any key has now had more than its limit within `window`. Refused requests count too:
    a client that keeps asking stays refused until it pauses for a window."""
    now = timezone.now()
    digests = {_digest(key): limit for key, limit in counted}
    _hit(rule, digests, now, window)
    return any(_hits(rule, digest, now - window) > limit for digest, limit in digests.items())


def password_link_throttled(*, email: str, ip: str | None) -> bool:
    """Whether this "Forgot your password?" request is one too many for its address or
    its client (settings.PASSWORD_LINK_LIMIT_PER_ADDRESS, _PER_IP, _WINDOW)."""
    counted = [("address:" + email.strip().lower(), settings.PASSWORD_LINK_LIMIT_PER_ADDRESS)]
    if ip:
        counted.append(("ip:" + ip, settings.PASSWORD_LINK_LIMIT_PER_IP))
    return throttled("password-link", counted, settings.PASSWORD_LINK_WINDOW)


# The counts, for both rules: one row per hit, in the database (every process sees them).


def _hit(rule: str, digests: Iterable[str], now: datetime, window: timedelta) -> None:
    """Count a hit on each of `digests` under `rule` at `now`; forget those older than
    `window` (of every key: the table stays the size of one window)."""
    ThrottleHit.objects.filter(rule=rule, at__lt=now - window).delete()
    ThrottleHit.objects.bulk_create(ThrottleHit(rule=rule, key=d, at=now) for d in digests)


def _hits(rule: str, digest: str, since: datetime) -> int:
    return ThrottleHit.objects.filter(rule=rule, key=digest, at__gte=since).count()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
