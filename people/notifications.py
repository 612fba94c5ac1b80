"""Notifications (issue 19): the one home of their rules.

- **What**: something a person should know (a cycle's to-do, a report's submitted
  self-assessment, a request for input...). `notify` is the one writer: services call
  it inside their own transaction, so a write that rolls back tells nobody.
- **Where**: each person chooses per kind (Notification.Kind): email (and in the app),
  in the app only, or off; none chosen means email. Cycle due dates are never off.
  In the app: the bell's count (Person.notifications_unread, kept here) and the
  notifications page.
- **Email**: one email a person a day, at most. A notification to email is "pending";
  the task `send_digest` sends a person's pending ones in one email. The first of a
  day goes at once; once a person had their email of the day (in their time zone),
  the rest wait for the next day's digest at settings.CAREERMAP_DIGEST_HOUR. The
  email says what the recipient may see anyway (each notification's title, body and
  link) and links to their notification settings.
- **Failures**: an email that fails is tried again with a backoff (settings
  CAREERMAP_EMAIL_RETRY_SECONDS, times 4 each time, CAREERMAP_EMAIL_ATTEMPTS in all),
  then marked failed: HR's failed notifications page lists those and sends them again.
- **Workers**: any number, on any machines. `send_digest` locks the person's row, so
  two workers never send one person two emails; what it sent is marked sent in the
  transaction that sends it, so a task run again (a killed worker's, requeued by
  `manage.py worker`) sends what is still pending, once.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from core import audit, mail
from core.site import site_url
from people.models import Notification, NotificationSetting, Person

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Channel = NotificationSetting.Channel
Email = Notification.Email

NEVER_OFF = frozenset({Kind.CYCLE})  # kinds a person may not switch off
DEFAULT = Channel.EMAIL


# --- Settings -------------------------------------------------------------------------


def channels_of(person: Person) -> dict[str, str]:
    """{kind: channel} for every kind, the person's choice or the default. One query."""
    chosen = dict(person.notification_settings.values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT) for kind in Kind.values}


@transaction.atomic
def settings_update(*, person: Person, changes: Mapping[str, str]) -> dict[str, str]:
    """Set the person's channel of each kind in `changes`; all or nothing. Raises
    ValidationError naming the kind for an unknown kind or channel, or "off" for a
    kind that cannot be switched off. Returns every kind's channel."""
    errors: dict[str, str] = {}
    for kind, channel in changes.items():
        if kind not in Kind.values:
            errors[kind] = f"Unknown kind of notification. Kinds: {', '.join(Kind.values)}."
        elif channel not in Channel.values:
            errors[kind] = f"Choose one of: {', '.join(Channel.values)}."
        elif channel == Channel.OFF and kind in NEVER_OFF:
            errors[kind] = "Cycle due dates cannot be switched off: choose email or in_app."
    if errors:
        raise ValidationError(errors)
    for kind, channel in changes.items():
        NotificationSetting.objects.update_or_create(
            person=person, kind=kind, defaults={"channel": channel}
        )
    return channels_of(person)


