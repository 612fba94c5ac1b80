"""API tokens (people.tokens, issue 23): they expire, die with the password and with
deactivation, can be revoked by their person, and the token endpoint bounds what it
reads before authenticating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from people.services import person_deactivate

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def token(username: str = "erin", password: str = "demo") -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/me/").status_code


def test_a_token_works_and_asking_again_gives_the_same_one(erin):
    key = token()
    assert me(key) == 200
    assert token() == key


def test_a_token_expires_after_the_setting_and_a_fresh_one_is_given(erin, settings):
    key = token()
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.CAREERMAP_TOKEN_DAYS, minutes=1)
    )

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = client.get("/api/me/")

    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert not Token.objects.filter(key=key).exists()
    fresh = token()
    assert fresh != key
    assert me(fresh) == 200


def test_a_day_inside_the_line_the_token_still_works(erin, settings):
    key = token()
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.CAREERMAP_TOKEN_DAYS - 1)
    )
    assert me(key) == 200


def test_changing_the_password_kills_the_tokens_and_the_endpoint_gives_a_new_one(erin):
    key = token()

    erin.set_password("a new long passphrase")
    erin.save()

    assert me(key) == 401
    fresh = token(password="a new long passphrase")
    assert fresh != key
    assert me(fresh) == 200


def test_setting_a_password_from_a_reset_link_kills_them_too(client, erin):
    key = token()
    erin.refresh_from_db()  # logging in for the token moved last_login, which links sign
    uid = urlsafe_base64_encode(force_bytes(erin.pk))
    link = f"/password/set/{uid}/{default_token_generator.make_token(erin)}/"
    moved = client.get(link)
    assert moved.status_code == 302  # the token moves into the session
    phrase = "correct horse battery staple"

    response = client.post(moved["Location"], {"new_password1": phrase, "new_password2": phrase})

    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.check_password("correct horse battery staple")
    assert me(key) == 401
    line = AuditEvent.objects.get(action="password.set")
    assert (line.by, line.target) == (erin, "erin")  # by whom, for whom


def test_deactivating_a_person_kills_their_tokens(erin, hana):
    key = token()

    person_deactivate(by=hana, person=erin)

    assert not Token.objects.filter(key=key).exists()
    assert me(key) == 401


def test_hr_sending_a_new_invitation_resets_access_and_kills_the_tokens(client, erin, hana):
    erin.last_login = timezone.now()
    erin.save(update_fields=["last_login"])
    key = token()
    client.force_login(hana)

    sent = client.post("/people/invite/", {"username": "erin", "next": f"/people/{erin.pk}/"})

    assert sent.status_code == 302
    assert me(key) == 401
    assert "revoked 1 API token(s)" in AuditEvent.objects.get(action="people.invite").summary


def test_saving_someone_for_another_reason_keeps_their_token(erin):
    key = token()
    erin.first_name = "Erin B."
    erin.save()
    assert me(key) == 200


def test_a_person_revokes_all_their_tokens(erin, org):
    key, other = token(), token("sam")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.delete(TOKEN_URL).status_code == 204

    assert me(key) == 401
    assert me(other) == 200  # sam's is untouched
    assert APIClient().delete(TOKEN_URL).status_code == 401  # nobody to revoke for


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "u" * 151), ("username", "x" * 5000), ("password", "p" * 1025)],
)
def test_overlong_credentials_are_a_400_on_the_field_before_any_lookup(erin, field, value):
    data = {"username": "erin", "password": "demo", field: value}

    response = APIClient().post(TOKEN_URL, data, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
