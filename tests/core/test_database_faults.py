"""The database going away: pages answer a 503 page, the API a JSON 503, both with
Retry-After and never a traceback.

In process, a query wrapper stands in for the outage. For real (a PostgreSQL cluster
stopped under a running gunicorn, and the app recovering when it returns):
tests/infrastructure/test_stopped_database.py; the health check: tests/careermap/.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.db import connection
from rest_framework.authtoken.models import Token

from tests.helpers import database_gone


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
