"""The database going away: pages answer a 503 page, the API a JSON 503, both with
Retry-After and never a traceback; the app recovers by itself when it returns.

In process, a query wrapper stands in for the outage. Then for real: a throwaway
PostgreSQL cluster of the test's own, gunicorn in front of it, the cluster stopped and
started again (PostgreSQL runs only, as root, where the server binaries are).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.db import OperationalError, connection
from rest_framework.authtoken.models import Token

from tests import servers


def database_gone(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)


# --- In process: every query fails ------------------------------------------------


def test_a_page_answers_a_503_page_with_retry_after_when_the_database_is_gone(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(database_gone):
        response = client.get("/map/", secure=True)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "careermap is unavailable for a moment" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


def test_the_503_page_has_one_h1_and_no_user_or_navigation(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(database_gone):
        page = client.get("/map/", secure=True).content.decode()
    parser = Headings()
    parser.feed(page)
    assert parser.tags.count("h1") == 1
    assert "nav" not in parser.tags
    assert erin.name not in page
    assert "style=" not in page
    assert "<script" not in page


def test_a_write_answers_503_when_the_database_is_gone(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(database_gone):
        response = client.post("/map/target/", {"target_role": "staff-engineer"}, secure=True)
    assert response.status_code == 503


def gone_at_the_first_write(execute, sql, params, many, context):
    """The database answers the reads, then goes away when the write comes."""
    if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
        database_gone(execute, sql, params, many, context)
    return execute(sql, params, many, context)


def test_a_write_whose_database_goes_away_half_way_answers_503_and_changes_nothing(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(gone_at_the_first_write):
        response = client.post("/map/target/", {"target_role": "principal-engineer"}, secure=True)
    assert response.status_code == 503
    assert "careermap is unavailable for a moment" in response.content.decode()
    erin.refresh_from_db()
    assert erin.target_role.key == "staff-engineer"


def test_an_api_write_whose_database_goes_away_half_way_answers_a_json_503(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(gone_at_the_first_write):
        response = client.patch(
            f"/api/people/{erin.pk}/",
            {"target_role": "principal-engineer"},
            content_type="application/json",
            secure=True,
        )
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is unavailable")
    erin.refresh_from_db()
    assert erin.target_role.key == "staff-engineer"


def test_an_api_call_answers_a_json_503_with_retry_after(client, erin):
    token = Token.objects.create(user=erin)
    with connection.execute_wrapper(database_gone):
        response = client.get(
            "/api/me/", headers={"Authorization": f"Token {token.key}"}, secure=True
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "The database is unavailable. Try again in a moment."}


def test_an_api_call_with_a_session_answers_a_json_503_too(client, erin):
    client.force_login(erin)
    with connection.execute_wrapper(database_gone):
        response = client.get("/api/people/", secure=True)
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is unavailable")


def test_other_errors_are_not_turned_into_503(client, erin, monkeypatch):
    """Only an unreachable database is a 503; a bug stays a 500 (and is reported)."""

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("assessments.views.my_map.gaps_for", broken)
    client.raise_request_exception = False
    client.force_login(erin)
    assert client.get("/map/", secure=True).status_code == 500


def test_the_health_check_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_answers_503_when_the_database_is_gone(client, db):
    with connection.execute_wrapper(database_gone):
        response = client.get("/healthz", secure=True)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"status": "unavailable"}


def test_the_health_check_is_exempt_from_the_https_redirect(client, db, settings):
    """The load balancer probes each process directly, over plain http."""
    settings.SECURE_SSL_REDIRECT = True  # as in production (tests run with it off)
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200


# --- For real: a PostgreSQL cluster stopped and started under a running gunicorn --------

no_cluster = servers.why_no_throwaway_cluster()
PASSWORD = "fault-tolerant-7"


@pytest.fixture(scope="module")
def served_cluster() -> Iterator[tuple[servers.Cluster, int]]:
    """A cluster of the test's own with a migrated database and one person, fay, and
    one gunicorn worker in front of it (one worker: the very process that held a
    connection when the database went away must recover)."""
    with servers.throwaway_cluster() as cluster:
        cluster.create_database("careermap")
        url = cluster.url("careermap")
        servers.manage(url, "migrate", "--no-input")
        servers.manage(
            url,
            "shell",
            "-c",
            "from careermap.models import Person; "
            f"Person.objects.create_user(username='fay', name='Fay', password='{PASSWORD}')",
        )
        with servers.gunicorn(url, workers=1) as port:
            yield cluster, port


@pytest.mark.skipif(no_cluster is not None, reason=no_cluster or "")
def test_pages_and_api_answer_503_while_postgresql_is_stopped_and_recover_after(
    served_cluster,
):
    cluster, port = served_cluster
    fay = servers.Browser(port)
    fay.log_in("fay", PASSWORD)
    token = fay.post("/api/auth/token/", json_body={"username": "fay", "password": PASSWORD})
    assert token.status == 200, token.body
    by_token = {"Authorization": f"Token {token.json()['token']}"}

    def page():
        return fay.get("/map/")

    def api():
        return fay.get("/api/me/", headers=by_token)

    assert page().status == 200
    assert api().status == 200
    assert fay.get("/healthz").status == 200

    cluster.stop()
    try:
        down_page = page()
        assert down_page.status == 503, down_page.body
        assert down_page.headers["Retry-After"] == "30"
        assert down_page.headers["Content-Type"].startswith("text/html")
        assert "careermap is unavailable for a moment" in down_page.body
        assert "Traceback" not in down_page.body

        down_api = api()
        assert down_api.status == 503, down_api.body
        assert down_api.headers["Retry-After"] == "30"
        assert down_api.json()["detail"].startswith("The database is unavailable")

        down_session_api = fay.get("/api/people/")
        assert down_session_api.status == 503, down_session_api.body

        down_write = fay.post("/map/target/", form={"target_role": ""})
        assert down_write.status == 503, down_write.body

        assert fay.get("/healthz").status == 503
    finally:
        cluster.start()

    # Back: the first request after the restart works, in the same worker, with the
    # same session and token (nothing was lost; nothing needs a restart).
    back_page = page()
    assert back_page.status == 200, back_page.body
    assert "Fay" in back_page.body
    back_api = api()
    assert back_api.status == 200, back_api.body
    assert back_api.json()["username"] == "fay"
    assert fay.get("/healthz").json() == {"status": "ok"}
