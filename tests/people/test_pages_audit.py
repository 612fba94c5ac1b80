"""The audit trail's page, for HR: newest first, filtered by action, a fixed number of
queries; 404 for everyone else."""

from __future__ import annotations

import pytest

from core.audit import record


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
    rows = html.split("<tbody>")[1]  # the filter's options name the actions too
    assert rows.index("Logged in") < rows.index("Failed log-in") < rows.index("3 created")
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


def test_actions_are_named_in_words_in_the_table_and_the_filter(client, org, trail):
    client.force_login(org["hana"])
    html = client.get("/audit/").content.decode()
    assert "<td>People imported</td>" in html
    assert "<td>Failed log-in</td>" in html
    assert '<option value="login.failed">Failed log-in</option>' in html
    assert "<code>" not in html


def test_times_are_shown_in_the_viewers_time_zone_in_one_format(client, org, trail):
    from datetime import UTC, datetime

    from core.models import AuditEvent

    AuditEvent.objects.update(at=datetime(2026, 12, 3, 23, 30, tzinfo=UTC))
    hana = org["hana"]
    client.force_login(hana)
    assert ">3 Dec 2026, 23:30</time>" in client.get("/audit/").content.decode()

    hana.time_zone = "Asia/Tokyo"  # UTC+9: the next morning
    hana.save()
    assert ">4 Dec 2026, 08:30</time>" in client.get("/audit/").content.decode()
