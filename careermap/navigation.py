"""The main navigation: a link is shown only to someone who may open it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from people.visibility import is_manager

# (label, url name, who may open it: "everyone" | "managers" | "hr")
LINKS = [
    ("Home", "home", "everyone"),
    ("My map", "assessments:my_map", "everyone"),
    ("Assess", "assessments:assess", "everyone"),
    ("Paths", "assessments:paths", "everyone"),
    ("History", "assessments:history", "everyone"),
    ("Growth plan", "assessments:growth_plan", "everyone"),
    ("Team", "assessments:team", "managers"),
    ("Framework", "skills:framework", "hr"),
    ("People", "people:people", "hr"),
    ("Reports", "assessments:reports", "hr"),
    ("Cycles", "assessments:cycles", "hr"),
]


def may_open(user: Any, who: str) -> bool:
    if who == "hr":
        return bool(user.is_hr)
    if who == "managers":
        return is_manager(user)
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
        current = request.path == url if url == "/" else request.path.startswith(url)
        links.append({"label": label, "url": url, "current": current})
    return links
