"""The main navigation: a link is shown only to someone who may open it."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from assessments.models import PromotionCase
from people.models import Person
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
    ("Promotions", "assessments:promotions", "promotions"),
]


def may_open(user: Any, who: str, facts: dict[str, bool] | None = None) -> bool:
    if who == "hr":
        return bool(user.is_hr)
    if who == "managers":
        return facts["manager"] if facts is not None else is_manager(user)
    if who == "promotions":
        # HR and managers (who may open cases), and anyone with a case of theirs to see.
        facts = facts if facts is not None else _facts(user)
        return bool(user.is_hr) or facts["manager"] or facts["cases"]
    return True


def _facts(user: Any) -> dict[str, bool]:
    """Is `user` a manager, and is there a case they opened, of theirs once submitted,
    or in a round they review: one query for both (the nav's only one)."""
    reports = Person.objects.filter(manager_id=OuterRef("pk"))
    cases = PromotionCase.objects.filter(
        Q(person_id=OuterRef("pk"), submitted_at__isnull=False)
        | Q(opened_by_id=OuterRef("pk"))
        | Q(round__reviewers=OuterRef("pk"))
    )
    found = (
        Person.objects.filter(pk=user.pk)
        .values(has_reports=Exists(reports), has_cases=Exists(cases))
        .first()
    )
    return {
        "manager": bool(found and found["has_reports"]),
        "cases": bool(found and found["has_cases"]),
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links, computed only if the template shows them: the template calls the
    callable, so htmx partials (which render no header) cost no query."""
    return {"nav_links": lambda: _links(request)}


def _links(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    facts: dict[str, bool] | None = None
    for label, name, who in LINKS:
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet is a page nobody may open
            continue
        if who in ("managers", "promotions") and facts is None:
            facts = _facts(user)
        if not may_open(user, who, facts):
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        links.append({"label": label, "url": url, "current": current})
    return links
