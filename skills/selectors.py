"""Reads of the framework: the moves between roles, the change history of a role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from skills.models import Category, Expectation, Role, Scale, Skill

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
        old_level = levels.get(record.id)
        new_level = None if record.history_type == "-" else record.level
        levels[record.id] = new_level
        if old_level != new_level:
            name = f"expectations.{skill_keys.get(record.skill_id, record.skill_id)}"
            events.append(_event(record, [{"field": name, "old": old_level, "new": new_level}]))

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


SKILL_FIELDS = ("key", "name", "category", "description", "how_to_grow", "retired")


def skill_history(skill: Skill) -> list[Change]:
    """A skill's changes, newest first: its own fields, each level descriptor (as field
    `levels.<level>`) and each role's expectation of it (as `expectations.<role key>`).
    Records of one write are one change. Fixed number of queries."""
    category_keys = dict(Category.objects.values_list("pk", "key"))
    role_keys = dict(Role.objects.values_list("pk", "key"))
    events: list[tuple[datetime, int, str | None, str | None, list[dict[str, Any]]]] = []

    def value(record: Any, name: str) -> Any:
        if name == "category":
            return category_keys.get(record.category_id, record.category_id)
        return getattr(record, name)

    def levels(record: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (record.levels or {}).items()}

    previous = None
    records = skill.history.select_related("history_user").order_by("history_date", "history_id")
    for record in records:
        old_levels: dict[str, str] = levels(previous) if previous is not None else {}
        changes = []
        for name in SKILL_FIELDS:
            old = value(previous, name) if previous is not None else None
            new = value(record, name)
            if previous is None or old != new:
                changes.append({"field": name, "old": old, "new": new})
        new_levels = levels(record)
        for level in sorted(old_levels.keys() | new_levels.keys(), key=int):
            old, new = old_levels.get(level), new_levels.get(level)
            if old != new:
                changes.append({"field": f"levels.{level}", "old": old, "new": new})
        previous = record
        if changes:
            events.append(_event(record, changes))

    expected: dict[int, int | None] = {}
    expectation_records = Expectation.history.filter(skill_id=skill.pk).select_related(
        "history_user"
    )
    for record in expectation_records.order_by("history_date", "history_id"):
        old = expected.get(record.id)
        new = None if record.history_type == "-" else record.level
        expected[record.id] = new
        if old != new:
            name = f"expectations.{role_keys.get(record.role_id, record.role_id)}"
            events.append(_event(record, [{"field": name, "old": old, "new": new}]))

    return _grouped(events)


@dataclass
class CategoryGroup:
    category: Category
    skills: list[Skill]


@dataclass
class Overview:
    """The framework editor's front page: everything, active and retired apart."""

    scale: Scale
    categories: list[Category]
    skills: list[CategoryGroup]
    retired_skills: list[Skill]
    roles: list[Role]
    retired_roles: list[Role]


def framework_overview() -> Overview:
    """Categories, skills by category, roles by track and level. 4 queries."""
    categories = list(Category.objects.order_by("order", "name"))
    skills = list(Skill.objects.select_related("category"))
    groups = {c.pk: CategoryGroup(c, []) for c in categories}
    for skill in skills:
        if not skill.retired:
            groups[skill.category_id].skills.append(skill)
    roles = list(Role.objects.order_by("track", "level", "name"))
    return Overview(
        scale=Scale.current(),
        categories=categories,
        skills=list(groups.values()),
        retired_skills=[s for s in skills if s.retired],
        roles=[r for r in roles if not r.retired],
        retired_roles=[r for r in roles if r.retired],
    )


@dataclass
class GridRow:
    skill: Skill
    cells: list[GridCell]


@dataclass
class GridCell:
    role: Role
    skill: Skill
    level: int | None


@dataclass
class Grid:
    """Active skills (rows, grouped by category) x active roles (columns)."""

    scale: Scale
    roles: list[Role]
    groups: list[tuple[Category, list[GridRow]]]


def expectation_grid() -> Grid:
    """The expectation grid of active roles and skills. 4 queries (scale, roles, skills
    with their categories, expectations), whatever the size of the framework."""
    scale = Scale.current()
    roles = list(Role.objects.active().order_by("track", "level", "name"))
    skills = list(Skill.objects.active().select_related("category"))
    levels = {
        (role_id, skill_id): level
        for role_id, skill_id, level in Expectation.objects.filter(
            role__retired=False, skill__retired=False
        ).values_list("role_id", "skill_id", "level")
    }
    groups: list[tuple[Category, list[GridRow]]] = []
    for skill in skills:
        row = GridRow(skill, [GridCell(r, skill, levels.get((r.pk, skill.pk))) for r in roles])
        if groups and groups[-1][0].pk == skill.category_id:
            groups[-1][1].append(row)
        else:
            groups.append((skill.category, [row]))
    return Grid(scale=scale, roles=roles, groups=groups)


def expectation_level(role: Role, skill: Skill) -> int | None:
    """The level `role` expects of `skill` now, or None. One query."""
    return (
        Expectation.objects.filter(role=role, skill=skill).values_list("level", flat=True).first()
    )
