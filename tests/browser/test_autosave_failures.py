"""When an autosave cannot reach the server, or the server fails, the person is told
that the answer was not saved, beside the answer and at the top of the page; the next
successful save clears the warning. (static/js/app.js)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from assessments.models import Assessment
from tests.helpers import watch


def log_in_and_assess(page: Page, base: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    page.wait_for_load_state("load")  # leaving Home mid-load aborts its stylesheet
    page.goto(base + "/assess/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.page_problems_expected
def test_a_lost_connection_and_a_server_error_are_shown_then_cleared(live_server, page, org):
    problems = watch(page)
    log_in_and_assess(page, live_server.url)
    design = page.locator("#skill-system-design")
    banner = page.locator("#request-error")
    expect(banner).to_be_hidden()

    # The network drops the save.
    page.route("**/assess/save/", lambda route: route.abort("internetdisconnected"))
    design.get_by_label("3 · Proficient").check()
    expect(design.locator(".saved-state")).to_contain_text("Not saved. Could not reach careermap")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Check your connection")

    # The server answers 503.
    page.unroute("**/assess/save/")

    def unavailable(route: Route) -> None:
        route.fulfill(status=503, body="unavailable", headers={"Retry-After": "30"})

    page.route("**/assess/save/", unavailable)
    design.get_by_label("4 · Advanced").check()
    expect(banner).to_contain_text("briefly unavailable")

    # Back to normal: the answer saves and the warning goes away.
    page.unroute("**/assess/save/")
    with page.expect_response("**/assess/save/"):
        design.get_by_label("2 · Developing").check()
    expect(page.locator("#skill-system-design .saved-state")).to_contain_text("Saved at")
    expect(banner).to_be_hidden()
    draft = Assessment.objects.get(person=org["erin"], status="draft")
    assert draft.ratings.get(skill__key="system-design").level == 2
    # Only the failures the test made itself (and htmx's own console lines about them),
    # no script error and no CSP violation.
    expected = ("assess/save", "Failed to load resource", "console error: htmx:")
    unexpected = [p for p in problems if not any(e in p for e in expected)]
    assert unexpected == []
