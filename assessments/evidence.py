"""The evidence log: the one home of its rules (issue 17).

- **Who sees it**: the person, everyone above them, HR (`visible_evidence`); anyone else
  gets 404, as for the person.
- **Who adds it**: the person (their own record) or someone above them (an observation).
  HR, unless they manage the person, reads but does not add.
- **Who changes it**: whoever added it edits or deletes it. The person cannot delete an
  observation about them; they dispute it instead (`evidence_dispute`): it stays, marked
  disputed, with their comment, and leaves their map's counts until the dispute is
  withdrawn.
- **What an item holds**: a title, a kind, a date not in the future, an http(s) URL if
  any (typed, never fetched), a description, one or more active skills.

Pages, the API and the assessment form's citations go through these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.models import Evidence
from core.limits import TEXT_MAX
from people.models import Person
from people.visibility import manages
from skills.models import Skill

EDITABLE = ("title", "kind", "date", "url", "description", "skills")
_URL = URLValidator(schemes=["http", "https"])
TITLE_MAX = Evidence._meta.get_field("title").max_length or 200
URL_MAX = Evidence._meta.get_field("url").max_length or 500


def visible_evidence(user: Person) -> QuerySet[Evidence]:
    """The items of every person `user` may see, newest first, with their skills."""
    return (
        Evidence.objects.filter(person__in=Person.objects.visible_to(user))
        .select_related("added_by", "person")
        .prefetch_related("skills")
    )


def may_add(user: Person, person: Person) -> bool:
    """The person themselves, or someone above them."""
    return user.pk == person.pk or manages(user, person)


def _cleaned(fields: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The fields, checked and converted; ValidationError naming each bad one."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in fields:
            if not partial and name in ("title", "kind", "date", "skills"):
                errors[name] = "This field is required."
            continue
        value = fields[name]
        try:
            clean[name] = _CHECKS[name](value)
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return clean


def _title(value: Any) -> str:
    title = value.strip() if isinstance(value, str) else ""
    if not title:
        raise ValidationError("Give the evidence a title.")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"Keep the title under {TITLE_MAX} characters.")
    return title


def _kind(value: Any) -> str:
    if value not in Evidence.Kind.values:
        raise ValidationError("Choose one of: " + ", ".join(Evidence.Kind.values) + ".")
    return str(value)


def _date(value: Any) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("Give the date as YYYY-MM-DD.") from None
    if not isinstance(value, date):
        raise ValidationError("Give the date as YYYY-MM-DD.")
    if value > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    return value


def _url(value: Any) -> str:
    url = value.strip() if isinstance(value, str) else None
    if url is None:
        raise ValidationError("Give the link as text.")
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise ValidationError(f"Keep the link under {URL_MAX} characters.")
    try:
        _URL(url)
    except ValidationError:
        raise ValidationError("Give a web address starting with http:// or https://.") from None
    return url


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError("Give the description as text.")
    if len(value) > TEXT_MAX:
        raise ValidationError(f"Keep the description under {TEXT_MAX} characters.")
    return value.strip()


def _skills(value: Any) -> list[Skill]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Give a list of skill slugs.")
    keys = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if not keys:
        raise ValidationError("Choose at least one skill it shows.")
    found = {s.key: s for s in Skill.objects.active().filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise ValidationError("No active skill " + ", ".join(repr(k) for k in missing) + ".")
    return [found[k] for k in keys]


_CHECKS = {
    "title": _title,
    "kind": _kind,
    "date": _date,
    "url": _url,
    "description": _description,
    "skills": _skills,
}


@transaction.atomic
def evidence_add(*, by: Person, person: Person, **fields: Any) -> Evidence:
    if not may_add(by, person):
        raise PermissionDenied("Only the person and those above them add evidence for them.")
    clean = _cleaned(fields, partial=False)
    skills = clean.pop("skills")
    item = Evidence.objects.create(person=person, added_by=by, **clean)
    item.skills.set(skills)
    return item


@transaction.atomic
def evidence_update(*, by: Person, item: Evidence, **fields: Any) -> Evidence:
    if by.pk != item.added_by_id:
        raise PermissionDenied("Only whoever added this evidence changes it.")
    clean = _cleaned(fields, partial=True)
    skills = clean.pop("skills", None)
    for name, value in clean.items():
        setattr(item, name, value)
    item.save()
    if skills is not None:
        item.skills.set(skills)
    return item


@transaction.atomic
def evidence_delete(*, by: Person, item: Evidence) -> None:
    if by.pk != item.added_by_id:
        raise PermissionDenied("Only whoever added this evidence deletes it.")
    item.delete()


@transaction.atomic
def evidence_dispute(*, by: Person, item: Evidence, disputed: bool, comment: str = "") -> Evidence:
    """The person disputes an observation about them (it stays, marked, with their
    comment) or withdraws their dispute."""
    if by.pk != item.person_id:
        raise PermissionDenied("Only the person it is about disputes an observation.")
    if not item.is_observation:
        raise ValidationError({"disputed": "Your own evidence: edit or delete it instead."})
    comment = comment.strip() if isinstance(comment, str) else ""
    if disputed and not comment:
        raise ValidationError({"dispute_comment": "Say why you dispute it."})
    item.disputed, item.dispute_comment = disputed, comment if disputed else ""
    item.save(update_fields=["disputed", "dispute_comment", "updated_at"])
    return item


def citable_by_skill(person: Person) -> dict[int, list[Evidence]]:
    """skill id -> the person's undisputed items that show it, newest first: what an
    assessment of them offers to cite beside each skill (the services still check every
    id cited). One query, whatever the number of items and skills; the fields a list
    shows only."""
    rows = (
        Evidence.skills.through.objects.filter(evidence__person=person, evidence__disputed=False)
        .select_related("evidence")
        .only("skill_id", "evidence__title", "evidence__kind", "evidence__date")
        .order_by("-evidence__date", "-evidence__id")
    )
    found: dict[int, list[Evidence]] = {}
    for row in rows:
        found.setdefault(row.skill_id, []).append(row.evidence)
    return found
