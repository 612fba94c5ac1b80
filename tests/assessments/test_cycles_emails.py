"""Review cycles' emails through the real task worker and a real SMTP server: opening,
a reminder, the overdue notice, the once-a-day digest, and a manager told of a
report's self-assessment. Reminders are queued with run_after in the past (as the
worker would find them on their day); the next day is simulated by moving the
person's last email day back, never by sleeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.cycles import cycle_create, cycle_open, cycle_remind, site_today
from assessments.models import Cycle, CycleReminder
from people.models import Notification, Person
from tests.helpers import Mailbox, submit

TODAY = site_today()
DIGEST = "people.notifications.send_digest"


def opened(org) -> Cycle:
    values = {
        "name": "Winter review",
        "scope": "managers",
        "managers": [org["max"].pk],
        "self_due": TODAY + timedelta(days=10),
        "manager_due": TODAY + timedelta(days=20),
        "reminder_days": [7, 1],
    }
    return cycle_open(by=org["hana"], cycle=cycle_create(by=org["hana"], values=values))


def due(cycle: Cycle, step: str, day) -> None:
    """The reminder task of `day`, queued to run now (its day has come)."""
    cycle_remind.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue(
        cycle.pk, step, day.isoformat()
    )


def next_day() -> None:
    """Everyone's email of today is yesterday's; waiting digests are due now (the
    reminders scheduled by opening stay on their days)."""
    Person.objects.update(last_emailed_on=TODAY - timedelta(days=1))
    DBTaskResult.objects.filter(status="READY", task_path=DIGEST).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [m["Subject"] for m in mailbox.to(address)]


def test_opening_emails_everyone_in_scope_and_their_manager(org, mailbox: Mailbox, run_worker):
    cycle = opened(org)
    assert mailbox.messages == []  # queued, not sent by the request
    run_worker()
    day = f"{cycle.self_due.day} {cycle.self_due:%b %Y}"
    for who in ("erin", "sam"):
        [email] = mailbox.to(f"{who}@example.com")
        assert email["Subject"] == f"careermap: Self-assessment due {day}"
        body = Mailbox.body(email)
        assert "The review cycle “Winter review” is open" in body
        assert "/assess/" in body
        assert email.get_body(preferencelist=("html",)) is not None
    [to_max] = mailbox.to("max@example.com")
    assert "Manager assessments due" in to_max["Subject"]
    assert f"/cycles/{cycle.pk}/" in Mailbox.body(to_max)
    assert mailbox.to("eli@example.com") == []
    assert mailbox.to("mona@example.com") == []


def test_a_reminder_emails_who_is_not_done(org, mailbox: Mailbox, run_worker):
    cycle = opened(org)
    run_worker()
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    next_day()
    mailbox.messages.clear()
    due(cycle, "self", cycle.self_due - timedelta(days=7))
    due(cycle, "self", cycle.self_due - timedelta(days=7))  # a second worker's copy
    run_worker()
    assert [m["To"] for m in mailbox.messages if "Reminder" in m["Subject"]] == ["sam@example.com"]
    [email] = mailbox.to("sam@example.com")
    assert email["Subject"].startswith("careermap: Reminder: self-assessment due")
    assert CycleReminder.objects.count() == 1


def test_the_overdue_notice(org, mailbox: Mailbox, run_worker):
    cycle = opened(org)
    run_worker()
    next_day()
    mailbox.messages.clear()
    due(cycle, "manager", cycle.manager_due + timedelta(days=1))
    run_worker()
    [email] = mailbox.messages
    assert email["To"] == "max@example.com"
    assert email["Subject"].startswith("careermap: Overdue: manager assessments overdue")
    assert "2 of your reports are still to be assessed" in Mailbox.body(email)


def test_a_second_notification_the_same_day_waits_for_the_next_digest(
    org, mailbox: Mailbox, run_worker
):
    cycle = opened(org)
    run_worker()
    assert len(mailbox.to("sam@example.com")) == 1
    # The same day, a reminder: in the app at once, by email only in tomorrow's digest.
    due(cycle, "self", cycle.self_due - timedelta(days=1))
    run_worker()
    assert len(mailbox.to("sam@example.com")) == 1
    reminder = Notification.objects.get(recipient=org["sam"], title__startswith="Reminder")
    assert reminder.email == "pending"
    next_day()
    run_worker()
    [_, digest] = mailbox.to("sam@example.com")
    assert "Reminder: self-assessment due" in Mailbox.body(digest)
    reminder.refresh_from_db()
    assert reminder.email == "sent"


def test_a_manager_hears_of_a_reports_self_assessment(org, mailbox: Mailbox, run_worker):
    opened(org)
    run_worker()
    next_day()
    mailbox.messages.clear()
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    run_worker()
    [email] = mailbox.to("max@example.com")
    assert email["Subject"] == "careermap: Erin submitted a self-assessment"
    assert f"/team/{org['erin'].pk}/assess/" in Mailbox.body(email)
    assert mailbox.to("erin@example.com") == []


@pytest.mark.parametrize("kind", ["self_submitted"])
def test_the_manager_is_told_outside_any_cycle_too(org, mailbox: Mailbox, run_worker, kind):
    submit(org["sam"], org["sam"], "self", {"mentoring": 3})
    run_worker()
    assert subjects(mailbox, "max@example.com") == ["careermap: Sam submitted a self-assessment"]
    assert Notification.objects.filter(kind=kind, recipient=org["max"]).count() == 1
