"""Where careermap is reached from outside: the links in emails. Emails are sent by the
task worker, often with no request to read an address from (a reminder at 8 in the
morning), so every link comes from one setting, CAREERMAP_SITE_URL."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "/") -> str:
    """The absolute address of `path` (a path on this site, "/" by default)."""
    return settings.CAREERMAP_SITE_URL.rstrip("/") + "/" + path.lstrip("/")
