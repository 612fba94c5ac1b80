"""Scaling past one process: app processes keep no state of their own. Two gunicorn
processes (two machines behind a proxy, as far as the app can tell) on one PostgreSQL
database: a session made on one works on the other, a write made through one is read
through the other, and a log out on one ends the session on both.

The processes run against the test database itself; each test's data is committed
(transactional_db) so that they see it, and removed after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from tests import harness


@pytest.fixture(scope="module")
def processes(django_db_setup, django_db_blocker) -> Iterator[tuple[int, int]]:
    """Started once for the module: they keep nothing between tests but their
    connections, which is the point."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: separate processes share a server database")
    with (
        django_db_blocker.unblock(),
        harness.gunicorns(harness.database_url_of_the_tests(), count=2) as ports,
    ):
        yield ports[0], ports[1]
    # The processes are gone before the test database is dropped.


@pytest.fixture
def two_processes(processes, transactional_db, org, settings) -> tuple[int, int]:
    # The processes check passwords with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    org["erin"].set_password("demo")
    org["erin"].save(update_fields=["password"])
    return processes


def test_a_session_made_on_one_process_works_on_the_other(two_processes, erin):
    first, second = two_processes
    on_first = harness.Browser(first)
    on_first.log_in("erin", "demo")
    on_second = on_first.sharing_cookies_with(second)

    page = on_second.get("/map/")
    assert page.status == 200
    assert erin.name in page.body
    me = on_second.get("/api/me/")
    assert me.status == 200
    assert me.json()["username"] == "erin"


def test_writes_through_one_process_are_read_through_the_other(two_processes, erin):
    first, second = two_processes
    on_first = harness.Browser(first)
    on_first.log_in("erin", "demo")
    on_second = on_first.sharing_cookies_with(second)
    assert erin.target_role.key == "staff-engineer"

    # A page form (no htmx) through the second process...
    form = on_second.post(
        "/map/target/",
        form={
            "target_role": "principal-engineer",
            "csrfmiddlewaretoken": on_first.cookies["csrftoken"],
        },
    )
    assert form.status == 302, form.body
    assert on_first.get("/api/me/").json()["target_role"] == "principal-engineer"

    # ...and an API write with the session and its CSRF token, read back on the first.
    api = on_second.request(
        "PATCH", f"/api/people/{erin.pk}/", json_body={"target_role": "engineering-manager"}
    )
    assert api.status == 200, api.body
    assert on_first.get(f"/api/people/{erin.pk}/").json()["target_role"] == "engineering-manager"

    erin.refresh_from_db()
    assert erin.target_role.key == "engineering-manager"


def test_logging_out_on_one_process_ends_the_session_on_the_other(two_processes, erin):
    first, second = two_processes
    on_first = harness.Browser(first)
    on_first.log_in("erin", "demo")
    session = on_first.cookies["sessionid"]
    on_second = harness.Browser(second, {**on_first.cookies})
    assert on_second.get("/map/").status == 200

    assert on_first.post("/logout/").status == 302

    after = on_second.get("/map/")
    assert after.status == 302
    assert after.headers["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=session).exists()
