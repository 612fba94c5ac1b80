"""The one htmx convention: a page or its region, and how errors come back.

- `render_region(request, template, region, context)` renders the whole page, or, for
  an htmx request, only its `{% partialdef region %}`; it always adds `Vary:
  HX-Request`, so a cache never serves a fragment for a page or the other way round.
- Errors in what a person typed come back 200 with the error in the page or region,
  beside its field, as Django's forms do. htmx 2 swaps no 4xx answer, and the browser
  logs every 4xx as a console error (and django-htmx's debug script, with DEBUG on,
  replaces the whole page with a 400): a 200 keeps the error where the person looks
  and the console clean in every mode. 404 stays 404: outsiders see nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_region(request: HttpRequest) -> bool:
    """An htmx request for a region; a history restore wants the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_region(
    request: HttpRequest,
    template: str,
    region: str | None,
    context: dict[str, Any],
    *,
    page: str | None = None,
) -> HttpResponse:
    """`template`, or its `region` for htmx. `page` is the template for a plain
    request when it differs (a form's own page beside the region's)."""
    if region is not None and wants_region(request):
        name = f"{template}#{region}"
    else:
        name = page or template
    response = render(request, name, context)
    return vary_on_htmx(response)
