"""Notifications by keyboard (issue 19): from the bell to the list, opening one, marking
the rest read, and choosing what comes by email. (axe checks both pages in
test_accessibility, under the site's CSP lifted for its script.)"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from people.models import Notification, NotificationSetting
from people.notifications import Kind, notify
from tests.helpers import focused, log_in, tab_to


def test_erin_reads_her_notifications_and_chooses_by_keyboard(live_server, page: Page, org):
    erin = org["erin"]
    notify(recipients=[erin], kind=Kind.CYCLE, title="Self-assessment due 18 Dec", link="/assess/")
    notify(recipients=[erin], kind=Kind.CHECKIN, title="Check-in with Max on Friday")
    log_in(page, live_server.url, "erin")
    expect(page.locator(".bell-count")).to_have_text("2 unread")

    page.goto(live_server.url + "/")
    tab_to(page, "e.classList.contains('bell')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()

    # Opening one goes where it points, and it is read.
    tab_to(page, "e.textContent.trim() === 'Self-assessment due 18 Dec'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/assess/")
    expect(page.locator(".bell-count")).to_have_text("1 unread")
    page.wait_for_load_state("load")  # leaving earlier aborts its style sheet

    page.go_back()
    page.reload()
    tab_to(page, "e.textContent.trim() === 'Mark all read'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Marked 1 notification(s) read.")
    expect(page.locator(".bell-count")).to_have_count(0)
    assert not Notification.objects.filter(recipient=erin, read_at__isnull=True).exists()

    # The settings: check-ins in the app only, with the arrow keys.
    tab_to(page, "e.textContent.trim() === 'Choose what reaches you by email'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    tab_to(page, "e.name === 'checkin' && e.checked")
    page.keyboard.press("ArrowDown")
    assert focused(page, "e.value") == "in_app"
    tab_to(page, "e.type === 'submit' && e.textContent.trim() === 'Save'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    assert NotificationSetting.objects.get(person=erin, kind="checkin").channel == "in_app"
