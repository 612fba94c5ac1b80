"""The database going away: a 503 that says so, never a traceback.

A request that meets an unreachable database (django.db.OperationalError, such as a
refused connection or a server shutting down, or InterfaceError, a connection that is
already closed) answers 503 with Retry-After: JSON `{"detail": ...}` under /api/, a
static HTML page elsewhere. The page renders without the database: no request context,
so no user, session or navigation lookups.

Recovery needs nothing here: Django closes a connection that raised (and checks a
persistent one before reuse, `conn_health_checks`), so the first request after the
database returns opens a fresh connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger("careermap.database")

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_DETAIL = "The database is unavailable. Try again in a moment."


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for `request`: JSON under /api/, else the static page."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE_DETAIL}, status=503)
    else:
        # No request passed: context processors (user, navigation) would query.
        html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_unavailable(request: HttpRequest, exc: BaseException) -> None:
    """One line a request, no traceback: during an outage every request fails alike."""
    logger.error(
        "Database unavailable: %s %s answered 503: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip(),
    )


class DatabaseUnavailableMiddleware:
    """Turns a database outage met by a view (or its template) into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not database_unavailable(exc):
            return None
        log_unavailable(request, exc)
        return unavailable_response(request)
