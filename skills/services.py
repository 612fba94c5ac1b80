"""Writes to the framework. Every one is a single transaction."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from core import audit, derived
from core.access import Actor
from core.errors import Conflict
from skills.models import Category, Expectation, Role, Scale, Skill
from skills.openformat import (
    FrameworkInvalid,
    Plan,
    category_entry,
    category_key_for,
    role_entry,
    skill_entry,
    validate,
)

SECTIONS = ("scale", "categories", "skills", "roles")


@dataclass
class _Stamp:
    """One write: who makes it, a token that every history record of it carries as its
    change reason (the history then shows one write as one change), and what it changed,
    for its one line in the audit trail."""

    user: Actor | None
    reason: str = field(default_factory=lambda: uuid.uuid4().hex)
    changes: list[str] = field(default_factory=list)

    def on(self, obj: models.Model, verb: str = "changed") -> None:
        obj._history_user = self.user  # type: ignore[attr-defined]  # read by simple-history
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        change = f"{obj._meta.verbose_name} {getattr(obj, 'key', None) or obj} {verb}"
        if change not in self.changes:
            self.changes.append(change)

    def audit(self, result: ImportResult) -> None:
        """One audit line for the whole write, once it commits: an import of several
        entries with its counts, else the edit's changes."""
        if _entries(result) > 1:
            summary, action = f"Imported: {result.summary()}", "framework.import"
        elif self.changes:
            shown = "; ".join(self.changes[:10])
            more = len(self.changes) - 10
            summary = shown + (f"; and {more} more" if more > 0 else "")
            summary, action = summary[:1].upper() + summary[1:], "framework.edit"
        else:
            return  # one entry saved as it was: nothing to tell
        audit.record_on_commit(by=self.user, action=action, summary=summary)


def _entries(result: ImportResult) -> int:
    return sum(
        len(getattr(result, outcome)[section])
        for outcome in ("created", "updated", "unchanged")
        for section in SECTIONS[1:]
    )


