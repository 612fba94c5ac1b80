"""Promotion cases in real Chromium: max opens a case for erin from the nav (a mistake
first, named beside its field), by keyboard, reads the live packet and submits it; the
printable packet links the print stylesheet and, under print media, hides the nav and
the buttons; hana decides from the case page (the case put in review as a round would);
erin reads the decision. axe finds nothing on the case pages at 1280 and 375 px; the
page fixture fails on any console error or CSP violation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from assessments.models import PromotionCase
from assessments.promotions.rules import transition
from people.models import Person, RoleChange
from tests.helpers import axe_clean, fits_375, log_in, tab_to


def test_max_opens_and_submits_a_case_hana_approves_erin_sees_it(
    live_server, page: Page, org, browser, screenshot
):
    base = live_server.url
    log_in(page, base, "max")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Promotions").click()
    expect(page.get_by_role("heading", name="Promotions", level=1)).to_be_visible()
    fits_375(page)
    page.get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", name="Open a promotion case", level=1)).to_be_visible()

    # By keyboard: the person, the role left out (a mistake), the summary, submit.
    tab_to(page, "document.activeElement.id === 'case-person'")
    page.keyboard.type("Erin")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "case-summary"
    page.keyboard.type("Erin led the storage migration end to end.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    expect(page.locator("#role-error")).to_contain_text("Choose a role")
    assert not PromotionCase.objects.exists()
    screenshot("promotion-01-form-error")

    page.get_by_label("Target role").select_option("staff-engineer")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin to Staff Engineer")
    expect(page.get_by_text("(live: a draft)")).to_be_visible()
    case = PromotionCase.objects.get()
    assert case.person == org["erin"]
    assert case.status == "draft"
    fits_375(page)
    axe_clean(browser, base, "max", f"/promotions/{case.pk}/")

    tab_to(page, "document.activeElement.textContent.trim() === 'Submit the case'")
    page.keyboard.press("Enter")
    expect(page.locator(".case-status")).to_have_text("submitted")
    expect(page.get_by_text("as submitted on")).to_be_visible()
    screenshot("promotion-02-submitted")

    # The printable packet: the print stylesheet linked; nav and buttons hidden in print.
    page.get_by_role("link", name="Printable packet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin to Staff Engineer")
    assert page.locator('link[rel="stylesheet"][href*="css/print.css"]').count() == 1
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("Back to the case")).to_be_hidden()
    expect(page.locator("table.packet-skills")).to_be_visible()
    page.emulate_media(media="screen")
    expect(nav).to_be_visible()
    axe_clean(browser, base, "max", f"/promotions/{case.pk}/packet/")

    # A round puts it in review (the committee's pages); hana decides on the case page.
    transition(case=case, to="in_review", by=org["hana"])
    page.context.clear_cookies()
    log_in(page, base, "hana")
    page.goto(f"{base}/promotions/{case.pk}/")
    axe_clean(browser, base, "hana", f"/promotions/{case.pk}/")
    page.get_by_role("radio", name="Approved").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#rationale-error")).to_contain_text("Write something.")
    page.get_by_role("textbox", name="Rationale").fill(
        "Ready: the migration shows staff-level design."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    erin = Person.objects.select_related("role").get(pk=org["erin"].pk)
    assert erin.role.key == "staff-engineer"
    assert erin.target_role_id is None
    assert RoleChange.objects.get(person=erin).case_id == case.pk
    screenshot("promotion-03-decided")

    page.context.clear_cookies()
    log_in(page, base, "erin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Promotions").click()
    page.locator("table.cases-table").get_by_role("link", name="Erin").click()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    expect(page.get_by_text("Ready: the migration shows staff-level design.")).to_be_visible()
    axe_clean(browser, base, "erin", f"/promotions/{case.pk}/")
