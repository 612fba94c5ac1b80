"""Invitations and "Forgot your password?": HR invites, the task worker sends the email
through a real SMTP server (aiosmtpd), the person follows the link, chooses a password
and logs in. Every email goes through the task queue: nothing is sent by the request."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.messages import get_messages
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent
from people.invitations import INVITATION, send_password_link
from people.models import Person
from tests.factories import PersonFactory
from tests.helpers import Mailbox

NEW_PASSWORD = "a-long-enough-passphrase-42"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _choose_password(client, link: str, password: str = NEW_PASSWORD):
    """Follow the emailed link as Django's view has it (the token moves into the
    session, the address loses it), choose the password; the final response."""
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302, "the token is swapped for a session key"
    form_url = response["Location"]
    page = client.get(form_url)
    assert "Choose your password" in page.content.decode()
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def _logs_in(client, username: str, password: str) -> bool:
    client.logout()
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def newcomer(org) -> Person:
    """Imported: an email address, no password, never logged in."""
    person = PersonFactory(username="nora", name="Nora Newcomer", manager=org["max"])
    person.set_unusable_password()
    person.save()
    return person


def test_hr_invites_from_the_person_page_and_the_person_sets_a_password_and_logs_in(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    client.force_login(org["hana"])
    page = client.get(f"/people/{newcomer.pk}/").content.decode()
    assert "Has no password yet, and has not been invited" in page
    assert "Send an invitation" in page

    response = client.post(
        "/people/invite/", {"username": "nora", "next": f"/people/{newcomer.pk}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{newcomer.pk}/"
    assert any("on their way to 1 person: Nora Newcomer" in m for m in _messages(response))
    newcomer.refresh_from_db()
    assert newcomer.invited_at is not None
    assert AuditEvent.objects.filter(action="people.invite", summary__contains="nora").exists()
    # Queued, not sent: the request never talks to the mail server.
    assert mailbox.messages == []
    assert DBTaskResult.objects.count() == 1

    run_worker()
    [email] = mailbox.to("nora@example.com")
    assert email["Subject"] == "You are invited to careermap: choose your password"
    body = Mailbox.body(email)
    assert "Your username is: nora" in body
    assert "for 7 days" in body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    done = _choose_password(client, Mailbox.link(email))
    assert done.status_code == 302
    assert done["Location"] == "/password/done/"
    assert _logs_in(client, "nora", NEW_PASSWORD)

    # One use: the same link again no longer works.
    client.logout()
    again = client.get(urlsplit(Mailbox.link(email)).path, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_invitations_after_an_import_name_who_has_no_email_address(
    client, org, framework, mailbox: Mailbox, run_worker
):
    client.force_login(org["hana"])
    csv = (
        "username,name,email,role,manager\n"
        "ada,Ada Lovelace,ada@example.com,senior-engineer,max\n"
        "alan,Alan Turing,,senior-engineer,max\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", csv.encode(), content_type="text/csv")
    html = client.post("/people/import/", {"file": upload}).content.decode()
    assert "Send invitations to the 2 created" in html
    assert html.count('name="username"') == 2

    response = client.post("/people/invite/", {"username": ["ada", "alan"]})
    notes = _messages(response)
    assert any("on their way to 1 person: Ada Lovelace" in m for m in notes), notes
    assert any("Not invited, no email address: Alan Turing" in m for m in notes), notes

    run_worker()
    assert [m["To"] for m in mailbox.messages] == ["ada@example.com"]
    assert Person.objects.get(username="alan").invited_at is None


def test_the_people_list_invites_everyone_its_filters_find_who_never_logged_in(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    PersonFactory(username="nico", manager=org["max"])  # never logged in, has a password
    PersonFactory(username="noemail", email="", manager=org["max"])
    gone = PersonFactory(username="gone", manager=org["max"])
    gone.is_active = False
    gone.save()
    Person.objects.filter(username="erin").update(last_login=timezone.now())
    client.force_login(org["hana"])  # hana has logged in now

    query = f"login=never&manager={org['max'].pk}"
    html = client.get(f"/people/?{query}").content.decode()
    # max's reports: sam, nora, nico; erin has logged in, noemail has no address, gone is
    # deactivated.
    assert "Send invitations to the 3 found who never logged in" in html

    response = client.post(f"/people/invite/?{query}", {"found": "1"})
    assert response.status_code == 302
    run_worker()
    assert sorted(m["To"] for m in mailbox.messages) == [
        "nico@example.com",
        "nora@example.com",
        "sam@example.com",
    ]

    after = client.get("/people/?login=invited").content.decode()
    assert 'data-person="nora"' in after
    assert 'data-person="nico"' in after
    assert 'data-person="erin"' not in after
    assert "Send invitations" not in client.get("/people/?login=yes").content.decode()


def test_forgot_password_sends_a_link_to_a_known_address_and_says_the_same_either_way(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    login = client.get("/login/").content.decode()
    assert 'href="/password/"' in login

    unknown = client.post("/password/", {"email": "nobody@example.com"}, follow=True)
    known = client.post("/password/", {"email": "NORA@example.com"}, follow=True)
    for response in (unknown, known):
        assert response.redirect_chain[-1][0] == "/password/sent/"
        assert "If that address belongs to someone here" in response.content.decode()

    run_worker()
    [email] = mailbox.messages
    assert email["To"] == "nora@example.com"
    assert email["Subject"] == "Your careermap password"
    assert "Someone, hopefully you, asked" in Mailbox.body(email)
    assert _choose_password(client, Mailbox.link(email)).status_code == 302
    assert _logs_in(client, "nora", NEW_PASSWORD)


def test_the_sixth_request_for_one_address_within_the_hour_sends_nothing(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    for _ in range(5):  # settings.PASSWORD_LINK_LIMIT_PER_ADDRESS
        client.post("/password/", {"email": "nora@example.com"})
    run_worker()
    assert len(mailbox.to("nora@example.com")) == 5

    # Past the limit (capitals and spaces make no new address): the same answer, no email.
    sixth = client.post("/password/", {"email": " NORA@example.com"}, follow=True)
    assert sixth.redirect_chain[-1][0] == "/password/sent/"
    assert "If that address belongs to someone here" in sixth.content.decode()
    assert DBTaskResult.objects.count() == 5
    run_worker()
    assert len(mailbox.messages) == 5


def test_an_address_may_ask_again_once_the_window_has_passed(
    client, org, newcomer, settings, monkeypatch
):
    settings.PASSWORD_LINK_LIMIT_PER_ADDRESS = 1
    client.post("/password/", {"email": "nora@example.com"})
    client.post("/password/", {"email": "nora@example.com"})
    assert DBTaskResult.objects.count() == 1

    later = timezone.now() + settings.PASSWORD_LINK_WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.post("/password/", {"email": "nora@example.com"})
    assert DBTaskResult.objects.count() == 2


def test_one_client_asking_for_many_addresses_is_throttled_too(client, org, newcomer, settings):
    """Per client IP address (core.security.client_ip), whatever the addresses: unknown
    ones count, the known one past the limit gets nothing."""
    settings.PASSWORD_LINK_LIMIT_PER_IP = 3
    for n in range(3):
        client.post("/password/", {"email": f"nobody{n}@example.com"})
    response = client.post("/password/", {"email": "nora@example.com"}, follow=True)
    assert response.redirect_chain[-1][0] == "/password/sent/"
    assert DBTaskResult.objects.count() == 0

    # Another client is not held back by the first.
    client.post("/password/", {"email": "nora@example.com"}, REMOTE_ADDR="192.0.2.7")
    assert DBTaskResult.objects.count() == 1


def test_no_link_for_a_deactivated_person_even_one_enqueued_before(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    client.force_login(org["hana"])
    client.post("/people/invite/", {"username": "nora"})
    newcomer.is_active = False
    newcomer.save()
    client.post("/password/", {"email": "nora@example.com"})

    run_worker()
    assert mailbox.messages == []
    [result] = DBTaskResult.objects.all()
    assert result.status == "SUCCESSFUL"
    assert "deactivated" in result.return_value


def test_a_link_lasts_a_week(client, org, newcomer, mailbox: Mailbox, run_worker, monkeypatch):
    client.force_login(org["hana"])
    client.post("/people/invite/", {"username": "nora"})
    run_worker()
    link = urlsplit(Mailbox.link(mailbox.messages[0])).path
    client.logout()
    real_now = PasswordResetTokenGenerator._now

    def later(days: int):
        return lambda self: real_now(self) + timedelta(days=days)

    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later(8))
    assert "This link no longer works" in client.get(link, follow=True).content.decode()
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", later(6))
    assert "Choose your password" in client.get(link, follow=True).content.decode()


def test_a_bad_password_is_refused_beside_its_field_and_sets_nothing(
    client, org, newcomer, mailbox: Mailbox, run_worker
):
    client.force_login(org["hana"])
    client.post("/people/invite/", {"username": "nora"})
    run_worker()
    client.logout()
    form_url = client.get(urlsplit(Mailbox.link(mailbox.messages[0])).path)["Location"]
    html = client.post(form_url, {"new_password1": "nora", "new_password2": "nora"}).content
    assert "New password confirmation:" in html.decode() or "New password:" in html.decode()
    assert 'aria-invalid="true"' in html.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


@pytest.mark.parametrize("who", ["erin", "max", "mona"])
def test_only_hr_invites_everyone_else_gets_404(client, org, newcomer, who):
    client.force_login(org[who])
    assert client.post("/people/invite/", {"username": "nora"}).status_code == 404
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": ["nora", "nobody"]}, "No such person: nobody. Nobody was invited."),
        ({}, "Choose at least one person to invite."),
    ],
)
def test_bad_input_is_named_and_invites_nobody(client, org, newcomer, data, error):
    client.force_login(org["hana"])
    response = client.post("/people/invite/", data)
    assert response.status_code == 302
    assert error in _messages(response)
    assert DBTaskResult.objects.count() == 0
    newcomer.refresh_from_db()
    assert newcomer.invited_at is None


def test_a_link_elsewhere_is_not_followed_back(client, org, newcomer):
    client.force_login(org["hana"])
    response = client.post(
        "/people/invite/", {"username": "nora", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/people/"


@pytest.mark.parametrize("back", ["²", "people", "people:people", "javascript:alert(1)"])
def test_a_next_that_is_no_path_goes_back_to_the_list(client, org, newcomer, back):
    # redirect() took a bare word for a URL pattern's name: "²" was a NoReverseMatch, a 500.
    client.force_login(org["hana"])
    response = client.post("/people/invite/", {"username": "nora", "next": back})
    assert response.status_code == 302
    assert response["Location"] == "/people/"


def test_hr_sets_an_email_address_on_the_person_page(client, org, newcomer):
    client.force_login(org["hana"])
    url = f"/people/{newcomer.pk}/"
    bad = client.post(url, {"email": "not an address"}).content.decode()
    assert "Email address: Enter a valid email address." in bad
    newcomer.refresh_from_db()
    assert newcomer.email == "nora@example.com"

    form = {"email": "nora.n@example.com", "manager": org["max"].pk}
    assert client.post(url, form).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.email == "nora.n@example.com"
    assert newcomer.manager == org["max"]


def test_the_task_refuses_an_unknown_purpose(newcomer):
    with pytest.raises(ValueError, match="purpose"):
        send_password_link.call(newcomer.pk, "welcome", "http://testserver/")
    assert send_password_link.call(newcomer.pk + 999, INVITATION, "http://x/").startswith(
        "not sent"
    )


# --- The API: POST /api/people/{id}/invite/ ---------------------------------------------


def test_the_api_invites_and_the_worker_sends_it(as_, org, newcomer, mailbox, run_worker):
    response = as_("hana").post(f"/api/people/{newcomer.pk}/invite/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["username"] == "nora"
    assert body["email"] == "nora@example.com"
    assert body["invited_at"] is not None
    run_worker()
    [email] = mailbox.to("nora@example.com")
    assert "/password/set/" in Mailbox.link(email)


def test_the_api_names_why_it_cannot_invite_and_queues_nothing(as_, org, newcomer):
    newcomer.email = ""
    newcomer.save()
    response = as_("hana").post(f"/api/people/{newcomer.pk}/invite/")
    assert response.status_code == 400
    assert "has no email address" in str(response.json()["email"])

    newcomer.email, newcomer.is_active = "nora@example.com", False
    newcomer.save()
    response = as_("hana").post(f"/api/people/{newcomer.pk}/invite/")
    assert response.status_code == 400
    assert "deactivated" in str(response.json()["is_active"])
    assert DBTaskResult.objects.count() == 0


def test_the_api_invite_is_hr_only_and_outsiders_get_404(as_, org, newcomer):
    # max sees nora (his report) but may not invite: 403. eli cannot see her: 404.
    assert as_("max").post(f"/api/people/{newcomer.pk}/invite/").status_code == 403
    assert as_("eli").post(f"/api/people/{newcomer.pk}/invite/").status_code == 404
    assert as_("hana").post("/api/people/999999/invite/").status_code == 404
    assert DBTaskResult.objects.count() == 0
    # No other POST on people: the list and a person refuse it.
    assert as_("hana").post("/api/people/").status_code == 405
    assert as_("hana").post(f"/api/people/{newcomer.pk}/").status_code == 405


def test_the_invite_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/people/{id}/invite/" in schema