# Fields whose old and new values are too long to show side by side: named as changed.
_LONG_FIELDS = {
    "description",
    "how_to_grow",
    "grow_to",
    "summary",
    "typical_week",
    "changes",
    "labels",
}
_FIELD_NAMES = {
    "how_to_grow": "how to grow",
    "grow_to": "ways to grow per step",
    "typical_week": "typical week",
    "changes": "what changes",
    "variant_of": "variant of",
    "category_id": "category",
    "minimum": "lowest level",
    "maximum": "highest level",
    "labels": "level labels",
    "next_roles": "next roles",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one stored entry that an import changes, as people read it: the
    entry's name (a role's expectation: the role's and the skill's), the field, and its
    value before and after ("" for both when only the fact of a change is shown)."""

    section: str
    key: str
    name: str
    field: str
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if not self.field:  # an expectation: its name says role and skill
            return f"{self.name}: {self.before} → {self.after}"
        if not self.before and not self.after:
            return f"{self.name} · {self.field} changed"
        return f"{self.name} · {self.field}: {self.before} → {self.after}"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


@dataclass
class ImportResult:
    """What an import created, updated and left unchanged, by section, as keys; with,
    for people to read, each entry's name (`names`), the names of the skills and roles
    stored before the import (`stored_names`), and every field an update changes."""

    dry_run: bool
    created: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    names: dict[str, dict[str, str]] = field(default_factory=lambda: {s: {} for s in SECTIONS})
    stored_names: dict[str, dict[str, str]] = field(
        default_factory=lambda: {s: {} for s in SECTIONS}
    )
    changes: list[FieldChange] = field(default_factory=list)

    def record(self, section: str, key: str, outcome: str, name: str = "") -> None:
        getattr(self, outcome)[section].append(key)
        if name:
            self.names[section][key] = name

    def name(self, section: str, key: str) -> str:
        return self.names[section].get(key) or key

    def note(self, section: str, key: str, name: str, what: str, before: Any, after: Any) -> None:
        label = _FIELD_NAMES.get(what, what)
        if what in _LONG_FIELDS:  # named as changed, not shown
            self.changes.append(FieldChange(section, key, name, label))
        else:
            self.changes.append(
                FieldChange(section, key, name, label, _shown(before), _shown(after))
            )

    def note_fields(
        self,
        section: str,
        obj: models.Model,
        values: dict[str, Any],
        shown: dict[str, dict[Any, str]] | None = None,
    ) -> None:
        """The fields of a stored `obj` that `values` would change (nothing for a new one).
        `shown` maps a field's stored values to what people read (a category's name)."""
        if obj.pk is None:
            return
        key = getattr(obj, "key", section)
        name = str(values.get("name") or getattr(obj, "name", "") or section.capitalize())
        for what, value in values.items():
            old = getattr(obj, what)
            if old == value:
                continue
            if what == "levels":
                self._note_descriptors(section, key, name, old or {}, value or {})
                continue
            names = (shown or {}).get(what)
            if names is not None:
                old, value = names.get(old, old), names.get(value, value)
            self.note(section, key, name, what, old, value)

    def _note_descriptors(
        self, section: str, key: str, name: str, old: dict[Any, Any], new: dict[Any, Any]
    ) -> None:
        before = {str(k): v for k, v in old.items()}
        after = {str(k): v for k, v in new.items()}
        levels = sorted(set(before) | set(after), key=lambda k: (len(k), k))
        named = False
        for level in levels:
            if before.get(level) == after.get(level):
                continue
            verb = "added" if level not in before else "removed" if level not in after else ""
            what = f"level {level} descriptor" + (f" {verb}" if verb else "")
            self.changes.append(FieldChange(section, key, name, what))
            named = True
        if not named:
            self.changes.append(FieldChange(section, key, name, "descriptors"))

    @property
    def changed(self) -> bool:
        return any(self.created[s] or self.updated[s] for s in SECTIONS)

    def summary(self) -> str:
        parts = []
        for section in SECTIONS[1:]:
            counts = (len(self.created[section]), len(self.updated[section]))
            unchanged = len(self.unchanged[section])
            parts.append(
                f"{section}: {counts[0]} created, {counts[1]} updated, {unchanged} unchanged"
            )
        scale = next((o for o in ("created", "updated") if getattr(self, o)["scale"]), "unchanged")
        return f"scale {scale}; " + "; ".join(parts)


def framework_import(
    *, document: Any, by: Actor | None = None, dry_run: bool = False
) -> ImportResult:
    """Import an open-format document (already parsed): upsert by key, all or nothing.

    Raises FrameworkInvalid with every error and its path; writes nothing then, and
    nothing either on a dry run, which reports what the import would change.
    `by` is the HR admin making the change (None for command-line imports).
    """
    if by is not None and not by.is_hr:
        raise PermissionDenied("Only HR admins may import a framework.")
    result = ImportResult(dry_run=dry_run)
    # What is derived from the framework is refreshed once, at the end (nothing on a
    # dry run: it rolls back).
    with transaction.atomic(), derived.discarded() if dry_run else derived.batch():
        plan = validate(document)
        _apply(plan, stamp := _Stamp(by), result)
        if dry_run:
            # The dry run does the real work and rolls it back, so its report can never
            # disagree with what the import would do.
            transaction.set_rollback(True)
        else:
            stamp.audit(result)
    return result


def _save_if_changed(obj: models.Model, values: dict[str, Any], stamp: _Stamp) -> str:
    """Set `values` on `obj`; save only if something differs. Returns the outcome."""
    created = obj.pk is None
    changed = created or any(getattr(obj, name) != value for name, value in values.items())
    if not changed:
        return "unchanged"
    for name, value in values.items():
        setattr(obj, name, value)
    stamp.on(obj, "created" if created else "changed")
    obj.save()
    return "created" if created else "updated"


def _apply(plan: Plan, stamp: _Stamp, result: ImportResult) -> None:
    if plan.scale is not None:
        minimum, maximum, labels = plan.scale
        scale = Scale.objects.order_by("pk").first() or Scale()
        values = {"minimum": minimum, "maximum": maximum, "labels": labels}
        result.note_fields("scale", scale, values)
        result.record("scale", "scale", _save_if_changed(scale, values, stamp), "Scale")

    categories = {c.key: c for c in Category.objects.all()}
    category: Category | None  # below, a skill's category may be found nowhere
    for position, entry in enumerate(plan.categories, start=1):
        category = categories.get(entry["key"]) or Category(key=entry["key"])
        values = {
            "name": entry["name"],
            "kind": entry.get("kind", Category.Kind.SOFT),
            "description": entry.get("description", ""),
            "order": entry.get("order", position),
        }
        result.note_fields("categories", category, values)
        outcome = _save_if_changed(category, values, stamp)
        result.record("categories", category.key, outcome, entry["name"])
        categories[category.key] = category

    by_name = {c.name: c for c in sorted(categories.values(), key=lambda c: c.pk)}
    skills = {s.key: s for s in Skill.objects.all()}
    result.stored_names["skills"] = {s.key: s.name for s in skills.values()}
    next_order = max((c.order for c in categories.values()), default=0) + 1
    for entry in plan.skills:
        reference = entry["category"]
        category = categories.get(reference) or by_name.get(reference)
        if category is None:
            # Named by a skill but defined nowhere: created, soft, with a key from its name.
            category = Category(key=category_key_for(reference, set(categories)))
            values = {"name": reference, "kind": Category.Kind.SOFT, "order": next_order}
            next_order += 1
            outcome = _save_if_changed(category, values, stamp)
            result.record("categories", category.key, outcome, reference)
            categories[category.key] = by_name[reference] = category
        skill = skills.get(entry["key"]) or Skill(key=entry["key"])
        values = {
            "name": entry["name"],
            "category_id": category.pk,
            "description": entry.get("description", ""),
            "levels": entry.get("levels", {}),
            "how_to_grow": entry.get("how_to_grow", ""),
            "grow_to": entry.get("grow_to", {}),
            "retired": entry.get("retired", False),
        }
        category_names = {c.pk: c.name for c in categories.values()}
        result.note_fields("skills", skill, values, {"category_id": category_names})
        result.record("skills", skill.key, _save_if_changed(skill, values, stamp), entry["name"])
        skills[skill.key] = skill

    roles = {r.key: r for r in Role.objects.prefetch_related("next_roles", "expectations")}
    result.stored_names["roles"] = {r.key: r.name for r in roles.values()}
    outcomes: dict[str, str] = {}
    for entry in plan.roles:
        role = roles.get(entry["key"]) or Role(key=entry["key"])
        values = {
            "name": entry["name"],
            "track": entry["track"],
            "level": entry["level"],
            "summary": entry.get("summary", ""),
            "description": entry.get("description", ""),
            "typical_week": entry.get("typical_week", ""),
            "changes": entry.get("changes", ""),
            "retired": entry.get("retired", False),
        }
        result.note_fields("roles", role, values)
        outcomes[role.key] = _save_if_changed(role, values, stamp)
        result.names["roles"][role.key] = entry["name"]
        roles[role.key] = role

    # Links between roles and to skills once every role and skill exists.
    for entry in plan.roles:
        role = roles[entry["key"]]
        wanted_next = [roles[k] for k in entry.get("next_roles", [])]
        stored = outcomes[role.key] != "created"
        if stored:
            before_next = sorted(r.name for r in role.next_roles.all())
            after_next = sorted(r.name for r in wanted_next)
            if before_next != after_next:
                result.note("roles", role.key, role.name, "next_roles", before_next, after_next)
        changed = _set_next_roles(role, wanted_next, stamp)
        variant_of = roles[entry["variant_of"]] if entry.get("variant_of") else None
        if role.variant_of_id != (variant_of.pk if variant_of else None):
            if stored:
                before = role.variant_of.name if role.variant_of_id else None  # type: ignore[union-attr]
                after = variant_of.name if variant_of else None
                result.note("roles", role.key, role.name, "variant_of", before, after)
            role.variant_of = variant_of
            stamp.on(role)
            role.save(update_fields=["variant_of"])
            changed = True
        note = result if stored else None
        changed |= _set_expectations(role, entry.get("expectations", {}), skills, stamp, note)
        outcome = outcomes[role.key]
        if changed and outcome == "unchanged":
            outcome = "updated"
        result.record("roles", role.key, outcome)


def _set_next_roles(role: Role, wanted: list[Role], stamp: _Stamp) -> bool:
    if {r.pk for r in role.next_roles.all()} == {r.pk for r in wanted}:
        return False
    stamp.on(role)  # simple-history records the new set as a change of the role
    role.next_roles.set(wanted)
    return True


def _set_expectations(
    role: Role,
    wanted: dict[str, int],
    skills: dict[str, Skill],
    stamp: _Stamp,
    note: ImportResult | None = None,
) -> bool:
    """Replace the role's expectations with `wanted`, saving only the differences (each
    one noted on `note`, when given, as "role · skill: before → after")."""
    current = {e.skill_id: e for e in Expectation.objects.filter(role=role)}
    wanted_by_id = {skills[key].pk: level for key, level in wanted.items()}
    if note is not None:
        by_id = {s.pk: s for s in skills.values()}
        for skill_id in sorted(set(current) | set(wanted_by_id), key=lambda i: by_id[i].name):
            before = current[skill_id].level if skill_id in current else None
            after = wanted_by_id.get(skill_id)
            if before != after:
                skill = by_id[skill_id]
                name = f"{role.name} · {skill.name}"
                note.changes.append(
                    FieldChange("roles", role.key, name, "", _shown(before), _shown(after))
                )
    changed = False
    for skill_id, expectation in current.items():
        if skill_id not in wanted_by_id:
            stamp.on(expectation, "deleted")
            expectation.delete()
            changed = True
    for skill_id, level in wanted_by_id.items():
        expectation = current.get(skill_id) or Expectation(role=role, skill_id=skill_id)
        if _save_if_changed(expectation, {"level": level}, stamp) != "unchanged":
            changed = True
    return changed


# --- One skill or role at a time (API and pages) ---------------------------------------
# A write is an import of one entry: the same validation, the same history, one
# transaction. Errors come back keyed by field, as API clients and forms expect.


_ENTRY_PATH = re.compile(r"^\w+\[\d+\]\.(?P<field>\w+)\.?(?P<rest>.*)$")


def _field_errors(exc: FrameworkInvalid) -> ValidationError:
    """`skills[0].levels.7: level 7 is outside...` -> {"levels": ["7: level 7 is ..."]}."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        match = _ENTRY_PATH.match(error.path)
        field = {"key": "slug"}.get(match["field"], match["field"]) if match else "detail"
        rest = match["rest"] if match else ""
        errors.setdefault(field, []).append(f"{rest}: {error.message}" if rest else error.message)
    return ValidationError(errors)


