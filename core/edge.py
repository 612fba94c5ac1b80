"""What the edge of the app refuses and adds, for every request (issue 23), in one place:

- **Control characters** (`RefuseControlCharacters`): a NUL or another C0 control
  character (tab, newline and carriage return apart) in a query parameter's or a form
  field's name or value is refused with a 400 naming the field, before any view (or
  PostgreSQL, which refuses NUL with a 500) sees it. JSON bodies are checked by the API's
  parser (core.drf.BoundedJSONParser).
- **Cache-Control** (`PrivateByDefault`): every response the app makes (static files are
  served before this) is `private, no-store` unless the view set its own: pages and the
  API carry personal data, which no shared cache or back button may keep.
- **Session lifetimes** (`SessionLifetime`): a session ends after
  CAREERMAP_SESSION_IDLE_HOURS without a request and CAREERMAP_SESSION_MAX_DAYS after
  logging in, whichever comes first. The last-seen time is written at most once a
  minute, so a page's queries stay what they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_in(text: str) -> bool:
    return CONTROL.search(text) is not None


class RefuseControlCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = _bad_field(request)
        if bad is not None:
            return _refusal(request, bad)
        return self.get_response(request)


def _bad_field(request: HttpRequest) -> str | None:
    """The first query parameter or form field whose name or value holds a control
    character: its name (made printable), else None."""
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if control_character_in(name) or any(control_character_in(v) for v in values):
                return CONTROL.sub("?", name)[:100] or "?"
    return None


def _refusal(request: HttpRequest, field: str) -> HttpResponse:
    message = "Control characters (such as NUL) are not accepted here."
    if request.path.startswith("/api/"):
        return JsonResponse({field: [message]}, status=400)
    return render(request, "400.html", {"reason": f"{field}: {message}"}, status=400)


class PrivateByDefault:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


STARTED, SEEN = "careermap_started", "careermap_seen"
SEEN_EVERY = 60  # seconds between writes of the last-seen time


@receiver(user_logged_in, dispatch_uid="careermap_session_lifetime")
def _start_session(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None:  # the API's token endpoint logs in without a session
        now = int(timezone.now().timestamp())
        session[STARTED] = session[SEEN] = now


class SessionLifetime:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            authenticated = request.user.is_authenticated
        except DatabaseError:
            # The database is out of reach: the view meets it too, and answers 503
            # (core.database); a middleware's error would be a 500.
            return self.get_response(request)
        if authenticated:
            session = request.session
            now = int(timezone.now().timestamp())
            started, seen = session.get(STARTED, now), session.get(SEEN, now)
            idle = timedelta(hours=settings.CAREERMAP_SESSION_IDLE_HOURS).total_seconds()
            most = timedelta(days=settings.CAREERMAP_SESSION_MAX_DAYS).total_seconds()
            if now - seen > idle or now - started > most:
                logout(request)
            elif STARTED not in session or now - seen >= SEEN_EVERY:
                session[STARTED], session[SEEN] = started, now
        return self.get_response(request)
