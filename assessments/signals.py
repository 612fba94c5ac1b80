"""Receivers that keep the org tallies (assessments.rollups) true when the people or the
framework below them change: people and skills sit below assessments and cannot call
it. Each refresh runs in the writer's transaction (or once at the end of its
core.derived.batch())."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from assessments import rollups
from people.models import Person
from people.signals import people_changed
from skills.models import Expectation, Skill

# What places a person in a team and measures them there.
_PLACING = ("manager_id", "role_id", "target_role_id", "is_active")


def _placing(person: Person) -> tuple[Any, ...]:
    return tuple(getattr(person, name) for name in _PLACING)


def _loaded(instance: Any, names: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The values of `names` as the database held them when `instance` was loaded (the
    models keep them: Person.from_db, Skill.from_db), or None if it was not loaded so."""
    loaded = getattr(instance, "_loaded", None)
    if loaded is None or not all(name in loaded for name in names):
        return None
    return tuple(loaded[name] for name in names)


def _remember(instance: Any, names: tuple[str, ...]) -> None:
    """After a save, what the database holds now."""
    loaded = getattr(instance, "_loaded", None) or {}
    instance._loaded = loaded | {name: getattr(instance, name) for name in names}


@receiver(pre_save, sender=Person)
def _person_before(sender: Any, instance: Person, update_fields: Any = None, **kwargs: Any) -> None:
    """Remember where the person stood: their old team needs counting again too."""
    placing = {name.removesuffix("_id") for name in _PLACING}
    if instance._state.adding:
        before: tuple[Any, ...] | None = ()  # new: no old team
    elif update_fields is not None and not placing & {f.removesuffix("_id") for f in update_fields}:
        before = None  # a save of other fields only (last_login, a password) moves nobody
    else:
        before = _loaded(instance, _PLACING)
        if before is None:  # not loaded from the database: read the row
            before = Person.objects.filter(pk=instance.pk).values_list(*_PLACING).first() or ()
    instance._placing_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Person)
def _person_after(sender: Any, instance: Person, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_placing_before", ())
    _remember(instance, _PLACING)
    if raw or before is None or before == _placing(instance):
        return
    rollups.refresh({instance.manager_id, *(before[:1] if before else ())})


@receiver(post_delete, sender=Person)
def _person_gone(sender: Any, instance: Person, **kwargs: Any) -> None:
    # Their reports now have no manager (SET_NULL): the team of no manager grows.
    rollups.refresh({instance.manager_id, None})


@receiver(people_changed)
def _people_changed(sender: Any, **kwargs: Any) -> None:
    rollups.refresh(None)


@receiver([post_save, post_delete], sender=Expectation)
def _expectation_changed(
    sender: Any, instance: Expectation, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        rollups.refresh_role(instance.role_id)


@receiver(pre_save, sender=Skill)
def _skill_before(sender: Any, instance: Skill, **kwargs: Any) -> None:
    before = _loaded(instance, ("retired",))
    if before is None and not instance._state.adding:
        before = Skill.objects.filter(pk=instance.pk).values_list("retired").first()
    instance._retired_before = before[0] if before else None  # type: ignore[attr-defined]


@receiver(post_save, sender=Skill)
def _skill_after(
    sender: Any, instance: Skill, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    # A skill retired or back moves every gap and pair on it; a new one, none yet.
    before = getattr(instance, "_retired_before", None)
    _remember(instance, ("retired",))
    if not raw and not created and before != instance.retired:
        rollups.refresh(None)