def _write_entry(section: str, entry: dict[str, Any], by: Actor) -> None:
    try:
        framework_import(document={section: [entry]}, by=by)
    except FrameworkInvalid as exc:
        raise _field_errors(exc) from exc


@transaction.atomic
def skill_save(*, by: Actor, key: str, changes: dict[str, Any], create: bool = False) -> Skill:
    """Create a skill, or change the given fields of one (its other fields stay)."""
    existing = Skill.objects.select_related("category").filter(key=key).first()
    if create and existing is not None:
        raise ValidationError({"slug": f'A skill "{key}" exists already.'})
    entry = {"key": key} if existing is None else skill_entry(existing)
    _write_entry("skills", {**entry, **changes}, by)
    return Skill.objects.select_related("category").get(key=key)


@transaction.atomic
def role_save(*, by: Actor, key: str, changes: dict[str, Any], create: bool = False) -> Role:
    """Create a role, or change the given fields of one. `expectations` (a mapping of
    skill key to level), when given, replaces the whole set."""
    existing = Role.objects.with_links().filter(key=key)
    role = existing.first()
    if create and role is not None:
        raise ValidationError({"slug": f'A role "{key}" exists already.'})
    entry = {"key": key} if role is None else role_entry(role)
    _write_entry("roles", {**entry, **changes}, by)
    return Role.objects.get(key=key)


