"""Who may see whom. Pages and API both go through these helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from careermap.models import Person


def hr_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and HR, else 404: the HR pages' existence is nobody else's business."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_hr:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def get_report_or_404(user: Person, pk: int) -> Person:
    """Someone anywhere below `user` in the org chart; 404 for anyone else (themselves,
    peers, a peer manager's team, people above). The manager pages use this: they
    answer 404 outside the management chain above the person."""
    report = (
        Person.objects.below(user.pk, person_id=pk)
        .filter(is_active=True)
        .select_related("role", "target_role", "manager")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report
