"""Writes to the org chart. Only HR admins change roles and managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careermap.models import Person
from skills.models import Role

_UNSET = object()


def manager_error(person: Person, manager: Person) -> str | None:
    """Why `manager` cannot manage `person` (a cycle), or None."""
    if person.pk is None:
        return None
    if manager.pk == person.pk:
        return "A person cannot be their own manager."
    if Person.objects.below(person.pk).filter(pk=manager.pk).exists():
        return (
            f"{manager} reports to {person}; making them {person}'s manager would create a cycle."
        )
    return None


@transaction.atomic
def person_update(
    *,
    by: Person,
    person: Person,
    role: Role | object | None = _UNSET,
    manager: Person | object | None = _UNSET,
    target_role: Role | object | None = _UNSET,
) -> Person:
    """Set a person's role and manager (HR only) and target role (the person or HR).

    Arguments left out are not touched. Raises PermissionDenied or ValidationError
    (keyed by field) and writes nothing when any part is refused.
    """
    errors: dict[str, str] = {}
    hr_fields = [
        name for name, value in (("role", role), ("manager", manager)) if value is not _UNSET
    ]
    if hr_fields and not by.is_hr:
        raise PermissionDenied(f"Only HR admins may change {' and '.join(hr_fields)}.")
    if target_role is not _UNSET and not (by.is_hr or by.pk == person.pk):
        raise PermissionDenied("Only the person or an HR admin may choose the target role.")

    for field, value in (("role", role), ("target_role", target_role)):
        if isinstance(value, Role) and value.retired:
            errors[field] = f'Role "{value.key}" is retired.'
    if isinstance(manager, Person) and (problem := manager_error(person, manager)):
        errors["manager"] = problem
    if errors:
        raise ValidationError(errors)

    if role is not _UNSET:
        person.role = role  # type: ignore[assignment]
    if manager is not _UNSET:
        person.manager = manager  # type: ignore[assignment]
    if target_role is not _UNSET:
        person.target_role = target_role  # type: ignore[assignment]
    person.save()
    return person
