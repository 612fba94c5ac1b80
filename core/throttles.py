"""The API's rate limits (issue 23), apart from core.drf: DRF's views read the throttle
classes when they are defined, so the module naming them must not import those views."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


def _rate(setting: str) -> str | None:
    """A throttle rate from the settings ("600/min"); None, no limit, for "off"."""
    value = str(getattr(settings, setting, "") or "off").strip()
    return None if value.lower() == "off" else value


class UserThrottle(throttling.UserRateThrottle):
    """Requests per authenticated user (CAREERMAP_API_THROTTLE_USER), read at each
    request so that a setting changed in a test or by the environment holds."""

    def get_rate(self) -> str | None:
        return _rate("CAREERMAP_API_THROTTLE_USER")


class AnonThrottle(throttling.AnonRateThrottle):
    """Requests per client address without credentials (CAREERMAP_API_THROTTLE_ANON)."""

    def get_rate(self) -> str | None:
        return _rate("CAREERMAP_API_THROTTLE_ANON")
