"""Accessibility that needs a browser (issue 16): the keyboard's first stop is "Skip to
content", shown when focused, leading into the page; the focus ring's colours as the
page computes them; a table's scrolling box takes the focus and scrolls by arrow keys;
the self-assessment's autosave is announced in a polite live region that stays in place
(saved, and not saved when the network fails); the 400, 403 (a CSRF failure too), 404 and
500 pages pass axe-core at 1280 and 375 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, Page, expect

from tests.helpers import AXE, axe_violations, focused, log_in, watch

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"

RING = "rgb(180, 83, 9)"  # --focus #b45309
HEADER_RING = "rgb(253, 230, 138)"  # #fde68a, on the header's teal


def log_in_and_open(page: Page, base: str, username: str, path: str) -> None:
    """Log in, let Home finish loading (leaving earlier aborts its style sheets, a
    failed request to the page fixture), then open `path`."""
    log_in(page, base, username)
    page.wait_for_load_state("load")
    page.goto(base + path)


def test_the_skip_link_is_the_first_stop_shown_when_focused_and_leads_into_the_page(
    live_server, page, org
):
    log_in_and_open(page, live_server.url, "erin", "/assess/")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.bounding_box()["width"] <= 1  # out of sight until focused

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 50
    assert box["height"] > 20
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert focused(page, "getComputedStyle(e).outlineColor") == HEADER_RING
    assert focused(page, "getComputedStyle(e).outlineStyle") == "solid"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "a11y-01-skip-link.png")  # the window, not the page

    page.keyboard.press("Enter")
    # The browser reports a same-page navigation a moment later: wait for it.
    expect(page).to_have_url(re.compile(r"/assess/#main$"))
    page.keyboard.press("Tab")
    # The next stop is inside the main content, past the header's menu.
    assert focused(page, "e.closest('main') !== null"), focused(page, "e.outerHTML")
    assert focused(page, "getComputedStyle(e).outlineColor") == RING
    # Out of focus, the skip link is out of sight again.
    assert skip.bounding_box()["width"] <= 1


def test_the_header_links_ring_in_the_headers_own_colour(live_server, page, org):
    log_in(page, live_server.url, "erin")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page, "e.textContent.trim()") == "careermap"
    assert focused(page, "getComputedStyle(e).outlineColor") == HEADER_RING


def test_the_grid_scrolls_from_the_keyboard_inside_its_named_region(live_server, page, org):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in_and_open(page, live_server.url, "hana", "/framework/grid/")
    region = page.get_by_role("region", name="Expectation grid")
    expect(region).to_be_visible()
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll

    # Reached by Tab: the first stop after the crumbs' "Framework" link.
    page.get_by_role("link", name="Framework", exact=True).last.focus()
    page.keyboard.press("Tab")
    expect(region).to_be_focused()
    assert focused(page, "getComputedStyle(e).outlineColor") == RING
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function would evaluate a string, which the CSP forbids.
    for _ in range(50):
        if region.evaluate("e => e.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("e => e.scrollLeft") > 0


def test_the_people_table_is_a_named_region_the_keyboard_reaches(live_server, page, org):
    log_in_and_open(page, live_server.url, "hana", "/people/")
    region = page.get_by_role("region", name="People table")
    expect(region).to_be_visible()
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    expect(region).to_be_focused()


def test_each_autosave_is_announced_in_a_live_region_that_stays(live_server, page, org):
    log_in_and_open(page, live_server.url, "erin", "/assess/")
    live = page.get_by_role("status").and_(page.locator("#autosave-status"))
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_text("")
    page.evaluate("window.liveRegion = document.getElementById('autosave-status')")

    design = page.locator("#skill-system-design")
    with page.expect_response("**/assess/save/"):
        design.get_by_label("3 · Proficient").check()
    expect(live).to_have_text("Saved: System design.")
    mentoring = page.locator("#skill-mentoring")
    with page.expect_response("**/assess/save/"):
        mentoring.get_by_label("2 · Developing").check()
    expect(live).to_have_text("Saved: Mentoring and growing others.")
    # The same element all along: a live region replaced by a swap is not announced.
    assert page.evaluate("window.liveRegion === document.getElementById('autosave-status')")
    assert page.locator("#autosave-status").count() == 1


@pytest.mark.page_problems_expected
def test_an_autosave_that_fails_is_announced_too(live_server, page, org):
    problems = watch(page)
    log_in_and_open(page, live_server.url, "erin", "/assess/")
    live = page.locator("#autosave-status")
    design = page.locator("#skill-system-design")

    page.route("**/assess/save/", lambda route: route.abort("internetdisconnected"))
    design.get_by_label("3 · Proficient").check()
    expect(live).to_have_text("Not saved: System design.")
    expect(page.locator("#request-error")).to_contain_text("Check your connection")

    page.unroute("**/assess/save/")
    with page.expect_response("**/assess/save/"):
        design.get_by_label("2 · Developing").check()
    expect(live).to_have_text("Saved: System design.")
    expected = ("assess/save", "Failed to load resource", "console error: htmx:")
    assert [p for p in problems if not any(e in p for e in expected)] == []


def check_error_page(browser: Browser, base: str, path: str, status: int, heading: str) -> None:
    """The error page at 1280 and 375 px: its status, the header, one h1, a link home,
    no sideways scrolling, no axe-core violation, and the skip link first."""
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, base, "erin")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(base + path)
        assert response is not None
        assert response.status == status
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_role("link", name="careermap")).to_be_visible()
        expect(page.get_by_role("link", name="home page")).to_have_attribute("href", "/")
        assert page.locator("h1").count() == 1
        page.screenshot(path=SCREENSHOTS / f"a11y-{status}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == [], (path, width)
        page.keyboard.press("Tab")
        assert focused(page, "e.textContent.trim()") == "Skip to content"
    context.close()


def test_the_404_page_passes_axe(live_server, browser: Browser, org):
    check_error_page(browser, live_server.url, "/no-such-page/", 404, "Page not found")


@pytest.mark.urls("tests.careermap.broken_urls")
def test_the_500_page_passes_axe(live_server, browser: Browser, org):
    check_error_page(browser, live_server.url, "/broken/", 500, "Something went wrong on our side")


def test_a_refused_import_passes_axe(live_server, browser: Browser, org):
    """The problems of a refused people import: one alert (the section, named by its
    heading) around a plain list; axe-core finds nothing."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server.url, "hana")
    page.wait_for_load_state("load")
    page.goto(live_server.url + "/people/import/")
    bad = "username,name,email,role,manager\nada,Ada,,no-such-role,\n"
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert").filter(has_text="Nothing was imported")
    expect(alert).to_have_accessible_name("Nothing was imported")
    expect(alert.get_by_role("listitem")).to_contain_text('Line 2: role "no-such-role"')
    assert axe_violations(page) == []
    context.close()


