"""What a save changes, without reading the row again.

`watch(Model, *fields)` keeps, on each instance, the values those fields held when it
was loaded (post_init, from the instance's own __dict__: a field left out of the query
by .only() costs no query) and as last saved. In a post_save receiver, `of(instance)`
is {field: (before, after)} for the watched fields that save changed; a save limited
by `update_fields` changes only those. Receivers of several apps (the audit trail,
the team tallies) share one record of it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_init, pre_save

_WATCHED: dict[type[models.Model], frozenset[str]] = {}


def watch(model: type[models.Model], *fields: str) -> None:
    """Keep the values of `fields` (attribute names: "manager_id") on `model`'s instances."""
    _WATCHED[model] = _WATCHED.get(model, frozenset()) | frozenset(fields)
    uid = model._meta.label_lower
    post_init.connect(_loaded, sender=model, dispatch_uid=f"changes_loaded_{uid}")
    pre_save.connect(_saving, sender=model, dispatch_uid=f"changes_saving_{uid}")


def of(instance: models.Model) -> dict[str, tuple[Any, Any]]:
    """The watched fields the save under way changed: {name: (before, after)}."""
    return getattr(instance, "_changes_saved", {})


def _loaded(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    instance._changes_held = {  # type: ignore[attr-defined]
        name: instance.__dict__.get(name) for name in _WATCHED[sender]
    }


def _saving(
    sender: type[models.Model], instance: models.Model, update_fields: Any = None, **kwargs: Any
) -> None:
    held: dict[str, Any] = getattr(instance, "_changes_held", {})
    names = _WATCHED[sender]
    if update_fields is not None:  # "manager" or "manager_id": the save writes only those
        written = {field.removesuffix("_id") for field in update_fields}
        names = frozenset(name for name in names if name.removesuffix("_id") in written)
    changed = {}
    for name in names:
        before, after = held.get(name), instance.__dict__.get(name)
        if before != after:
            changed[name] = (before, after)
            held[name] = after
    instance._changes_held = held  # type: ignore[attr-defined]
    instance._changes_saved = changed  # type: ignore[attr-defined]
