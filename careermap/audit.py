"""The audit trail: logins, framework edits, people changes and imports, for HR.

`record` is the one writer; receivers.py and the services that import call it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from careermap.models import AuditEvent, Person


@transaction.atomic
def record(*, by: Person | None, action: str, summary: str, target: str = "") -> AuditEvent:
    """Append one audit line. `by` is None when no one is signed in (a failed login,
    a command run by the system); `action` is a dotted name such as "people.import"."""
    who = by if by is not None and by.pk is not None else None
    return AuditEvent.objects.create(
        by=who,
        by_name=str(who) if who is not None else "",
        action=action[:50],
        summary=summary,
        target=target[:200],
    )


def audit_events(*, action: str = "") -> QuerySet[AuditEvent]:
    """The trail, newest first; only `action` if given."""
    events = AuditEvent.objects.select_related("by").order_by("-at", "-pk")
    return events.filter(action=action) if action else events


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
