"""Receivers that keep the org tallies (assessments.rollups) true when the people or the
framework below them change: people and skills sit below assessments and cannot call
it. Each refresh runs in the writer's transaction (or once at the end of its
core.derived.batch())."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assessments import rollups
from core import changes
from people.models import Person
from people.signals import people_changed
from skills.models import Expectation, Skill

# What places a person in a team and measures them there.
_PLACING = ("manager_id", "role_id", "target_role_id", "is_active")


changes.watch(Person, *_PLACING)
changes.watch(Skill, "retired")


@receiver(post_save, sender=Person)
def _person_saved(
    sender: Any, instance: Person, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    """A new person joins a team; one moved, re-roled or (de)activated changes their old
    and new team. A save of other fields only (a login, a password) recounts nothing."""
    moved = changes.of(instance)
    if raw or not (created or moved.keys() & set(_PLACING)):
        return
    old_manager = moved["manager_id"][0] if "manager_id" in moved else instance.manager_id
    rollups.refresh({instance.manager_id} if created else {instance.manager_id, old_manager})


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


@receiver(post_save, sender=Skill)
def _skill_saved(
    sender: Any, instance: Skill, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    # A skill retired or back moves every gap and pair on it; a new one, none yet.
    if not raw and not created and "retired" in changes.of(instance):
        rollups.refresh(None)
