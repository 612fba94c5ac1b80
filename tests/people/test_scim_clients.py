"""SCIM clients (issue 22): HR's page (create: the token shown once; last use; revoke),
`manage.py scim_token create|revoke NAME`, tokens stored hashed, and the audit trail."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from core.models import AuditEvent
from people.models import ScimClient
from people.scim import clients

pytestmark = pytest.mark.django_db

PAGE = "/people/scim/"


def scim_get(token: str) -> int:
    client = Client(headers={"X-Forwarded-Proto": "https"})
    return client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}).status_code


def test_the_command_prints_the_token_last_and_revokes_it(db):
    out = StringIO()
    call_command("scim_token", "create", "workday", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("scim_")
    client = ScimClient.objects.get(name="workday")
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.token_hash
    assert scim_get(token) == 200

    call_command("scim_token", "revoke", "workday", stdout=StringIO())
    assert scim_get(token) == 401


def test_the_command_refuses_a_duplicate_and_an_unknown_name(db):
    call_command("scim_token", "create", "workday", stdout=StringIO())
    with pytest.raises(CommandError, match="exists"):
        call_command("scim_token", "create", "workday", stdout=StringIO())
    with pytest.raises(CommandError, match="No SCIM client"):
        call_command("scim_token", "revoke", "nobody", stdout=StringIO())


def test_a_revoked_name_can_be_used_again_with_a_new_token(db):
    _, old = clients.client_create(by=None, name="okta")
    clients.client_revoke(by=None, name="okta")
    _, new = clients.client_create(by=None, name="okta")
    assert (scim_get(old), scim_get(new)) == (401, 200)


def test_hr_creates_a_client_and_sees_its_token_once(
    client, org, django_capture_on_commit_callbacks
):
    client.force_login(org["hana"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"name": "okta"})
    assert response.status_code == 200
    html = response.content.decode()
    token = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert scim_get(token) == 200

    again = client.get(PAGE).content.decode()
    assert "okta" in again
    assert token not in again
    assert "Never" not in again  # the token was used just now: its time is shown
    event = AuditEvent.objects.get(action="scim.client.create")
    assert event.by == org["hana"]
    assert event.target == "okta"


def test_hr_gets_a_clear_error_for_a_bad_name(client, org):
    client.force_login(org["hana"])
    response = client.post(PAGE, {"name": "  "})
    assert response.status_code == 400
    assert "Name: Give the client a name" in response.content.decode()
    assert not ScimClient.objects.exists()


def test_hr_revokes_a_client(client, org):
    scim_client, token = clients.client_create(by=org["hana"], name="okta")
    client.force_login(org["hana"])
    response = client.post(f"{PAGE}{scim_client.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "Revoked" in response.content.decode()
    assert scim_get(token) == 401


@pytest.mark.parametrize("who", ["erin", "max"])
def test_everyone_but_hr_gets_404(client, org, who):
    scim_client, token = clients.client_create(by=org["hana"], name="okta")
    client.force_login(org[who])
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"name": "mine"}).status_code == 404
    assert client.post(f"{PAGE}{scim_client.pk}/revoke/").status_code == 404
    assert scim_get(token) == 200
    assert list(ScimClient.objects.values_list("name", flat=True)) == ["okta"]


def test_the_page_has_a_fixed_number_of_queries(client, org, django_assert_num_queries):
    for name in ("okta", "workday", "entra"):
        clients.client_create(by=org["hana"], name=name)
    client.force_login(org["hana"])
    client.get(PAGE)  # warm caches (the session's person, the navigation)
    # The session, the person, the clients with their creators (one join), the
    # navigation's question of what this person may see: 4, however many clients.
    with django_assert_num_queries(4):
        assert client.get(PAGE).status_code == 200
