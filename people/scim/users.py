"""Person <-> SCIM User, and SCIM's writes. Every write is one transaction and goes
through people.services for the org chart's rules (manager_error via person_update,
role_change, person_deactivate/person_reactivate); each leaves an audit line naming the
SCIM client. Superusers are not provisioned by SCIM: they are invisible here; so is
anyone a SCIM client DELETEd (deactivated, never deleted: RFC 7644 §3.6's 404) until a
POST with their userName re-provisions them or HR reactivates them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from scim2_models import Email, Meta

from core import audit
from core.concurrency import etag_of
from people import services
from people.models import Person, ScimClient
from people.scim.schemas import CareermapUser, EnterpriseUser, Manager, Name, ScimUser
from skills.models import Role

USERNAME_MAX = 150
NAME_MAX = Person._meta.get_field("name").max_length or 200
EXTERNAL_ID_MAX = Person._meta.get_field("external_id").max_length or 255


class ScimError(Exception):
    """A refusal in SCIM's terms (RFC 7644 §3.12): status, scimType, detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def people() -> QuerySet[Person]:
    """Everyone SCIM may see: all but superusers and the people SCIM deleted, in a
    stable order."""
    return (
        Person.objects.filter(is_superuser=False, scim_deleted_at__isnull=True)
        .select_related("role", "manager")
        .order_by("pk")
    )


def person_or_404(pk: str) -> Person:
    person = people().filter(pk=int(pk)).first() if re.fullmatch(r"[0-9]{1,18}", pk) else None
    if person is None:
        raise ScimError(404, f"No User has the id {pk[:40]!r}.")
    return person


def to_scim(person: Person, base: str) -> ScimUser:
    """The person as a SCIM User (meta.version: the ETag of what is shown)."""
    user = ScimUser(
        id=str(person.pk),
        external_id=person.external_id or None,
        user_name=person.username,
        display_name=person.name or None,
        name=Name(
            formatted=person.name or None,
            given_name=person.first_name or None,
            family_name=person.last_name or None,
        )
        if person.name or person.first_name or person.last_name
        else None,
        emails=[Email(value=person.email, primary=True, type=Email.Type.work)]
        if person.email
        else None,
        active=person.is_active,
    )
    if person.manager_id is not None and person.manager is not None:
        user[EnterpriseUser] = EnterpriseUser(
            manager=Manager(
                value=str(person.manager_id),
                ref=f"{base}/Users/{person.manager_id}",  # type: ignore[arg-type]
                display_name=str(person.manager),
            )
        )
    if person.role is not None:
        user[CareermapUser] = CareermapUser(role=person.role.key)
    content = user.model_dump()
    user.meta = Meta(
        resource_type="User",
        created=person.date_joined,
        last_modified=person.date_joined,
        location=f"{base}/Users/{person.pk}",
        version="W/" + etag_of(content),
    )
    return user


@dataclass
class _Wanted:
    username: str
    name: str
    given_name: str
    family_name: str
    email: str
    external_id: str
    active: bool
    manager: Person | None
    role: Role | None


def _wanted(user: ScimUser, *, current: Person | None) -> _Wanted:
    """What the User asks for, checked against the database; ScimError if refused."""
    username = (user.user_name or "").strip()
    if not username:
        raise ScimError(400, "userName is required.", "invalidValue")
    if len(username) > USERNAME_MAX:
        raise ScimError(400, f"userName is longer than {USERNAME_MAX}.", "invalidValue")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ScimError(
            400, "userName may hold only letters, digits and @ . + - _.", "invalidValue"
        ) from None
    taken = Person.objects.filter(username__iexact=username)
    if current is not None:
        taken = taken.exclude(pk=current.pk)
    if taken.exists():
        raise ScimError(409, f'userName "{username}" is taken.', "uniqueness")

    name = user.display_name or (user.name.formatted if user.name else None) or ""
    if not name and user.name is not None:
        name = " ".join(p for p in (user.name.given_name, user.name.family_name) if p)
    if len(name) > NAME_MAX:
        raise ScimError(400, f"displayName is longer than {NAME_MAX}.", "invalidValue")

    given = (user.name.given_name if user.name else None) or ""
    family = (user.name.family_name if user.name else None) or ""
    if max(len(given), len(family)) > 150:
        raise ScimError(400, "name.givenName or familyName is longer than 150.", "invalidValue")

    emails = user.emails or []
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    email = str(chosen.value or "") if chosen is not None else ""

    external_id = user.external_id or ""
    if len(external_id) > EXTERNAL_ID_MAX:
        raise ScimError(400, f"externalId is longer than {EXTERNAL_ID_MAX}.", "invalidValue")

    manager = None
    enterprise = user[EnterpriseUser]
    if enterprise is not None and enterprise.manager is not None and enterprise.manager.value:
        value = enterprise.manager.value
        manager = (
            people().filter(pk=int(value)).first() if re.fullmatch(r"[0-9]{1,18}", value) else None
        )
        if manager is None and current is not None and value == str(current.manager_id):
            manager = current.manager  # kept, though SCIM no longer sees them (deleted)
        if manager is None:
            raise ScimError(
                400, f"manager.value: no User has the id {value[:40]!r}.", "invalidValue"
            )

    role = None
    careermap = user[CareermapUser]
    if careermap is not None and careermap.role:
        role = Role.objects.filter(key=careermap.role).first()
        if role is None:
            raise ScimError(
                400, f'role: no role has the key "{careermap.role[:60]}".', "invalidValue"
            )
        if role.retired and (current is None or current.role_id != role.pk):
            raise ScimError(400, f'role: role "{role.key}" is retired.', "invalidValue")
    return _Wanted(
        username=username,
        name=name,
        given_name=given,
        family_name=family,
        email=email,
        external_id=external_id,
        # Left out: kept as it is (a replacement that forgets `active` reactivates no
        # one); a new User is active.
        active=user.active if user.active is not None else (current is None or current.is_active),
        manager=manager,
        role=role,
    )


