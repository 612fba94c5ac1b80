"""careermap's URLs with two views that fail, a page and an API path, for the tests of
the 500 answers (`@pytest.mark.urls("tests.careermap.broken_urls")`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from careermap.urls import handler400, handler403, handler404, handler500
from careermap.urls import urlpatterns as site


def broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug")


# Ahead of the site's own: /api/ ends with a catch-all 404.
urlpatterns = [path("broken/", broken), path("api/broken/", broken), *site]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
