"""Getting in, in real Chromium: hana finds a person who has never logged in and invites
them; the task worker (`manage.py worker`, its own process, as production runs it)
sends the email through a real SMTP server (aiosmtpd); the person opens the link,
chooses a password by keyboard alone and logs in. Then "Forgot your password?" the same
way. The password pages are checked at 375 px."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import Page, expect

from people.models import Person
from tests import harness
from tests.factories import PersonFactory
from tests.helpers import Mailbox, log_in

PASSWORD = "a-long-enough-passphrase-42"


def run_worker(mailbox: Mailbox) -> str:
    """The worker in its own process, over the test database, until the queue is empty;
    mail to the test's SMTP server (production settings: EMAIL_HOST and EMAIL_PORT).
    It signs the links with the web server's key, as a deployment's worker must."""
    return harness.manage(
        harness.database_url_of_the_tests(),
        *("worker", "--batch", "--no-startup-delay"),
        env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        },
    )


def fits_375(page: Page) -> None:
    """Logged out, there is no navigation to check (tests.helpers.fits_375 does): the
    page fits a 375 px screen, with one h1."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    assert page.locator("h1").count() == 1, page.url
    page.set_viewport_size(size)


def choose_password_by_keyboard(page: Page, link: str, screenshot=None) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    if screenshot:
        fits_375(page)
        screenshot("invite-03-choose-password")
    # The first field has the focus: type, Tab, type, Enter.
    expect(page.get_by_label("New password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("New password confirmation")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()


def log_in_as_nora(page: Page) -> None:
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    # Home, with the first thing to do: a newcomer starts with a self-assessment.
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.locator(".todo-list")).to_contain_text("Start your self-assessment")
    page.wait_for_load_state("load")  # leaving Home mid-load aborts its stylesheet


def test_an_invited_person_chooses_a_password_from_the_email_and_logs_in(
    live_server, page, screenshot, org, mailbox: Mailbox
):
    nora = PersonFactory(username="nora", name="Nora Newcomer", manager=org["max"])
    nora.set_unusable_password()
    nora.save()
    base = live_server.url

    log_in(page, base, "hana")
    page.goto(base + "/people/")
    with page.expect_response(lambda r: "/people/?" in r.url and "q=nora" in r.url):
        page.get_by_label("Search").fill("nora")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Not invited")
    screenshot("invite-01-found")
    page.get_by_role("button", name="Send invitations to the 1 found who never logged in").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitations are on their way to 1 person: Nora Newcomer"
    )
    expect(page.locator('tr[data-person="nora"]')).to_contain_text("Invited")
    screenshot("invite-02-sent")
    assert mailbox.messages == [], "the request only queues the email"

    run_worker(mailbox)
    [email] = mailbox.to("nora@example.com")
    link = Mailbox.link(email)
    assert link.startswith(base + "/password/set/")

    page.get_by_role("button", name="Log out").click()
    choose_password_by_keyboard(page, link, screenshot)
    fits_375(page)
    screenshot("invite-04-password-set")
    log_in_as_nora(page)
    assert Person.objects.get(username="nora").last_login is not None

    # The link was for one use.
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    fits_375(page)


def test_a_forgotten_password_is_chosen_again_from_the_login_page(
    live_server, page, screenshot, org, mailbox: Mailbox
):
    PersonFactory(username="nora", name="Nora Newcomer", manager=org["max"])
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    fits_375(page)
    screenshot("password-01-ask")
    page.keyboard.type("nora@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    fits_375(page)
    screenshot("password-02-sent")

    run_worker(mailbox)
    [email] = mailbox.to("nora@example.com")
    assert email["Subject"] == "Your careermap password"
    choose_password_by_keyboard(page, Mailbox.link(email))
    log_in_as_nora(page)
