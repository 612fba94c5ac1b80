"""The Content-Security-Policy in real Chromium: a violation fails a test, and the pages
that are not on a user journey (the HR pages, the audit trail, the admin, the API docs)
work under the policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import fits_375, log_in, watch


@pytest.mark.page_problems_expected
def test_an_inline_style_or_script_is_caught_as_a_csp_violation(live_server, page, erin):
    problems = watch(page)
    page.goto(live_server.url + "/login/")
    assert problems == []

    # What an injection would try: an inline <style>, a style attribute, an inline script.
    page.evaluate(
        """() => {
          document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>");
          document.querySelector("h1").setAttribute("style", "color: red");
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)  # the violation events are queued as tasks

    violations = [p for p in problems if p.startswith("CSP violation")]
    assert any("style-src-elem" in v for v in violations), problems
    assert any("style-src-attr" in v for v in violations), problems
    assert any("script-src-elem" in v for v in violations), problems
    assert page.evaluate("window.injected") is None


def test_the_policy_is_sent_with_a_fresh_nonce(live_server, page, db):
    first = page.goto(live_server.url + "/login/").headers["content-security-policy"]
    second = page.goto(live_server.url + "/login/").headers["content-security-policy"]

    assert "script-src 'self' 'nonce-" in first
    assert "style-src 'self' 'nonce-" in first
    assert "unsafe-inline" not in first
    assert first != second


def test_hr_pages_and_the_audit_trail_work_under_the_policy(live_server, page, screenshot, hana):
    log_in(page, live_server.url, "hana")
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Framework", "People", "Reports"):
        link = nav.get_by_role("link", name=label, exact=True)
        if link.count():  # each appears once its page exists
            link.click()
            expect(page.locator("h1")).to_be_visible()
            fits_375(page)

    page.goto(live_server.url + "/audit/")
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Logged in").first).to_be_visible()
    page.get_by_label("Action").select_option("login")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"action=login"))
    fits_375(page)
    screenshot("security-01-audit-trail")


def test_the_admin_works_under_the_policy(live_server, page, screenshot, hana):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Framework and organisation")).to_be_visible()

    # The change list carries the admin's nonce'd inline <style> and scripts.
    page.locator("#content").get_by_role("link", name="Skills", exact=True).click()
    expect(page.get_by_role("heading", name="Select skill to change")).to_be_visible()
    page.locator("#result_list tbody th a").first.click()
    expect(page.get_by_role("heading", name="Change skill")).to_be_visible()
    screenshot("security-02-admin-skill")


def test_the_api_docs_work_under_the_policy(live_server, page, screenshot, db):
    page.goto(live_server.url + "/api/docs/")

    expect(page.locator(".swagger-ui .title")).to_contain_text("careermap API")
    expect(page.get_by_text("/api/auth/token/").first).to_be_visible()
    screenshot("security-03-api-docs")


@pytest.mark.page_problems_expected
def test_a_locked_out_user_is_told_so_on_the_login_page(live_server, page, screenshot, erin):
    problems = watch(page)
    page.goto(live_server.url + "/login/")
    for _ in range(4):
        page.get_by_label("Username").fill("erin")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    # The fifth failure locks erin out from here: a 429, the one problem allowed.
    with page.expect_response(re.compile(r"/login/$")) as answer:
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text("Too many failed log-in attempts")
    expect(page.get_by_label("Username")).to_have_value("erin")
    screenshot("security-04-locked-out")
    assert [p for p in problems if "429" not in p] == [], problems
