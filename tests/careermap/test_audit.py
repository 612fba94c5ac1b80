"""The audit trail: one writer, and the events that reach it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from careermap.audit import record
from careermap.models import AuditEvent
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


# --- The page ---------------------------------------------------------------------------


@pytest.fixture
def trail(org) -> None:
    record(by=org["hana"], action="people.import", summary="3 created")
    record(by=None, action="login.failed", summary="Failed log-in", target="mallory")
    record(by=org["erin"], action="login", summary="Logged in", target="erin")


def test_hr_sees_the_trail_newest_first(client, org, trail):
    client.force_login(org["hana"])
    response = client.get("/audit/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert html.index("Logged in") < html.index("Failed log-in") < html.index("3 created")
    assert "mallory" in html


def test_hr_filters_the_trail_by_action(client, org, trail):
    client.force_login(org["hana"])
    html = client.get("/audit/", {"action": "login.failed"}).content.decode()

    assert "Failed log-in" in html
    assert "3 created" not in html
    assert "1 event<" in html


@pytest.mark.parametrize("who", ["erin", "max", "mona"])
def test_anyone_but_hr_gets_404(client, org, who):
    client.force_login(org[who])

    assert client.get("/audit/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/audit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("events", [3, 120])
def test_the_page_takes_a_fixed_number_of_queries(client, org, events, django_assert_num_queries):
    for n in range(events):
        record(by=org["erin"], action="login", summary=f"Logged in {n}")
    client.force_login(org["hana"])
    # session; user; the actions for the filter; the count; the page of events with
    # their people; the navigation's "has reports" for the Team link
    with django_assert_num_queries(6):
        response = client.get("/audit/", {"page": 2 if events > 50 else 1})
    assert response.status_code == 200
