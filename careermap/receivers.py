"""Receivers that feed the audit trail (careermap.audit.record): log-ins, changes of
people, framework edits and imports. Connected in CareermapConfig.ready().

Changes are written when their transaction commits: a rolled-back write (a dry run, an
impact preview, a refused import) leaves no line, and all the history records of one
framework write (they share a change reason, see skills.services._Stamp) make one line.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from careermap.audit import record
from careermap.models import Person
from skills.models import Role
from skills.services import SECTIONS, ImportResult
from skills.signals import framework_imported

# --- Log-ins ---------------------------------------------------------------------------


def _through(request: HttpRequest | None) -> str:
    return " to the API" if request is not None and request.path.startswith("/api/") else ""


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Person, **kwargs: Any) -> None:
    record(by=user, action="login", summary=f"Logged in{_through(request)}", target=user.username)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(
    sender: Any, request: HttpRequest | None, user: Person | None, **kwargs: Any
) -> None:
    if user is not None and user.is_authenticated:
        record(by=user, action="logout", summary="Logged out", target=user.username)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # django-axes has seen the attempt first (its app comes first) and flagged a lockout.
    locked = getattr(request, "axes_locked_out", False)
    summary = "Log-in refused: locked out" if locked else "Failed log-in"
    username = str(credentials.get("username") or "")
    record(by=None, action="login.failed", summary=summary + _through(request), target=username)


# --- People: role, manager, HR flag, active ------------------------------------------------

_TRACKED = {"role_id": "Role", "manager_id": "Manager", "is_hr": "HR admin", "is_active": "Active"}


def _tracked(person: Person) -> dict[str, Any]:
    # From __dict__: a field left out of the query (.only()) must not cost a query here.
    return {name: person.__dict__.get(name) for name in _TRACKED}


def _request_user() -> Person | None:
    """The signed-in person of the request being served (simple-history keeps it)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(post_init, sender=Person, dispatch_uid="audit_person_loaded")
def _person_loaded(sender: Any, instance: Person, **kwargs: Any) -> None:
    instance._audit_saved = _tracked(instance)  # type: ignore[attr-defined]


@receiver(post_save, sender=Person, dispatch_uid="audit_person_saved")
def _person_saved(sender: Any, instance: Person, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_audit_saved", {})
    after = _tracked(instance)
    instance._audit_saved = after  # type: ignore[attr-defined]
    changed = {name: (before.get(name), after[name]) for name in _TRACKED}
    changed = {name: values for name, values in changed.items() if values[0] != values[1]}
    if created or not changed:
        return
    by, pk, username = _request_user(), instance.pk, instance.username
    transaction.on_commit(lambda: _record_person_change(by, pk, username, changed))


def _record_person_change(
    by: Person | None, pk: int, username: str, changed: dict[str, tuple[Any, Any]]
) -> None:
    ids = {value for values in changed.values() for value in values if value is not None}
    roles = dict(Role.objects.filter(pk__in=ids).values_list("pk", "name"))
    people = {p.pk: str(p) for p in Person.objects.filter(pk__in=ids | {pk})}

    def shown(name: str, value: Any) -> str:
        if name == "role_id":
            return roles.get(value, "none") if value is not None else "none"
        if name == "manager_id":
            return people.get(value, "none") if value is not None else "none"
        return "yes" if value else "no"

    parts = [
        f"{_TRACKED[name]}: {shown(name, old)} → {shown(name, new)}"
        for name, (old, new) in changed.items()
    ]
    who = people.get(pk, username)
    record(by=by, action="person.change", summary=f"{who}: " + "; ".join(parts), target=username)


# --- Framework: edits and imports --------------------------------------------------------


@dataclass
class _Write:
    """What one framework write changed, gathered until its transaction commits."""

    by: Person | None
    changes: list[str] = field(default_factory=list)
    imported: ImportResult | None = None


# Writes waiting for their commit, by change reason. A rolled-back write never commits:
# its entry stays until pushed out by newer ones.
_writes: OrderedDict[str, _Write] = OrderedDict()
_KEEP = 256


def _write_for(reason: str | None, by: Person | None) -> _Write:
    reason = reason or uuid.uuid4().hex  # no shared reason: a write of its own
    write = _writes.get(reason)
    if write is None:
        write = _writes[reason] = _Write(by=by)
        while len(_writes) > _KEEP:
            _writes.popitem(last=False)
        transaction.on_commit(lambda: _record_write(_writes.pop(reason, write)))
    if write.by is None:
        write.by = by
    return write


_VERBS = {"+": "created", "~": "changed", "-": "deleted"}


@receiver(post_create_historical_record, dispatch_uid="audit_framework_history")
def _framework_history(
    sender: Any, instance: Any, history_instance: Any, history_user: Any, **kwargs: Any
) -> None:
    if instance._meta.app_label != "skills":
        return
    name = getattr(instance, "key", None) or str(instance)
    verb = _VERBS.get(history_instance.history_type, "changed")
    write = _write_for(history_instance.history_change_reason, history_user)
    write.changes.append(f"{instance._meta.verbose_name} {name} {verb}")


@receiver(framework_imported, dispatch_uid="audit_framework_imported")
def _framework_imported(
    sender: Any, by: Person | None, result: ImportResult, reason: str, **kwargs: Any
) -> None:
    _write_for(reason, by).imported = result


def _entries(result: ImportResult) -> int:
    return sum(
        len(getattr(result, outcome)[section])
        for outcome in ("created", "updated", "unchanged")
        for section in SECTIONS[1:]
    )


def _record_write(write: _Write) -> None:
    result = write.imported
    if result is not None and _entries(result) > 1:
        record(by=write.by, action="framework.import", summary=f"Imported: {result.summary()}")
        return
    if not write.changes:
        return  # one entry saved as it was: nothing to tell
    shown = "; ".join(write.changes[:10])
    more = len(write.changes) - 10
    summary = shown + (f"; and {more} more" if more > 0 else "")
    record(by=write.by, action="framework.edit", summary=summary[:1].upper() + summary[1:])
