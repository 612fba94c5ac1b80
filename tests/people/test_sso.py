"""Single sign-on (issue 22) against a real OpenID provider process (tests/oidc): the
code flow with PKCE, the matching rules and every refusal, with Django's test client on
our side and the provider's own log-in pages on the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client

from core.audit import audit_events
from people.models import Person
from tests import oidc
from tests.factories import PersonFactory

CALLBACK = "http://testserver/sso/callback/"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc.provider([CALLBACK], ["http://testserver/login/"]) as url:
        yield url


@pytest.fixture
def sso_on(settings, issuer) -> str:
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = oidc.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc.CLIENT_SECRET
    settings.OIDC_LABEL = "Log in with Keycloak"
    return issuer


def start(client: Client, next_url: str = "") -> str:
    response = client.get("/sso/start/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client: Client, login: str) -> tuple[str, str]:
    """Start at careermap, sign in at the provider; the callback URL and the authorize URL."""
    authorize = start(client)
    return oidc.sign_in(authorize, login, CALLBACK), authorize


def callback(client: Client, url: str):
    parts = urlparse(url)
    return client.get(parts.path + "?" + parts.query)


def logged_in_as(client: Client) -> Person | None:
    user_id = client.session.get("_auth_user_id")
    return Person.objects.get(pk=user_id) if user_id else None


def test_without_the_settings_the_log_in_page_is_unchanged_and_sso_is_404(client, db):
    html = client.get("/login/").content.decode()
    assert "sso-login" not in html
    assert 'name="password"' in html
    assert "Forgot your password?" in html
    assert client.get("/sso/start/").status_code == 404
    assert client.get("/sso/callback/?code=x&state=y").status_code == 404


def test_a_known_verified_email_logs_in_case_insensitively_with_pkce(client, sso_on, db):
    erin = PersonFactory(username="erin", email="Erin.Doe@Example.com")
    html = client.get("/login/").content.decode()
    assert "Log in with Keycloak" in html
    assert 'href="/sso/start/"' in html

    authorize = start(client, next_url="/account/")
    query = parse_qs(urlparse(authorize).query)
    assert authorize.startswith(f"{sso_on}/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["nonce"]
    assert query["state"]
    assert query["redirect_uri"] == [CALLBACK]

    back = oidc.sign_in(authorize, "erin.doe@EXAMPLE.com", CALLBACK)
    response = callback(client, back)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert logged_in_as(client) == erin
    assert client.get("/account/").status_code == 200
    assert audit_events(action="login").filter(by=erin).exists()


def test_an_unknown_email_is_asked_to_see_hr_and_nothing_is_created(client, sso_on, db):
    before = Person.objects.count()
    back, _ = sign_in(client, "stranger@example.com")
    response = callback(client, back)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ask HR to add you" in html
    assert "stranger@example.com" in html
    assert Person.objects.count() == before
    assert logged_in_as(client) is None


def test_with_create_users_an_unknown_email_becomes_a_person_with_no_role(
    client, sso_on, settings, db, django_capture_on_commit_callbacks
):
    settings.CAREERMAP_OIDC_CREATE_USERS = True
    PersonFactory(username="newcomer")  # the email's local part is taken: a unique one
    back, _ = sign_in(client, "newcomer@corp.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = callback(client, back)
    assert response.status_code == 302
    person = Person.objects.get(email="newcomer@corp.example")
    assert logged_in_as(client) == person
    assert person.username.startswith("newcomer-")
    assert person.role is None
    assert person.manager is None
    assert not person.is_hr
    assert not person.has_usable_password()
    assert audit_events(action="person.created").filter(by=person).exists()


def test_an_unverified_email_is_refused(client, sso_on, db):
    PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "unverified:erin@example.com")
    response = callback(client, back)
    assert response.status_code == 403
    assert "Your email is not verified" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_deactivated_person_is_refused(client, sso_on, db):
    PersonFactory(username="gone", email="gone@example.com", is_active=False)
    back, _ = sign_in(client, "gone@example.com")
    response = callback(client, back)
    assert response.status_code == 403
    assert "Your access has ended" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_state_this_browser_did_not_start_is_refused(client, sso_on, db):
    PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "erin@example.com")
    parts = urlparse(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged-state"
    response = client.get(f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert logged_in_as(client) is None

    # A browser that never started a sign-in has no state at all.
    response = callback(Client(), back)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_nonce_that_does_not_match_the_id_token_is_refused(client, sso_on, db):
    PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "erin@example.com")
    state = parse_qs(urlparse(back).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "not-the-one-sent"
    session.save()
    response = callback(client, back)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_an_expired_code_is_refused(client, sso_on, settings, db):
    settings.OIDC_RP_CLIENT_ID = oidc.SHORT_CODE_CLIENT_ID
    PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "erin@example.com")
    time.sleep(2.5)
    response = callback(client, back)
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_code_used_twice_is_refused_the_second_time(client, sso_on, db):
    erin = PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "erin@example.com")
    assert callback(client, back).status_code == 302
    assert logged_in_as(client) == erin
    other = Client()
    assert callback(other, back).status_code == 400
    assert logged_in_as(other) is None


def test_logout_ends_the_session_then_the_providers(client, sso_on, db):
    PersonFactory(username="erin", email="erin@example.com")
    back, _ = sign_in(client, "erin@example.com")
    callback(client, back)
    id_token = client.session["oidc_id_token"]
    assert client.get("/sso/logout/").status_code == 405
    response = client.post("/sso/logout/")
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso_on}/session/end"
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert logged_in_as(client) is None
