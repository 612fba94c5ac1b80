"""Times shown in the viewer's time zone: the one the signed-in person chose (a
`time_zone` attribute on the user, empty for none), else settings.TIME_ZONE."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@cache
def zone_names() -> list[str]:
    """Every IANA time zone name this machine knows, sorted."""
    return sorted(zoneinfo.available_timezones())


class TimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            name = getattr(getattr(request, "user", None), "time_zone", "") or ""
        except DatabaseError:
            # The database is out of reach: the view meets it too, and answers 503
            # (core.database); a middleware's error would be a 500.
            name = ""
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