# --- Writing --------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[Person],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
) -> list[Notification]:
    """Tell each of `recipients` (active people) `title` (and `body`, and a `link`: a
    path on this site), by their chosen channel for `kind`. Call it inside the write's
    transaction: the emails are queued with it. Returns the notifications made (none
    for people who switched the kind off or are inactive)."""
    if kind not in Kind.values:
        raise ValueError(f"kind must be one of {Kind.values}, not {kind!r}")
    people = {p.pk: p for p in recipients if p.is_active}
    if not people:
        return []
    chosen = dict(
        NotificationSetting.objects.filter(person__in=people, kind=kind).values_list(
            "person_id", "channel"
        )
    )
    made = []
    for pk, person in people.items():
        channel = chosen.get(pk, DEFAULT)
        if channel == Channel.OFF and kind not in NEVER_OFF:
            continue
        emailed = channel == Channel.EMAIL and bool(person.email)
        made.append(
            Notification(
                recipient=person,
                kind=kind,
                title=title[:200],
                body=body[:2000],
                link=link[:500],
                email=Email.PENDING if emailed else Email.NONE,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(made)
        Person.objects.filter(pk__in=[n.recipient_id for n in made]).update(
            notifications_unread=F("notifications_unread") + 1
        )
        for notification in made:
            if notification.email == Email.PENDING:
                send_digest.enqueue(notification.recipient_id)
    return made


@transaction.atomic
def mark_read(*, person: Person, ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread notifications read: those of `ids`, or all. Another
    person's id is not found (nothing happens to it). Returns how many."""
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        Person.objects.filter(pk=person.pk).update(
            notifications_unread=F("notifications_unread") - count
        )
        person.notifications_unread = max(person.notifications_unread - count, 0)
    return count


# --- Reading --------------------------------------------------------------------------


def notifications_of(person: Person) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def failed_emails() -> QuerySet[Notification]:
    """Notifications whose email failed for good (HR's failed notifications page)."""
    return (
        Notification.objects.filter(email=Email.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def failed_retry(*, by: Person, ids: Iterable[int] | None = None) -> int:
    """HR: try the failed emails (of `ids`, or all) again, with a fresh set of
    attempts. Returns how many were queued."""
    if not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may send failed notifications again.")
    failed = Notification.objects.select_for_update().filter(email=Email.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=list(ids))
    people = set(failed.values_list("recipient_id", flat=True))
    count = failed.update(email=Email.PENDING, attempts=0, last_error="")
    for pk in people:
        send_digest.enqueue(pk)
    if count:
        audit.record(
            by=by,
            action="notifications.retry",
            summary=f"Sent {count} failed notification email(s) again.",
        )
    return count


# --- The email ------------------------------------------------------------------------


def _zone(person: Person) -> tzinfo:
    if person.time_zone:
        try:
            return zoneinfo.ZoneInfo(person.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def _next_digest(person: Person, today: date) -> datetime:
    zone = _zone(person)
    at = time(hour=min(max(settings.CAREERMAP_DIGEST_HOUR, 0), 23))
    return datetime.combine(today + timedelta(days=1), at, tzinfo=zone)


def _backoff(attempt: int) -> timedelta:
    """The wait before attempt `attempt + 1`: the base, times 4 per attempt made."""
    return timedelta(seconds=settings.CAREERMAP_EMAIL_RETRY_SECONDS * 4 ** (attempt - 1))


@task
def send_digest(person_id: int) -> str:
    """Email `person_id` their pending notifications, in one email; see the module's
    docstring for the once-a-day rule and the retries. Returns what it did."""
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update().filter(pk=person_id).first()
            if person is None:
                return "not sent: the person is gone"
            pending = list(
                Notification.objects.filter(recipient=person, email=Email.PENDING).order_by(
                    "created_at", "id"
                )
            )
            if not pending:
                return "nothing to send"
            if not person.is_active or not person.email:
                Notification.objects.filter(pk__in=[n.pk for n in pending]).update(email=Email.NONE)
                return "not sent: the person is deactivated or has no email address"
            today = timezone.localdate(timezone=_zone(person))
            if person.last_emailed_on == today:
                send_digest.using(run_after=_next_digest(person, today)).enqueue(person.pk)
                return f"waits for tomorrow's digest: {len(pending)} notification(s)"
            _send(person, pending)
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                email=Email.SENT, emailed_at=now, attempts=F("attempts") + 1
            )
            person.last_emailed_on = today
            person.save(update_fields=["last_emailed_on"])
            return f"sent {len(pending)} notification(s) to {person.email}"
    except Exception as error:
        return _failed(person_id, error)


def _send(person: Person, pending: list[Notification]) -> None:
    settings_link = site_url(reverse("people:notification_settings"))
    items = [
        {"title": n.title, "body": n.body, "link": site_url(n.link) if n.link else ""}
        for n in pending
    ]
    mail.send(
        to=person.email,
        template="people/email/digest",
        context={
            "person": person,
            "items": items,
            "settings_link": settings_link,
            "notifications_link": site_url(reverse("people:notifications")),
        },
        headers={"List-Unsubscribe": f"<{settings_link}>"},
    )


def _failed(person_id: int, error: Exception) -> str:
    """The email could not be sent: count the attempt, and try again later or, after
    the last attempt, mark the notifications failed (and fail the task, for the admin)."""
    with transaction.atomic():
        pending = Notification.objects.select_for_update().filter(
            recipient_id=person_id, email=Email.PENDING
        )
        pending.update(attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}")
        attempts = max(pending.values_list("attempts", flat=True), default=0)
        retry = attempts < settings.CAREERMAP_EMAIL_ATTEMPTS
        if retry:
            send_digest.using(run_after=timezone.now() + _backoff(attempts)).enqueue(person_id)
        else:
            pending.update(email=Email.FAILED)
    logger.warning("Email to person %s failed (attempt %s): %s", person_id, attempts, error)
    if retry:
        return f"failed (attempt {attempts}), tried again later: {error}"
    raise error
