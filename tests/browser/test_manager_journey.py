"""max reviews erin in real Chromium: her self-assessment beside his, the divergence
flag; he writes and submits a manager assessment, and erin's map then counts his level.
mona opens the org view across both teams and its calibration. max gets 404 on mia's
and eli's pages. Every page is screenshotted and checked at 375 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers import fits_375, log_in, submit_with_notes


def test_max_reviews_erin_and_mona_calibrates(live_server, page, screenshot, org):
    erin, max_, eli, mia = org["erin"], org["max"], org["eli"], org["mia"]
    submit_with_notes(erin, erin, "self", {"system-design": 4, "mentoring": 3})
    submit_with_notes(max_, erin, "manager", {"system-design": 2, "mentoring": 3})
    submit_with_notes(eli, eli, "self", {"mentoring": 1})
    submit_with_notes(mia, eli, "manager", {"mentoring": 3})
    base = live_server.url

    # max's team: erin and sam, gaps as numbers.
    log_in(page, base, "max")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    heatmap = page.locator("table").first
    expect(heatmap).to_contain_text("Erin")
    expect(heatmap).to_contain_text("Sam")
    fits_375(page)
    screenshot("manager-01-team")

    # erin's page: her ratings beside his, system design flagged.
    heatmap.get_by_role("link", name=re.compile("Erin")).click()
    expect(page.get_by_role("heading", name="Erin", level=1)).to_be_visible()
    row = page.locator("tr[data-skill='system-design']")
    expect(row).to_contain_text("4")
    expect(row).to_contain_text("diverges by 2")
    expect(page.locator("tr[data-skill='mentoring']")).not_to_contain_text("diverges")
    fits_375(page)
    screenshot("manager-02-report")

    # max assesses erin: system design 3 now; submit with confirmation.
    page.get_by_role("link", name="Assess Erin").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin")
    design = page.get_by_role("group", name="System design", exact=True)
    with page.expect_response(lambda r: "/assess/save/" in r.url) as saved:
        design.get_by_role("radio", name=re.compile(r"^3 · ")).check()
    assert saved.value.ok
    expect(page.locator("#state-system-design")).to_contain_text("Saved at")
    fits_375(page)
    screenshot("manager-03-assess-erin")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile("^Submitted")).first).to_be_visible()
    screenshot("manager-04-assess-submitted")

    # Outsiders' pages answer 404: mia (a peer manager) and eli (mia's report).
    for person in (mia, eli):
        assert page.request.get(f"{base}/team/{person.pk}/").status == 404
    assert page.request.get(f"{base}/team/org/").status == 404  # max manages no managers

    page.get_by_role("button", name="Log out").click()
    # Let the logout land on the log-in page before going anywhere else.
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    # erin's map now counts max's 3 for system design.
    log_in(page, base, "erin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My map").click()
    item = page.locator(".gap-list > li", has_text="System design")
    expect(item).to_contain_text("current 3")
    expect(item).to_contain_text("manager: 3")
    screenshot("manager-05-erin-map")
    page.get_by_role("button", name="Log out").click()
    # Let the logout land on the log-in page before going anywhere else.
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    # mona: the whole subtree, then the org view and its calibration.
    log_in(page, base, "mona")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Whole subtree").click()
    expect(page.locator("table").first).to_contain_text("Eli")
    expect(page.locator("table").first).to_contain_text("Erin")
    # Grouped by manager; the wide table scrolls inside its region, the page does not.
    expect(page.locator("tr.team-group").first).to_contain_text("Reports to Max")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    region = page.get_by_role("region", name=re.compile("^Heatmap"))
    region.focus()
    page.keyboard.press("ArrowRight")  # a keyboard user scrolls the focused region
    expect(region).to_be_focused()
    fits_375(page)
    screenshot("manager-06-subtree")
    page.get_by_role("link", name="Org view").click()
    expect(page.get_by_role("heading", name="Org view", level=1)).to_be_visible()
    calibration = page.get_by_role("heading", name="Calibration")
    expect(calibration).to_be_visible()
    table = page.get_by_role("table", name="Calibration per manager")
    expect(table).to_contain_text("Max")
    expect(table).to_contain_text("Mia")
    fits_375(page)
    screenshot("manager-07-org-view")
