"""The audit trail: logins, framework edits, people changes and imports, for HR.

`record` is the one writer. Services call `record_on_commit` for the changes they make,
so that a rolled-back write (a dry run, a refused import) leaves no line.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from core.models import AuditEvent


@transaction.atomic
def record(*, by: Any, action: str, summary: str, target: str = "") -> AuditEvent:
    """Append one audit line. `by` is the person acting, None when no one is signed in
    (a failed login, a command run by the system); `action` is a dotted name such as
    "people.import"."""
    who = by if by is not None and by.pk is not None else None
    return AuditEvent.objects.create(
        by=who,
        by_name=str(who) if who is not None else "",
        action=action[:50],
        summary=summary,
        target=target[:200],
    )


def record_on_commit(*, by: Any, action: str, summary: str, target: str = "") -> None:
    """record(), once the current transaction commits; never if it rolls back."""
    transaction.on_commit(lambda: record(by=by, action=action, summary=summary, target=target))


def audit_events(*, action: str = "") -> QuerySet[AuditEvent]:
    """The trail, newest first; only `action` if given."""
    events = AuditEvent.objects.select_related("by").order_by("-at", "-pk")
    return events.filter(action=action) if action else events


# Every action the writers record, in the words the audit page shows. An action not
# listed here (a new writer, a line from an older version) is shown as itself.
ACTION_WORDS = {
    "login": "Logged in",
    "logout": "Logged out",
    "login.failed": "Failed log-in",
    "person.change": "Person changed",
    "people.import": "People imported",
    "people.invite": "Invitations sent",
    "framework.edit": "Framework edited",
    "framework.import": "Framework imported",
    "password.set": "Password set",
    "feedback.request": "Input requested",
    "feedback.answer": "Input given",
    "feedback.decline": "Input declined",
    "cycle.open": "Review cycle opened",
    "cycle.close": "Review cycle closed",
    "notifications.retry": "Notifications retried",
    "person.created": "Person created",
    "person.role": "Role changed by a promotion",
    "promotion.open": "Promotion case opened",
    "promotion.status": "Promotion case moved",
    "promotion.round": "Review round formed",
    "promotion.vote": "Committee vote",
    "role.show_holders": "Role holders shown or hidden",
    "scim.client.create": "SCIM client created",
    "scim.client.revoke": "SCIM client revoked",
    "scim.user.create": "Provisioned by SCIM",
    "scim.user.update": "Updated by SCIM",
    "scim.user.deactivate": "Deactivated by SCIM",
    "token.created": "API token created",
    "token.revoked": "API token revoked",
}


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action, action)


def audit_actions() -> list[tuple[str, str]]:
    """(action, its words) of every action on record, by words."""
    found = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((a, action_words(a)) for a in found), key=lambda pair: pair[1])
