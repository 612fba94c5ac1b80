"""Issue 20's "Done when" in real Chromium: max opens a case for erin to Staff Engineer
and submits it (by keyboard); hana forms a round with mona as reviewer; mona reads the
case beside max's calibration and votes by keyboard; hana approves from the round page;
erin's role is Staff Engineer with history, and erin sees the decision. axe finds
nothing on the round pages at 1280 and 375 px; the page fixture fails on any console
error or CSP violation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from assessments.models import PromotionCase, ReviewRound, Vote
from people.models import RoleChange
from tests.helpers import axe_violations, fits_375, focused, log_in


def switch(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)


def axe_clean(browser, base: str, username: str, paths: list[str]) -> None:
    """axe as `username` at 1280 and 375 px, in a context that bypasses the CSP (the
    script is injected); the journey's own page keeps the policy."""
    context = browser.new_context(bypass_csp=True)
    other = context.new_page()
    log_in(other, base, username)
    for path in paths:
        other.goto(base + path)
        for width in (1280, 375):
            other.set_viewport_size({"width": width, "height": 900})
            found = axe_violations(other)
            assert not found, (username, path, width, found)
    context.close()


def test_a_full_round_in_the_browser(live_server, page: Page, org, assessed, browser, screenshot):
    base = live_server.url

    # max opens the case for erin and submits it by keyboard.
    log_in(page, base, "max")
    page.get_by_role("link", name="Promotions").click()
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Person").select_option(str(org["erin"].pk))
    page.get_by_label("Target role").select_option("staff-engineer")
    page.get_by_label("Summary").fill("Erin led the queue redesign end to end.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Promotion case")
    page.get_by_role("button", name="Submit the case").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".case-status").first).to_contain_text("submitted")
    case = PromotionCase.objects.get()
    assert case.status == "submitted"

    # hana forms a round with mona as reviewer.
    switch(page, base, "hana")
    page.goto(base + "/promotions/rounds/")
    page.get_by_role("link", name="New round").click()
    expect(page.get_by_role("heading", name="New review round", level=1)).to_be_visible()
    page.get_by_role("button", name="Form the round").click()  # nothing chosen: refused
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    expect(page.locator("#cases-error")).to_contain_text("Choose at least one")
    assert not ReviewRound.objects.exists()
    page.get_by_label("Name").fill("Winter committee")
    page.get_by_label(f"{org['erin'].get_full_name()} to Staff Engineer").check()
    page.get_by_label(org["mona"].get_full_name(), exact=True).check()
    page.get_by_role("button", name="Form the round").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Winter committee", level=1)).to_be_visible()
    round_ = ReviewRound.objects.get()
    case.refresh_from_db()
    assert case.status == "in_review"
    fits_375(page)
    screenshot("round-01-formed")

    # mona reads the case beside max's calibration and votes by keyboard.
    switch(page, base, "mona")
    page.goto(base + "/promotions/rounds/")
    page.get_by_role("link", name="Winter committee").click()
    card = page.locator(f"#case-{case.pk}")
    expect(card.locator(".calibration-words .lean")).to_contain_text(
        "rates 1.0 below their reports' own view"
    )
    expect(card.locator(".calibration-words .coverage")).to_contain_text("100%")
    card.get_by_label("Support", exact=True).focus()
    page.keyboard.press("Space")
    assert focused(page, "e.name === 'vote' && e.checked")
    card.get_by_label("Reason").fill("Clear evidence across the expected skills.")
    card.get_by_role("button", name="Record vote").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your vote is recorded.")).to_be_visible()
    expect(page.locator(f"#case-{case.pk} [data-reviewer='mona']")).to_contain_text("Support")
    assert Vote.objects.get().vote == "support"
    fits_375(page)
    screenshot("round-02-voted")
    axe_clean(browser, base, "mona", ["/promotions/rounds/", f"/promotions/rounds/{round_.pk}/"])

    # hana approves from the round page.
    switch(page, base, "hana")
    page.goto(base + f"/promotions/rounds/{round_.pk}/")
    card = page.locator(f"#case-{case.pk}")
    expect(card.locator("[data-reviewer='mona']")).to_be_visible()  # HR sees all votes
    axe_clean(
        browser, base, "hana", ["/promotions/rounds/new/", f"/promotions/rounds/{round_.pk}/"]
    )
    card.get_by_role("radio", name="Approved").check()
    card.get_by_label("Rationale").fill("Strong, well-evidenced case.")
    card.get_by_role("button", name="Record decision").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The decision is recorded.")).to_be_visible()
    case.refresh_from_db()
    assert case.status == "approved"
    org["erin"].refresh_from_db()
    assert org["erin"].role.key == "staff-engineer"
    assert RoleChange.objects.filter(person=org["erin"], case_id=case.pk).exists()

    # erin sees the decision and its rationale.
    switch(page, base, "erin")
    page.get_by_role("link", name="Promotions").click()
    page.locator(f"tr[data-case='{case.pk}']").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    expect(page.get_by_text("Strong, well-evidenced case.")).to_be_visible()
    expect(page.get_by_text("Clear evidence across the expected skills.")).to_have_count(0)
    screenshot("round-03-erin-sees")