def _actor(client: ScimClient) -> Person:
    """The HR authority a SCIM client acts with (never saved: the services ask only
    whether it is an active HR admin and not a superuser)."""
    return Person(username=f"scim:{client.name}", name=f"SCIM client {client.name}", is_hr=True)


def _refused(exc: ValidationError | PermissionDenied) -> ScimError:
    if isinstance(exc, PermissionDenied):
        return ScimError(403, str(exc))
    detail = "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
    )
    return ScimError(400, detail, "invalidValue")


def _apply(client: ScimClient, person: Person, wanted: _Wanted) -> list[str]:
    """Write `wanted` onto the saved `person` through the services; what changed."""
    by = _actor(client)
    changed = []
    own = {
        "username": wanted.username,
        "name": wanted.name,
        "first_name": wanted.given_name,
        "last_name": wanted.family_name,
        "external_id": wanted.external_id,
    }
    fields = [f for f, v in own.items() if getattr(person, f) != v]
    if fields:
        for f in fields:
            setattr(person, f, own[f])
        person.save(update_fields=fields)
        changed += fields
    update: dict[str, Any] = {}
    if person.email != wanted.email:
        update["email"] = wanted.email
    if person.manager_id != (wanted.manager.pk if wanted.manager else None):
        update["manager"] = wanted.manager
    try:
        if update:
            services.person_update(by=by, person=person, **update)
            changed += list(update)
        if person.role_id != (wanted.role.pk if wanted.role else None):
            services.role_change(by=None, person=person, to_role=wanted.role)
            changed.append("role")
        if person.is_active and not wanted.active:
            services.person_deactivate(by=by, person=person)
            changed.append("active")
        elif not person.is_active and wanted.active:
            services.person_reactivate(by=by, person=person)
            changed.append("active")
    except (ValidationError, PermissionDenied) as exc:
        raise _refused(exc) from exc
    return changed


def _record(client: ScimClient, verb: str, person: Person, what: str, note: str = "") -> None:
    audit.record_on_commit(
        by=None,
        action=f"scim.user.{verb}",
        summary=f'SCIM client "{client.name}" {what} {person.username}{note}.',
        target=person.username,
    )


def _locked(person: Person) -> Person:
    """The person again, locked until the transaction ends; 404 once SCIM deleted them."""
    found = (
        Person.objects.select_for_update()
        .filter(pk=person.pk, scim_deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise ScimError(404, f"No User has the id {str(person.pk)!r}.")
    return found


def user_create(*, client: ScimClient, user: ScimUser) -> Person:
    """A new person; or, when the userName is that of someone a SCIM client deleted,
    that same person re-provisioned (same id, history kept)."""
    with transaction.atomic():
        services.lock_org_chart()
        username = (user.user_name or "").strip()
        deleted = (
            Person.objects.select_for_update()
            .filter(is_superuser=False, scim_deleted_at__isnull=False, username__iexact=username)
            .first()
            if username
            else None
        )
        if deleted is not None:
            return _reprovision(client, deleted, user)
        wanted = _wanted(user, current=None)
        person = Person(username=wanted.username, name=wanted.name, external_id=wanted.external_id)
        person.set_unusable_password()  # they log in by single sign-on or a set link
        person.save()
        _apply(client, person, wanted)
        _record(client, "create", person, "created")
    return person


def _reprovision(client: ScimClient, person: Person, user: ScimUser) -> Person:
    """Someone SCIM deleted, created again: every attribute of `user` applied (as by a
    replacement), and active unless `user` says `active: false`."""
    wanted = _wanted(user, current=person)
    if user.active is None:
        wanted.active = True
    person.scim_deleted_at = None
    person.save(update_fields=["scim_deleted_at"])
    _apply(client, person, wanted)
    _record(client, "create", person, "re-provisioned", " (deleted by SCIM before)")
    return person


def user_replace(*, client: ScimClient, person: Person, user: ScimUser) -> Person:
    with transaction.atomic():
        services.lock_org_chart()
        person = _locked(person)
        wanted = _wanted(user, current=person)
        changed = _apply(client, person, wanted)
        if changed:
            _record(client, "update", person, f"changed {', '.join(changed)} of")
    return person


def user_delete(*, client: ScimClient, person: Person) -> Person:
    """SCIM's DELETE: the person is deactivated (as by `active: false`) and marked
    deleted, so SCIM answers 404 for them from now on; never deleted from the database:
    their assessments and history stay."""
    with transaction.atomic():
        person = _locked(person)
        was_active = person.is_active
        if was_active:
            try:
                services.person_deactivate(by=_actor(client), person=person)
            except (ValidationError, PermissionDenied) as exc:
                raise _refused(exc) from exc
        person.scim_deleted_at = timezone.now()
        person.save(update_fields=["scim_deleted_at"])
        what, why = ("deactivated", "") if was_active else ("deleted", ", already inactive")
        _record(client, "deactivate", person, what, f" (SCIM DELETE{why})")
    return person