@transaction.atomic
def category_save(
    *, by: Actor, key: str, changes: dict[str, Any], create: bool = False
) -> Category:
    """Create a category, or change the given fields of one (its other fields stay)."""
    existing = Category.objects.filter(key=key).first()
    if create and existing is not None:
        raise ValidationError({"slug": f'A category "{key}" exists already.'})
    entry = {"key": key} if existing is None else category_entry(existing)
    _write_entry("categories", {**entry, **changes}, by)
    return Category.objects.get(key=key)


@transaction.atomic
def skill_set_retired(*, by: Actor, skill: Skill, retired: bool) -> Skill:
    """Retire a skill (hidden from new work, kept in history) or restore it."""
    return skill_save(by=by, key=skill.key, changes={"retired": retired})


@transaction.atomic
def role_set_retired(*, by: Actor, role: Role, retired: bool) -> Role:
    """Retire a role (hidden from new work, kept in history) or restore it."""
    return role_save(by=by, key=role.key, changes={"retired": retired})


@transaction.atomic
def expectation_set(
    *, by: Actor, role: Role, skill: Skill, level: int | None, was: int | None
) -> Expectation | None:
    """Set the level `role` expects of `skill` (None removes the expectation).

    `was` is the level the editor saw when they opened the cell: if the stored level
    differs, someone else changed it meanwhile and the write is refused with Conflict,
    so that nobody overwrites a change they never saw. Returns the stored Expectation,
    or None once removed.
    """
    if by is not None and not by.is_hr:
        raise PermissionDenied("Only HR admins may edit the framework.")
    scale = Scale.current()
    if level is not None and not scale.contains(level):
        message = (
            f"Level {level} is not on the scale: choose {scale.minimum} to {scale.maximum}, "
            "or leave it blank for no expectation."
        )
        raise ValidationError({"level": message})
    # The role row is the lock: two edits of one role's expectations take turns.
    locked = Role.objects.select_for_update().get(pk=role.pk)
    stored = (
        Expectation.objects.filter(role=locked, skill=skill).values_list("level", flat=True).first()
    )
    if stored != was:
        if stored is None:
            raise Conflict("Removed by someone else since you opened it; reload to see it.")
        raise Conflict(
            f"Changed by someone else to {stored} since you opened it; reload to see it."
        )
    if stored == level:
        return Expectation.objects.filter(role=locked, skill=skill).first()
    wanted = dict(Expectation.objects.filter(role=locked).values_list("skill__key", "level"))
    if level is None:
        wanted.pop(skill.key, None)
    else:
        wanted[skill.key] = level
    role_save(by=by, key=locked.key, changes={"expectations": wanted})
    return Expectation.objects.filter(role=locked, skill=skill).first()
