"""An HR admin keeps a role's expectations in the admin."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from skills.models import Expectation


def test_hr_admin_edits_an_expectation_of_a_role(live_server, page, screenshot, hana):

    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    screenshot("admin-01-login")

    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Framework and organisation")).to_be_visible()
    screenshot("admin-02-index")

    page.locator("#content").get_by_role("link", name="Roles", exact=True).click()
    expect(page.get_by_role("heading", name="Select role to change")).to_be_visible()
    screenshot("admin-03-roles")

    page.get_by_role("link", name="Staff Engineer", exact=True).click()
    expect(page.get_by_role("heading", name="Expectations")).to_be_visible()
    level = page.locator("tr.form-row").filter(has_text="System design").get_by_role("spinbutton")
    expect(level).to_have_value("4")
    screenshot("admin-04-staff-engineer")

    level.fill("9")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.get_by_text("Level 9 is not on the scale 0-5.")).to_be_visible()
    screenshot("admin-05-level-off-the-scale")

    level.fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    screenshot("admin-06-saved")
    saved = Expectation.objects.get(role__key="staff-engineer", skill__key="system-design")
    assert saved.level == 5

    page.get_by_role("button", name="Log out").click()
    # Logging out anywhere lands on careermap's own log-in page.
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot("admin-07-logged-out")
