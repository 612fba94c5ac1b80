"""CAREERMAP_PASSWORD_LOGIN=0 (issue 22): password log-in off on the page and the API's
token endpoint, but for superusers (break-glass); and the account page's API token,
which people who sign in with SSO (no password) use for their scripts."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.audit import audit_events
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


@pytest.fixture
def passwords_off(settings) -> None:
    settings.CAREERMAP_PASSWORD_LOGIN = False


def me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/me/").status_code


def test_with_passwords_off_a_person_cannot_log_in_with_one(client, erin, passwords_off):
    html = client.get("/login/").content.decode()
    assert "Password log-in is switched off" in html
    assert "Forgot your password?" not in html
    response = client.post("/login/", {"username": "erin", "password": "demo"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct username and password" in response.content.decode()


def test_with_passwords_off_the_token_endpoint_refuses_passwords(erin, passwords_off):
    response = APIClient().post(TOKEN_URL, {"username": "erin", "password": "demo"})
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=erin).exists()


def test_with_passwords_off_a_superuser_still_logs_in_break_glass(client, db, passwords_off):
    PersonFactory(username="root", is_superuser=True, is_staff=True)
    response = client.post("/login/", {"username": "root", "password": "demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]
    response = APIClient().post(TOKEN_URL, {"username": "root", "password": "demo"})
    assert response.status_code == 200
    assert me(response.json()["token"]) == 200


def test_with_passwords_on_nothing_changes(client, erin):
    assert "Forgot your password?" in client.get("/login/").content.decode()
    assert client.post("/login/", {"username": "erin", "password": "demo"}).status_code == 302
    response = APIClient().post(TOKEN_URL, {"username": "erin", "password": "demo"})
    assert response.status_code == 200


def test_a_person_creates_a_token_on_their_account_page_sees_it_once_and_revokes_it(
    client, erin, passwords_off, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    html = client.get("/account/").content.decode()
    assert "You have no token." in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/token/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = Token.objects.get(user=erin).key
    assert f'value="{key}"' in response.content.decode()
    assert me(key) == 200

    html = client.get("/account/").content.decode()
    assert "You have a token, created" in html
    assert key not in html  # shown once only

    # A new one replaces it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/token/")
    assert me(key) == 401
    key = Token.objects.get(user=erin).key
    assert me(key) == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/token/revoke/")
    assert response.status_code == 302
    assert me(key) == 401
    assert "You have no token." in client.get("/account/").content.decode()
    assert audit_events(action="token.created").filter(by=erin).count() == 2
    assert audit_events(action="token.revoked").filter(by=erin).count() == 1


def test_token_buttons_are_post_only_and_need_a_log_in(client, erin):
    response = client.post("/account/token/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Token.objects.filter(user=erin).exists()
    client.force_login(erin)
    assert client.get("/account/token/").status_code == 405
    assert client.get("/account/token/revoke/").status_code == 405
    assert not Token.objects.filter(user=erin).exists()


def test_the_account_page_query_count(client, erin, django_assert_num_queries):
    client.force_login(erin)
    client.post("/account/token/")
    # 1 session, 2 person, 3 the token, 4 the navigation's flags (reports? cases?).
    with django_assert_num_queries(NUM_ACCOUNT_QUERIES):
        assert client.get("/account/").status_code == 200


NUM_ACCOUNT_QUERIES = 4
