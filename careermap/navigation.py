"""The main navigation: a link is shown only to someone who may open it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, who may open it: "everyone" | "managers" | "hr")
LINKS = [
    ("My map", "my_map", "everyone"),
    ("Assess", "assess", "everyone"),
    ("Paths", "paths", "everyone"),
    ("History", "history", "everyone"),
    ("Growth plan", "growth_plan", "everyone"),
    ("Team", "team", "managers"),
    ("Framework", "framework", "hr"),
    ("People", "people", "hr"),
    ("Reports", "reports", "hr"),
]


def may_open(user: Any, who: str) -> bool:
    if who == "hr":
        return bool(user.is_hr)
    if who == "managers":
        return user.has_reports()
    return True


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links, computed only if the template shows them: the template calls the
    callable, so htmx partials (which render no header) cost no query."""
    return {"nav_links": lambda: _links(request)}


def _links(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    for label, name, who in LINKS:
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet is a page nobody may open
            continue
        if not may_open(user, who):
            continue
        links.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return links
