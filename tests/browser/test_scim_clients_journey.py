"""hana connects an HR system by SCIM in real Chromium, by keyboard only: from the
people page to the SCIM clients page, a new client named, its token shown once, the
token used by a SCIM request (its last use then shown), then revoked."""

from __future__ import annotations

import urllib.request

from playwright.sync_api import expect

from tests.helpers import fits_375, focused, log_in, tab_to


def scim_status(base: str, token: str) -> int:
    request = urllib.request.Request(
        base + "/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_hana_creates_uses_and_revokes_a_scim_token_by_keyboard(live_server, page, screenshot, org):
    base = live_server.url
    log_in(page, base, "hana")
    page.goto(base + "/people/")
    tab_to(page, "e.textContent.trim() === 'SCIM clients (provisioning)'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SCIM clients", level=1)).to_be_visible()
    expect(page.get_by_text("No SCIM client yet.")).to_be_visible()
    fits_375(page)

    tab_to(page, "e.id === 'id_name'")
    page.keyboard.type("workday")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Token for “workday”")).to_be_visible()
    token = page.get_by_label("Bearer token").input_value()
    assert token.startswith("scim_")
    screenshot("scim-01-token-shown-once")

    assert scim_status(base, token) == 200
    page.goto(base + "/people/scim/")
    expect(page.get_by_label("Bearer token")).to_have_count(0)  # shown once only
    row = page.get_by_role("row", name="workday")
    expect(row).not_to_contain_text("Never")

    tab_to(page, "e.getAttribute('aria-label') === 'Revoke workday'")
    assert focused(page, "e.tagName === 'BUTTON'")
    page.keyboard.press("Enter")
    expect(page.get_by_text('Revoked SCIM client "workday"')).to_be_visible()
    expect(page.get_by_role("row", name="workday")).to_contain_text("Revoked")
    screenshot("scim-02-revoked")
    assert scim_status(base, token) == 401
