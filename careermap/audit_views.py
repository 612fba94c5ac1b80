"""The audit trail page for HR: /audit/, newest first, filtered by action, in pages.
Not in the main navigation (product.md fixes its links): reached by its URL."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from careermap.access import hr_required
from careermap.audit import audit_actions, audit_events

PER_PAGE = 50


@hr_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    actions = audit_actions()
    action = request.GET.get("action", "")
    if action not in actions:
        action = ""
    page = Paginator(audit_events(action=action), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "careermap/audit.html", {"page": page, "actions": actions, "action": action}
    )


urlpatterns = [path("audit/", audit, name="audit")]
