"""Reads of the framework: the moves between roles, the change history of a role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from skills.models import Expectation, Role, Skill

ROLE_FIELDS = ("key", "name", "track", "level", "summary", "retired")


@dataclass
class Change:
    """One write: when, by whom (username or None), and each field from old to new."""

    at: datetime
    by: str | None
    changes: list[dict[str, Any]] = field(default_factory=list)


def role_history(role: Role) -> list[Change]:
    """A role's changes, newest first: its own fields, its next roles, and each expectation
    (as field `expectations.<skill key>`). Records of one write, which share a change
    reason, are one change. Fixed number of queries, whatever the length of the history.
    """
    role_keys = dict(Role.objects.values_list("pk", "key"))
    skill_keys = dict(Skill.objects.values_list("pk", "key"))
    events: list[tuple[datetime, int, str | None, str | None, list[dict[str, Any]]]] = []

    records = list(
        role.history.select_related("history_user").order_by("history_date", "history_id")
    )
    # Each historical record's snapshot of next roles, from simple-history's m2m table.
    through = Role.history.model._meta.get_field("historicalrole_next_roles").related_model
    snapshots: dict[int, list[str]] = {r.history_id: [] for r in records}
    for history_id, to_role_id in through.objects.filter(
        history_id__in=list(snapshots)
    ).values_list("history_id", "to_role_id"):
        snapshots[history_id].append(role_keys.get(to_role_id, str(to_role_id)))

    def next_of(record: Any) -> list[str]:
        return sorted(snapshots[record.history_id])

    previous = None
    for record in records:
        changes = []
        if previous is None:
            changes = [{"field": f, "old": None, "new": getattr(record, f)} for f in ROLE_FIELDS]
            changes.append({"field": "next_roles", "old": None, "new": next_of(record)})
        else:
            for f in ROLE_FIELDS:
                if getattr(previous, f) != getattr(record, f):
                    changes.append(
                        {"field": f, "old": getattr(previous, f), "new": getattr(record, f)}
                    )
            old, new = next_of(previous), next_of(record)
            if old != new:
                changes.append({"field": "next_roles", "old": old, "new": new})
        previous = record
        if changes:
            events.append(_event(record, changes))

    levels: dict[int, int | None] = {}
    expectation_records = Expectation.history.filter(role_id=role.pk).select_related("history_user")
    for record in expectation_records.order_by("history_date", "history_id"):
        old = levels.get(record.id)
        new = None if record.history_type == "-" else record.level
        levels[record.id] = new
        if old != new:
            name = f"expectations.{skill_keys.get(record.skill_id, record.skill_id)}"
            events.append(_event(record, [{"field": name, "old": old, "new": new}]))

    return _grouped(events)


def _event(record: Any, changes: list[dict[str, Any]]):
    user = record.history_user
    return (
        record.history_date,
        record.history_id,
        user.username if user else None,
        record.history_change_reason,
        changes,
    )


def _grouped(events: list) -> list[Change]:
    """Merge the events of one write (same change reason), newest write first."""
    groups: dict[Any, Change] = {}
    for at, history_id, by, reason, changes in sorted(events, key=lambda e: (e[0], e[1])):
        key = reason or ("record", at, history_id)
        group = groups.setdefault(key, Change(at=at, by=by))
        group.at = max(group.at, at)
        for change in changes:
            # A field changed twice in one write: from its first old to its last new.
            same = next((c for c in group.changes if c["field"] == change["field"]), None)
            if same is None:
                group.changes.append(change)
            else:
                same["new"] = change["new"]
        group.changes = [c for c in group.changes if c["old"] != c["new"]]
    return sorted(groups.values(), key=lambda c: c.at, reverse=True)


def role_transitions() -> list[tuple[int, int]]:
    """(from role id, to role id) for every move between active roles. One query."""
    return list(
        Role.next_roles.through.objects.filter(
            from_role__retired=False, to_role__retired=False
        ).values_list("from_role_id", "to_role_id")
    )
