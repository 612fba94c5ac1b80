"""Notifications (rules: people.notifications): in the app and by email, one email a
person a day, each person's choice per kind, retries with a backoff, HR's failed list,
and a worker killed in the middle of an email that loses nothing. The emails go through
a real SMTP server (aiosmtpd) and the real task worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from people.models import Notification, NotificationSetting, Person
from people.notifications import Kind, failed_retry, mark_read, notify, settings_update
from tests import harness
from tests.factories import PersonFactory
from tests.helpers import Mailbox


def tell(person: Person, title: str = "Self-assessment due 1 Jan", kind: str = Kind.CYCLE):
    return notify(recipients=[person], kind=kind, title=title, body="Body.", link="/assess/")


def fresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


# --- In the app -------------------------------------------------------------------------


def test_a_notification_counts_on_the_bell_until_read(client, org):
    erin = org["erin"]
    first, second = tell(erin, "One")[0], tell(erin, "Two")[0]
    assert fresh(erin).notifications_unread == 2
    client.force_login(erin)
    html = client.get("/").content.decode()
    assert 'class="bell-count">2<span class="visually-hidden"> unread' in html

    page = client.get("/notifications/").content.decode()
    assert page.index("Two") < page.index("One")  # newest first
    opened = client.get(f"/notifications/{first.pk}/")
    assert opened.status_code == 302
    assert opened["Location"] == "/assess/"
    assert fresh(erin).notifications_unread == 1
    client.get(f"/notifications/{first.pk}/")  # opening it again counts nothing twice
    assert fresh(erin).notifications_unread == 1

    assert client.post("/notifications/read/").status_code == 302
    assert fresh(erin).notifications_unread == 0
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert "bell-count" not in client.get("/").content.decode()


def test_nobody_opens_or_marks_another_persons_notification(client, org):
    [theirs] = tell(org["erin"])
    client.force_login(org["sam"])
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    client.post("/notifications/read/", {"id": theirs.pk})
    assert fresh(org["erin"]).notifications_unread == 1
    assert "Self-assessment due" not in client.get("/notifications/").content.decode()


def test_each_person_chooses_per_kind_and_cycle_dates_stay_in_the_app(org):
    erin = org["erin"]
    settings_update(person=erin, changes={"self_submitted": "off", "checkin": "in_app"})
    assert notify(recipients=[erin], kind=Kind.SELF_SUBMITTED, title="x") == []
    [in_app] = notify(recipients=[erin], kind=Kind.CHECKIN, title="x")
    assert in_app.email == Notification.Email.NONE
    [emailed] = tell(erin)
    assert emailed.email == Notification.Email.PENDING

    with pytest.raises(ValidationError) as refused:
        settings_update(person=erin, changes={"checkin": "email", "cycle": "off"})
    assert "cycle" in refused.value.message_dict
    # All or nothing: the valid change beside it was not made either.
    assert NotificationSetting.objects.get(person=erin, kind="checkin").channel == "in_app"


def test_no_email_address_or_deactivated_means_in_the_app_or_nothing(org):
    nomail = PersonFactory(email="")
    [notification] = tell(nomail)
    assert notification.email == Notification.Email.NONE
    gone = PersonFactory(is_active=False)
    assert tell(gone) == []


def test_the_pages_query_counts_are_pinned(client, org, django_assert_num_queries):
    erin = org["erin"]
    for n in range(5):
        tell(erin, f"Item {n}")
    client.force_login(erin)
    # session, person, the page's count, the navigation's "manages anyone?", the page
    with django_assert_num_queries(5):
        assert client.get("/notifications/").status_code == 200
    # session, person, the person's settings, the navigation's "manages anyone?"
    with django_assert_num_queries(4):
        assert client.get("/account/notifications/").status_code == 200


def test_the_settings_page_saves_and_names_a_bad_choice(client, org):
    client.force_login(org["erin"])
    html = client.get("/account/notifications/").content.decode()
    assert 'name="cycle" value="off"' not in html  # never offered
    assert 'name="checkin" value="off"' in html
    saved = client.post(
        "/account/notifications/", {"cycle": "in_app", "checkin": "off", "self_submitted": "email"}
    )
    assert saved.status_code == 302
    assert NotificationSetting.objects.get(person=org["erin"], kind="cycle").channel == "in_app"
    bad = client.post("/account/notifications/", {"cycle": "off", "checkin": "email"})
    assert bad.status_code == 400
    assert "Review cycles: what is due, reminders, overdue steps: Cycle due dates" in (
        bad.content.decode()
    )
    assert NotificationSetting.objects.get(person=org["erin"], kind="checkin").channel == "off"


# --- The API ----------------------------------------------------------------------------


def test_the_api_lists_reads_and_sets(as_, org):
    erin = org["erin"]
    first, second = tell(erin, "One")[0], tell(erin, "Two")[0]
    [sams] = tell(org["sam"])
    api = as_("erin")
    listed = api.get("/api/me/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["Two", "One"]
    assert listed["results"][0] == {
        "id": second.pk,
        "kind": "cycle",
        "title": "Two",
        "body": "Body.",
        "link": "/assess/",
        "created_at": listed["results"][0]["created_at"],
        "read": False,
        "read_at": None,
    }
    read = api.post(f"/api/me/notifications/{first.pk}/read/")
    assert read.status_code == 200
    assert read.json()["read"] is True
    unread = api.get("/api/me/notifications/?unread=true").json()["results"]
    assert [n["id"] for n in unread] == [second.pk]
    assert api.post(f"/api/me/notifications/{sams.pk}/read/").status_code == 404
    assert api.get("/api/me/notifications/?unread=maybe").status_code == 400

    got = api.get("/api/me/notification-settings/").json()
    assert got == dict.fromkeys(Kind.values, "email")
    patched = api.patch("/api/me/notification-settings/", {"checkin": "off"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["checkin"] == "off"
    bad = api.patch(
        "/api/me/notification-settings/", {"cycle": "off", "nonsense": "email"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"cycle", "nonsense"}
    assert api.get("/api/me/notification-settings/").json()["cycle"] == "email"
    assert as_("sam").get("/api/me/notifications/").json()["count"] == 1


# --- Email, through the worker and a real SMTP server -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_email_a_day_the_rest_in_the_next_days_digest(org, mailbox: Mailbox, run_worker):
    erin = org["erin"]
    tell(erin, "Self-assessment due 1 Jan")
    assert mailbox.messages == []  # queued, not sent by the caller
    run_worker()
    [first] = mailbox.to("erin@example.com")
    assert first["Subject"] == "careermap: Self-assessment due 1 Jan"
    assert "http://careermap.test/assess/" in Mailbox.body(first)
    assert "http://careermap.test/account/notifications/" in Mailbox.body(first)
    assert 'href="http://careermap.test/assess/"' in Mailbox.html(first)
    assert first["List-Unsubscribe"] == "<http://careermap.test/account/notifications/>"

    tell(erin, "Your manager assessed you", kind=Kind.MANAGER_SUBMITTED)
    tell(erin, "Check-in on Friday", kind=Kind.CHECKIN)
    run_worker()
    assert len(mailbox.to("erin@example.com")) == 1  # one email a day
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert waiting.exists()
    assert all(t.run_after > timezone.now() for t in waiting)

    # The next morning: the digest sends both, in one email.
    waiting.update(run_after=timezone.now())
    Person.objects.filter(pk=erin.pk).update(
        last_emailed_on=timezone.localdate() - timedelta(days=1)
    )
    run_worker()
    digest = mailbox.to("erin@example.com")[1]
    assert digest["Subject"] == "careermap: 2 updates: Your manager assessed you, and more"
    assert "Check-in on Friday" in Mailbox.body(digest)
    assert not Notification.objects.filter(email=Notification.Email.PENDING).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_is_retried_then_listed_for_hr(
    org, settings, mailbox: Mailbox, run_worker, client
):
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": harness.free_port(), "timeout": 2},
        }
    }
    settings.CAREERMAP_EMAIL_ATTEMPTS = 3
    settings.CAREERMAP_EMAIL_RETRY_SECONDS = 0  # the backoff's base: 0, 0, 0 here
    [notification] = tell(org["erin"])
    run_worker()
    tries = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert sorted(t.return_value for t in tries) == [  # tried again twice, then...
        "failed (attempt 1), tried again later: [Errno 111] Connection refused",
        "failed (attempt 2), tried again later: [Errno 111] Connection refused",
    ]
    notification.refresh_from_db()
    assert notification.email == Notification.Email.FAILED
    assert notification.attempts == 3
    assert "ConnectionRefusedError" in notification.last_error
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1  # admin

    client.force_login(org["erin"])
    assert client.get("/notifications/failed/").status_code == 404
    client.force_login(org["hana"])
    page = client.get("/notifications/failed/").content.decode()
    assert f'data-notification="{notification.pk}"' in page
    assert "ConnectionRefusedError" in page

    settings.MAILERS = working
    assert client.post("/notifications/failed/", {"id": notification.pk}).status_code == 302
    run_worker()
    assert len(mailbox.to("erin@example.com")) == 1
    notification.refresh_from_db()
    assert notification.email == Notification.Email.SENT


def test_only_hr_sends_failed_emails_again(org):
    with pytest.raises(Exception, match="Only HR"):
        failed_retry(by=org["mona"])


def test_marking_read_counts_only_what_changed(org):
    erin = org["erin"]
    made = tell(erin) + tell(erin)
    assert mark_read(person=erin, ids=[made[0].pk, made[0].pk]) == 1
    assert mark_read(person=erin) == 1
    assert mark_read(person=erin) == 0
    assert fresh(erin).notifications_unread == 0


# --- A worker killed in the middle of an email ------------------------------------------


class StallingMailbox(Mailbox):
    """Accepts nothing until `open` is set: a worker sending to it hangs in the middle of
    the email, where it is killed."""

    def __init__(self) -> None:
        super().__init__()
        self.open = False

    async def handle_DATA(self, server, session, envelope) -> str:
        while not self.open:
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_no_email_and_sends_it_once_restarted(org):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the worker is a process of its own on the test database")
    box = StallingMailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=harness.free_port())
    smtp.start()
    try:
        tell(org["erin"], "Self-assessment due 1 Jan")
        tell(org["sam"], "Self-assessment due 1 Jan")
        env = {
            **harness.production_env(harness.database_url_of_the_tests()),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "CAREERMAP_SITE_URL": "http://careermap.test/",
        }
        command = [sys.executable, "manage.py", "worker", "--worker-id", "test-worker"]
        worker = subprocess.Popen(
            [*command, "--interval", "0.1", "--no-startup-delay"],
            cwd=harness.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists():
                assert time.monotonic() < deadline, "the worker never started the task"
                time.sleep(0.1)
            time.sleep(0.5)  # in the middle of the SMTP conversation
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        assert box.messages == []
        assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 1

        box.open = True
        restarted = subprocess.run(
            [*command, "--batch", "--no-startup-delay"],
            cwd=harness.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert restarted.returncode == 0, restarted.stderr
        assert "Requeued 1 task(s) that worker test-worker left running" in (
            restarted.stdout + restarted.stderr
        )
        assert sorted(m["To"] for m in box.messages) == ["erin@example.com", "sam@example.com"]
        assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
        assert not Notification.objects.exclude(email=Notification.Email.SENT).exists()
    finally:
        smtp.stop()


def test_queries_of_notify_do_not_grow_with_recipients(org):
    people = [PersonFactory() for _ in range(6)]
    with CaptureQueriesContext(connection) as few:
        notify(recipients=people[:2], kind=Kind.CYCLE, title="x")
    with CaptureQueriesContext(connection) as many:
        notify(recipients=people, kind=Kind.CYCLE, title="x")
    # The same three (settings, the notifications, the counters), and a queued task for
    # each person emailed: four more people, four more tasks.
    assert len(many) - len(few) == 4
