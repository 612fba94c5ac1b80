"""SCIM clients and their bearer tokens: created and revoked by HR (the SCIM clients
page) or from the command line (`manage.py scim_token`). Only a token's SHA-256 is kept;
the token itself is shown once, when it is made. A revoked client's token is refused."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from people.models import Person, ScimClient

TOKEN_PREFIX = "scim_"
NAME_MAX = ScimClient._meta.get_field("name").max_length or 100
# last_used_at is written at most this often per client: not one write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_hr(by: Person | None) -> None:
    # None: the command line (manage.py scim_token), run by whoever runs the server.
    if by is not None and not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may manage SCIM clients.")


@transaction.atomic
def client_create(*, by: Person | None, name: str) -> tuple[ScimClient, str]:
    """A new client named `name` and its token (shown once: only its hash is stored).
    A revoked client's name may be used again: the old client is replaced."""
    _require_hr(by)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the client a name (e.g. okta, workday)."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"The name is longer than {NAME_MAX} characters."})
    existing = ScimClient.objects.select_for_update().filter(name=name).first()
    if existing is not None and existing.revoked_at is None:
        raise ValidationError({"name": f'A SCIM client named "{name}" exists; revoke it first.'})
    if existing is not None:
        existing.delete()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ScimClient.objects.create(name=name, token_hash=_digest(token), created_by=by)
    audit.record_on_commit(
        by=by, action="scim.client.create", summary=f'Created SCIM client "{name}".', target=name
    )
    return client, token


@transaction.atomic
def client_revoke(*, by: Person | None, name: str) -> ScimClient:
    """Revoke the client's token: every later request with it gets 401."""
    _require_hr(by)
    client = ScimClient.objects.select_for_update().filter(name=name.strip()).first()
    if client is None:
        raise ValidationError({"name": f'No SCIM client is named "{name}".'})
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit.record_on_commit(
            by=by,
            action="scim.client.revoke",
            summary=f'Revoked SCIM client "{client.name}".',
            target=client.name,
        )
    return client


def client_for_token(token: str) -> ScimClient | None:
    """The live client the token belongs to, None for an unknown or revoked token; notes
    the use (last_used_at, to the minute)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    client = ScimClient.objects.filter(token_hash=_digest(token), revoked_at=None).first()
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        ScimClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
