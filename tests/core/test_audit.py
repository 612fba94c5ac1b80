"""The audit trail: one writer, and the events that reach it (its page:
tests/people/test_pages_audit.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from core.audit import record
from core.models import AuditEvent
from skills.openformat import parse
from skills.services import framework_import, role_save
from tests.factories import PersonFactory


def test_record_keeps_who_what_and_when(db):
    hana = PersonFactory(username="hana", name="Hana Hr", is_hr=True)

    event = record(by=hana, action="people.import", summary="3 created", target="people.csv")

    stored = AuditEvent.objects.get()
    assert stored == event
    assert (stored.by, stored.by_name, stored.action) == (hana, "Hana Hr", "people.import")
    assert (stored.summary, stored.target) == ("3 created", "people.csv")
    assert stored.at is not None


def test_record_without_a_person_is_kept_anonymous(db):
    record(by=None, action="login.failed", summary="Failed log in", target="nobody")

    stored = AuditEvent.objects.get()
    assert (stored.by, stored.by_name, stored.target) == (None, "", "nobody")


# --- What reaches the trail --------------------------------------------------------------


def actions() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", "summary"))


def test_logins_logouts_and_failed_logins_are_recorded(client, erin):
    client.post("/login/", {"username": "erin", "password": "nope"})
    client.post("/login/", {"username": "erin", "password": "demo"})
    client.post("/logout/")

    assert actions() == [
        ("login.failed", "Failed log-in"),
        ("login", "Logged in"),
        ("logout", "Logged out"),
    ]
    failed, login, logout = AuditEvent.objects.order_by("pk")
    assert (failed.by, failed.target) == (None, "erin")
    assert login.by == logout.by == erin


def test_a_token_from_the_api_is_recorded_as_a_login(client, erin):
    response = client.post(
        "/api/auth/token/",
        {"username": "erin", "password": "demo"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert actions() == [("login", "Logged in to the API")]


def test_role_manager_and_hr_changes_of_a_person_are_recorded_with_who(
    client, org, framework, django_capture_on_commit_callbacks
):
    hana, erin = org["hana"], org["erin"]
    client.force_login(hana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/people/{erin.pk}/",
            {"role": "staff-engineer", "manager": org["mia"].pk},
            content_type="application/json",
        )
    assert response.status_code == 200

    event = AuditEvent.objects.get(action="person.change")
    assert event.by == hana
    assert event.target == "erin"
    assert "Role: Senior Engineer → Staff Engineer" in event.summary
    assert "Manager: Max → Mia" in event.summary


def test_deactivation_is_recorded(org, django_capture_on_commit_callbacks):
    erin = org["erin"]
    with django_capture_on_commit_callbacks(execute=True):
        erin.is_active = False
        erin.save()

    assert actions() == [("person.change", "Erin: Active: yes → no")]


def test_a_save_that_changes_nothing_tracked_is_not_recorded(
    org, django_capture_on_commit_callbacks
):
    erin = org["erin"]
    with django_capture_on_commit_callbacks(execute=True):
        erin.name = "Erin Renamed"
        erin.save()

    assert actions() == []


def test_a_framework_edit_is_one_line_however_many_records_it_writes(
    org, django_capture_on_commit_callbacks
):
    hana = org["hana"]
    with django_capture_on_commit_callbacks(execute=True):
        role_save(
            by=hana,
            key="staff-engineer",
            changes={"summary": "Leads across teams.", "retired": False},
        )

    (event,) = AuditEvent.objects.all()
    assert (event.by, event.action) == (hana, "framework.edit")
    assert event.summary == "Role staff-engineer changed"


def test_a_framework_import_is_recorded_with_its_counts(org, django_capture_on_commit_callbacks):
    hana = org["hana"]
    document = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    document["roles"][0]["summary"] = "Changed by the import."
    with django_capture_on_commit_callbacks(execute=True):
        framework_import(document=document, by=hana)

    (event,) = AuditEvent.objects.all()
    assert (event.by, event.action) == (hana, "framework.import")
    assert "roles: 0 created, 1 updated" in event.summary


def test_a_dry_run_leaves_no_line(org, django_capture_on_commit_callbacks):
    document = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    document["roles"][0]["summary"] = "Changed by the import."
    with django_capture_on_commit_callbacks(execute=True):
        framework_import(document=document, by=org["hana"], dry_run=True)

    assert actions() == []
