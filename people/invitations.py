"""Getting people in: HR invites them (an email with a link to choose a password), and
anyone with an email address here can ask for a new link when they forget theirs.

Both links are Django's password-reset tokens (`default_token_generator`): valid for
settings.PASSWORD_RESET_TIMEOUT (a week) and for one use, since setting the password
changes what the token signs. Emails are sent by a task (`send_password_link`) that the
worker (`manage.py db_worker`) runs, never by the request: the request only enqueues it,
in its own transaction, so nothing is sent for a write that rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import audit, mail
from core.security import password_link_throttled
from people.models import Person
from people.tokens import revoke_all

logger = logging.getLogger(__name__)

INVITATION = "invitation"
RESET = "reset"
PURPOSES = (INVITATION, RESET)

# Who has not got in yet, and who of them an invitation can reach: the people list's
# filter and button, the invitation form and HR's home count with these.
NEVER_LOGGED_IN = Q(last_login__isnull=True)
NOT_INVITED = NEVER_LOGGED_IN & Q(invited_at__isnull=True)
INVITABLE = Q(is_active=True) & NEVER_LOGGED_IN & ~Q(email="")


@dataclass
class Invitations:
    """What people_invite did: who gets an email, who cannot (and why)."""

    sent: list[Person] = field(default_factory=list)
    no_email: list[Person] = field(default_factory=list)
    inactive: list[Person] = field(default_factory=list)
    revoked: int = 0  # API tokens of theirs revoked


@transaction.atomic
def people_invite(*, by: Person, people: Iterable[Person], site: str) -> Invitations:
    """Email each of `people` an invitation to choose a password, with links to `site`
    (the address people reach careermap at, e.g. "https://careermap.example.com/").
    Deactivated people and people without an email address are left out and named in
    the result. HR admins only; superusers only by a superuser.

    Sent to someone who has logged in before, it is HR resetting their access (a lost
    password, a suspected leak): their API tokens are revoked at once (people.tokens),
    as setting the new password will revoke them again."""
    if not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may invite people.")
    found = Invitations()
    for person in people:
        if person.is_superuser and not by.is_superuser:
            raise PermissionDenied("Only a superuser may invite a superuser.")
        if not person.is_active:
            found.inactive.append(person)
        elif not person.email:
            found.no_email.append(person)
        else:
            send_password_link.enqueue(person.pk, INVITATION, site)
            found.revoked += revoke_all(person)
            found.sent.append(person)
    if found.sent:
        now = timezone.now()
        Person.objects.filter(pk__in=[p.pk for p in found.sent]).update(invited_at=now)
        for person in found.sent:
            person.invited_at = now
        names = ", ".join(p.username for p in found.sent)
        audit.record(
            by=by,
            action="people.invite",
            summary=f"Sent {len(found.sent)} invitation(s) to set a password: {names}"
            + (f"; revoked {found.revoked} API token(s)." if found.revoked else "."),
        )
    return found


def password_link_request(*, email: str, site: str, ip: str | None = None) -> int:
    """ "Forgot your password?": email a link to every active person with this address
    (case-insensitive), whether or not they ever had a password. Returns how many; the
    page never says, so that it does not tell who has an account. A request past the
    limits for its address or its client's `ip` (core.security) queues nothing."""
    if password_link_throttled(email=email, ip=ip):
        logger.warning("Too many password link requests from %s: nothing sent.", ip)
        return 0
    people = Person.objects.filter(email__iexact=email.strip(), is_active=True)
    ids = list(people.values_list("pk", flat=True))
    for pk in ids:
        send_password_link.enqueue(pk, RESET, site)
    return len(ids)


@task
def send_password_link(person_id: int, purpose: str, site: str) -> str:
    """The email itself, in the worker: the link is made here, when the email is sent,
    so a queue that waited does not shorten its week. Returns what it did."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email:
        return "not sent: the person is gone, deactivated or has no email address"
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("password_set", kwargs={"uidb64": uid, "token": token})
    context = {
        "person": person,
        "link": site.rstrip("/") + path,
        "site": site.rstrip("/") + "/",
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    mail.send(to=person.email, template=f"people/email/{purpose}", context=context)
    return f"sent to {person.email}"
