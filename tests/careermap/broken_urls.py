"""careermap's URLs with views that fail: a bug (a page and an API path), a bad request
and a refusal, for the tests of the 500, 400 and 403 answers
(`@pytest.mark.urls("tests.careermap.broken_urls")`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from careermap.urls import handler400, handler403, handler404, handler500
from careermap.urls import urlpatterns as site


def broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug")


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a mangled request")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


# Ahead of the site's own: /api/ ends with a catch-all 404.
urlpatterns = [
    path("broken/", broken),
    path("api/broken/", broken),
    path("bad-request/", bad_request),
    path("api/bad-request/", bad_request),
    path("forbidden/", forbidden),
    path("api/forbidden/", forbidden),
    *site,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
