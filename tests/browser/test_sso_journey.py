"""Single sign-on in real Chromium (issue 22), against a real OpenID provider process
(tests/oidc/provider.js, npm's oidc-provider): erin reaches the button by keyboard,
signs in at the provider, lands on Home, creates an API token for her scripts on her
account page, and logs out of careermap and the provider (RP-initiated logout). A
stranger gets the "ask HR to add you" page. axe checks the SSO pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from rest_framework.authtoken.models import Token

from tests import oidc
from tests.factories import PersonFactory
from tests.helpers import AXE, axe_violations, focused, tab_to


@pytest.fixture(scope="module")
def issuer(live_server) -> Iterator[str]:
    callback = live_server.url + "/sso/callback/"
    with oidc.provider([callback], [live_server.url + "/login/"]) as url:
        yield url


@pytest.fixture
def sso_on(settings, issuer) -> str:
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = oidc.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc.CLIENT_SECRET
    settings.OIDC_LABEL = "Log in with Keycloak"
    # As settings.py does when OIDC_ISSUER is set: logging out ends at the provider.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", issuer]}
    return issuer


def quiet_provider_pages(page: Page, issuer: str) -> None:
    """The provider's development pages ask for a web font and a favicon (there is no
    network here): answer them, so that the page fixture watches only real problems."""
    page.route(
        "https://fonts.googleapis.com/**", lambda r: r.fulfill(body="", content_type="text/css")
    )
    page.route(f"{issuer}/favicon.ico", lambda r: r.fulfill(status=204, body=""))


def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development pages: a login name, then consent."""
    expect(page.locator("input[name=login]")).to_be_visible()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    consent = page.get_by_role("button", name="Continue")
    consent.wait_for()
    consent.click()


def test_erin_signs_in_with_sso_makes_a_token_and_logs_out(
    live_server, page: Page, sso_on, transactional_db
):
    erin = PersonFactory(username="erin", name="Erin", email="Erin@Example.com")
    base = live_server.url
    quiet_provider_pages(page, sso_on)
    page.goto(base + "/login/")
    tab_to(page, "e.id === 'sso-login'")
    assert focused(page, "e.textContent.trim()") == "Log in with Keycloak"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{sso_on}/interaction/**")
    sign_in_at_provider(page, "erin@example.com")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    page.wait_for_load_state("load")

    page.goto(base + "/account/")
    expect(page.locator("#api-token-status")).to_have_text("You have no token.")
    tab_to(page, "e.textContent.trim() === 'Create a token'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    key = Token.objects.get(user=erin).key
    expect(page.get_by_label("Token")).to_have_value(key)

    page.goto(base + "/account/")
    expect(page.locator("#api-token-status")).to_contain_text("You have a token, created")
    page.get_by_role("button", name="Log out").click()
    # Our session ends, then the provider's (its end-session page asks to confirm).
    page.wait_for_url(f"{sso_on}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(base + "/login/")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    page.goto(base + "/account/")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()


def test_sso_pages_pass_axe_and_a_stranger_is_told_to_ask_hr(
    live_server, browser: Browser, sso_on, transactional_db
):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    PersonFactory(username="erin", email="erin@example.com")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    quiet_provider_pages(page, sso_on)
    found: dict[str, list[str]] = {}
    page.goto(live_server.url + "/login/")
    expect(page.get_by_role("link", name="Log in with Keycloak")).to_be_visible()
    found["login"] = axe_violations(page)

    page.get_by_role("link", name="Log in with Keycloak").click()
    sign_in_at_provider(page, "stranger@example.com")
    expect(page.get_by_role("heading", name="careermap does not know you yet")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Ask HR to add you")
    found["refused"] = axe_violations(page)

    # A new browser (the provider remembers the stranger's session in this one).
    context.close()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    quiet_provider_pages(page, sso_on)
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="Log in with Keycloak").click()
    sign_in_at_provider(page, "erin@example.com")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    page.goto(live_server.url + "/account/")
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    found["token"] = axe_violations(page)
    context.close()
    assert found == {"login": [], "refused": [], "token": []}
