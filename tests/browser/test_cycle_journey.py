"""Review cycles in real Chromium: hana (HR) makes a cycle for max's team through the
form (a mistake first, named beside its field), opens it by keyboard (htmx swaps the
page's main region), and reads its progress; max reads his team's. axe finds nothing
on the cycle pages at 1280 and 375 px; the page fixture fails on any console error or
CSP violation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from assessments.cycles import site_today
from assessments.models import Cycle, CycleParticipant
from tests.helpers import axe_clean, fits_375, log_in

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def test_hana_makes_and_opens_a_cycle_and_reads_its_progress(
    live_server, page: Page, org, browser, screenshot
):
    base = live_server.url
    today = site_today()
    log_in(page, base, "hana")
    page.get_by_role("link", name="Cycles").click()
    expect(page.get_by_role("heading", name="Review cycles", level=1)).to_be_visible()
    page.get_by_role("link", name="New cycle").click()
    expect(page.get_by_role("heading", name="New review cycle", level=1)).to_be_visible()

    page.get_by_label("Name").fill("Winter review")
    page.get_by_label("Chosen managers' teams (their whole subtree)").check()
    page.get_by_label("Max", exact=True).check()
    page.get_by_label("Self-assessments due").fill((today + timedelta(days=10)).isoformat())
    # The manager step before the self step: refused, named beside its field.
    page.get_by_label("Manager assessments due").fill((today + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    expect(page.locator("#manager-due-error")).to_contain_text("On or after")
    assert not Cycle.objects.exists()
    screenshot("cycle-01-form-error")

    page.get_by_label("Manager assessments due").fill((today + timedelta(days=20)).isoformat())
    page.get_by_label("Reminders, in days before each due date").fill("7, 2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Winter review", level=1)).to_be_visible()
    expect(page.get_by_text("(2 people now)")).to_be_visible()
    cycle = Cycle.objects.get()
    assert cycle.reminder_days == [7, 2]

    # Opened by keyboard; htmx swaps the main region in place.
    page.get_by_role("button", name="Open the cycle").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/cycles/{cycle.pk}/open/")):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Opened “Winter review”")).to_be_visible()
    expect(page.get_by_role("heading", name="Progress per step")).to_be_visible()
    steps = page.locator("table.cycle-steps tr[data-step='self'] td")
    expect(steps.nth(3)).to_have_text("2")  # not started: erin and sam
    assert CycleParticipant.objects.filter(cycle=cycle).count() == 2
    expect(page.get_by_role("button", name="Close the cycle")).to_be_visible()
    fits_375(page)
    screenshot("cycle-02-open")
    axe_clean(browser, base, "hana", f"/cycles/{cycle.pk}/")
    axe_clean(browser, base, "hana", f"/cycles/{cycle.pk}/edit/")
    axe_clean(browser, base, "hana", "/cycles/")

    # max reads his team's progress, without HR's buttons.
    context = browser.new_context()
    other = context.new_page()
    log_in(other, base, "max")
    expect(
        other.get_by_text("Review cycle “Winter review”: your assessment of Erin")
    ).to_be_visible()
    other.goto(f"{base}/cycles/{cycle.pk}/")
    expect(other.get_by_text("2 people of your team")).to_be_visible()
    expect(other.get_by_role("button", name="Close the cycle")).to_have_count(0)
    context.close()