@pytest.mark.urls("tests.careermap.broken_urls")
def test_the_400_page_passes_axe(live_server, browser: Browser, org):
    check_error_page(
        browser, live_server.url, "/bad-request/", 400, "careermap could not read this request"
    )


@pytest.mark.urls("tests.careermap.broken_urls")
def test_the_403_page_passes_axe(live_server, browser: Browser, org):
    check_error_page(browser, live_server.url, "/forbidden/", 403, "You are not allowed to do this")


def test_an_expired_form_answers_a_page_that_passes_axe(live_server, browser: Browser, org):
    """A form whose CSRF token no longer matches (here the header's Log out, its token
    spoilt as a page left open across another log-in would have it): Django's CSRF
    failure, in careermap's page, at 1280 and 375 px."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server.url, "erin")
    page.wait_for_load_state("load")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + "/account/")
        page.locator("form.logout input[name=csrfmiddlewaretoken]").evaluate(
            "input => { input.value = 'x'.repeat(64); }"
        )
        with page.expect_response("**/logout/") as answer:
            page.get_by_role("button", name="Log out").click()
        assert answer.value.status == 403
        expect(page.get_by_role("heading", name="This form has expired", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="home page")).to_have_attribute("href", "/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()  # still logged in
        page.screenshot(path=SCREENSHOTS / f"a11y-403-csrf-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == [], width
    context.close()
