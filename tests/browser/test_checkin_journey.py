"""A 1:1 check-in in real Chromium: max opens erin's page, makes a check-in from it,
reads the agenda made from erin's data (her focus skill, the divergence), adds an item
(htmx) and a private note by keyboard; erin opens it from My map, sees the agenda and
the shared notes, never max's private note, and keeps her own. Both pages fit 375 px,
every control is labelled; the page fixture fails on any console error or CSP
violation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from assessments.models import CheckIn, PrivateNote
from assessments.services import focus_skill_add
from tests.helpers import fits_375, log_in, submit_with_notes

SECRET = "Ready for staff by spring, not telling her yet"


def test_max_makes_a_check_in_with_erin_who_never_sees_his_private_note(
    live_server, page: Page, org, screenshot
):
    erin, max_ = org["erin"], org["max"]
    focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    submit_with_notes(erin, erin, "self", {"system-design": 4})
    submit_with_notes(max_, erin, "manager", {"system-design": 2})
    base = live_server.url

    log_in(page, base, "max")
    page.goto(f"{base}/team/{erin.pk}/")
    page.get_by_role("link", name="Check-ins with Erin", exact=True).click()
    expect(page.get_by_role("heading", name="Check-ins with Erin", level=1)).to_be_visible()
    fits_375(page)
    page.get_by_role("button", name="Make the check-in").click()

    expect(page.get_by_role("heading", name="Agenda", level=2)).to_be_visible()
    agenda = page.locator(".checkin-agenda")
    expect(agenda.locator("li[data-kind='focus']")).to_contain_text("System design")
    expect(agenda.locator("li[data-kind='divergence']")).to_contain_text("self 4, manager 2")

    # An agenda item through htmx: the check-in swaps in place.
    page.get_by_label("Add to the agenda").fill("How the team sees the new on-call")
    with page.expect_response(lambda r: "/agenda/" in r.url):
        page.get_by_role("button", name="Add item").click()
    expect(agenda.locator("li[data-kind='added']")).to_contain_text("new on-call")

    # The private note, by keyboard: focus the field, type, Tab to its button, Enter.
    note = page.get_by_label("Only you see this note")
    note.focus()
    page.keyboard.type(SECRET)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save private note")).to_be_focused()
    with page.expect_response(lambda r: "/private/" in r.url):
        page.keyboard.press("Enter")
    expect(page.get_by_label("Only you see this note")).to_have_value(SECRET)
    page.get_by_label("Notes both of you see").fill("Talked about on-call.")
    with page.expect_response(lambda r: "/notes/" in r.url):
        page.get_by_role("button", name="Save shared notes").click()
    fits_375(page)
    screenshot("checkin-01-max")
    made = CheckIn.objects.get()
    assert PrivateNote.objects.get().author == max_

    # erin, from My map: the agenda and the shared notes, not max's note.
    page.context.clear_cookies()
    log_in(page, base, "erin")
    page.goto(f"{base}/map/")
    page.locator(f"a[href='/checkins/{made.pk}/']").click()
    expect(page.get_by_role("heading", name="Agenda", level=2)).to_be_visible()
    expect(page.locator(".checkin-agenda li[data-kind='added']")).to_contain_text("on-call")
    expect(page.get_by_label("Notes both of you see")).to_have_value("Talked about on-call.")
    expect(page.get_by_label("Only you see this note")).to_have_value("")
    assert SECRET not in page.content()
    page.get_by_label("Only you see this note").fill("Ask about the conference")
    with page.expect_response(lambda r: "/private/" in r.url):
        page.get_by_role("button", name="Save private note").click()
    expect(page.get_by_label("Only you see this note")).to_have_value("Ask about the conference")
    assert SECRET not in page.content()
    fits_375(page)
    screenshot("checkin-02-erin")
