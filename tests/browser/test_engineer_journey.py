"""erin's journey in real Chromium: log in, change her target role, rate three skills
with evidence (each draft survives a reload), submit, see readiness and the gap list
change, open the paths map and pick a role, add a growth plan action and tick it done,
log out. Every page is screenshotted and checked at 375 px wide."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from people.models import Person
from skills.models import Expectation
from tests.helpers import fits_375

RATED = {  # skill name -> (key, level): what Staff Engineer expects of each
    "System design": ("system-design", "4"),
    "Technical depth": ("technical-depth", "4"),
    "Writing and documenting decisions": ("writing-decisions", "4"),
}


def readiness(page: Page) -> str:
    return page.locator("#readiness").inner_text()


def test_erin_maps_assesses_and_plans(live_server, page, screenshot, org):
    page.goto(live_server.url + "/")

    # Log in.
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot("engineer-01-login")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()

    # Home: what to do next, and no readiness before any rating.
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.locator(".todo-list")).to_contain_text("Start your self-assessment")
    expect(page.locator(".standing")).to_contain_text("Not assessed yet.")
    fits_375(page)
    screenshot("engineer-01b-home")

    # My map: change the target role (htmx), then back to Staff Engineer.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My map").click()
    expect(page.get_by_role("heading", name="My map", level=1)).to_be_visible()
    for label in ("Home", "My map", "Assess", "Paths", "History", "Growth plan"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)
    expect(nav.get_by_role("link", name="Framework")).to_have_count(0)
    page.get_by_label("Target role").select_option("engineering-manager")
    expect(page.get_by_role("heading", name="Readiness for Engineering Manager")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Target role")).to_have_value("engineering-manager")
    page.get_by_label("Target role").select_option("staff-engineer")
    expect(page.get_by_role("heading", name="Readiness for Staff Engineer")).to_be_visible()
    before = readiness(page)
    assert before == "not assessed yet"  # never rated: no percentage, never "0%"
    fits_375(page)
    screenshot("engineer-02-my-map")

    # Assess: three skills, each saved the moment it is answered, with evidence.
    nav.get_by_role("link", name="Assess").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment")
    for name, (key, level) in RATED.items():
        skill = page.get_by_role("group", name=name, exact=True)
        # One request per answer: wait for each save itself, not for text already shown.
        with page.expect_response(lambda r: r.url.endswith("/assess/save/")) as saved:
            skill.get_by_role("radio", name=re.compile(rf"^{level} · ")).check()
        assert saved.value.ok
        expect(page.locator(f"#state-{key}")).to_contain_text("Saved at")
        # The swapped-in fieldset listens for changes once htmx has settled it; typing
        # before that (seen once under load) would change nothing that htmx hears.
        expect(page.locator(f"#skill-{key}")).not_to_have_class(re.compile(r"htmx-\w+"))
        evidence = page.locator(f"#evidence-{key}")
        evidence.fill(f"Evidence for {name}: https://example.com/docs/{key}")
        with page.expect_response(lambda r: r.url.endswith("/assess/save/")) as saved:
            evidence.blur()
        assert saved.value.ok
        expect(page.locator(f"#state-{key}")).to_contain_text("Saved at")
    page.reload()
    for name, (key, level) in RATED.items():
        skill = page.get_by_role("group", name=name, exact=True)
        expect(skill.get_by_role("radio", name=re.compile(rf"^{level} · "))).to_be_checked()
        expect(page.locator(f"#evidence-{key}")).to_have_value(re.compile(f"^Evidence for {name}"))
        expect(page.locator(f"#state-{key}")).to_contain_text("Saved in your draft")
    fits_375(page)
    screenshot("engineer-03-assess-draft")

    # Submit, confirming the dialog.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile("^Submitted")).first).to_be_visible()
    screenshot("engineer-04-assess-submitted")
    assert Person.objects.get(username="erin").assessments.filter(status="submitted").count() == 1

    # My map: readiness and the gap list changed.
    nav.get_by_role("link", name="My map").click()
    expect(page.locator("#readiness")).not_to_have_text(before)
    # 3 of the skills Staff Engineer expects (21 in the second edition: 14%)
    expected = Expectation.objects.filter(role__key="staff-engineer", skill__retired=False)
    assert readiness(page) == f"{round(100 * 3 / expected.count())}%"
    gap_list = page.locator(".gap-list")
    expect(gap_list.locator(":scope > li", has_text="System design")).to_contain_text("gap 0")
    screenshot("engineer-05-my-map-after")

    # Paths: the map, then the gaps against another role.
    nav.get_by_role("link", name="Paths").click()
    expect(page.get_by_role("heading", name="Paths", level=1)).to_be_visible()
    expect(page.locator("svg[role='img']").first).to_be_visible()
    roles = page.locator(
        "section", has=page.get_by_role("heading", name="Roles, the closest first")
    )
    roles.get_by_role("link", name=re.compile("Engineering Manager")).first.click()
    expect(page.get_by_role("heading", name="Your gaps for Engineering Manager")).to_be_visible()
    expect(page.locator("#role-gaps")).to_contain_text("Delegation")
    fits_375(page)
    screenshot("engineer-06-paths")

    # History: the submitted assessment is there.
    nav.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    expect(page.locator("table").first).to_contain_text("Self")
    fits_375(page)
    screenshot("engineer-07-history")

    # Growth plan: take a suggestion, add an action, tick it done.
    nav.get_by_role("link", name="Growth plan").click()
    expect(page.get_by_role("heading", name="Growth plan", level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Focus on ")).first.click()
    expect(page.locator(".focus")).to_have_count(1)
    page.get_by_label(re.compile("^New action for")).fill("Write the design doc for billing")
    page.get_by_label("Due date").fill("2026-12-15")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".plan-actions")).to_contain_text("To do: Write the design doc for billing")
    page.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(page.locator(".plan-actions")).to_contain_text("Done: Write the design doc for billing")
    # The swap keeps keyboard focus on the same control, now offering the way back.
    expect(page.get_by_role("button", name=re.compile("^Mark not done"))).to_be_focused()
    fits_375(page)
    screenshot("engineer-08-growth-plan")

    # Log out.
    page.get_by_role("button", name="Log out").click()
    # Let the logout land on the log-in page before going anywhere else.
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot("engineer-09-logged-out")
