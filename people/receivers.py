"""Receivers that feed the audit trail (core.audit.record): log-ins (Django's auth
signals) and changes of people, made by a page, the API, the admin or the shell.
Connected in PeopleConfig.ready(). Framework writes record their own line
(skills.services).

A change is written when its transaction commits: a rolled-back write leaves no line.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from core import changes
from core.audit import record
from people.models import Person
from skills.models import Role

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


changes.watch(Person, *_TRACKED)


def _request_user() -> Person | None:
    """The signed-in person of the request being served (simple-history keeps it)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(post_save, sender=Person, dispatch_uid="audit_person_saved")
def _person_saved(sender: Any, instance: Person, created: bool, **kwargs: Any) -> None:
    saved = changes.of(instance)
    changed = {name: saved[name] for name in _TRACKED if name in saved}  # in _TRACKED's order
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
