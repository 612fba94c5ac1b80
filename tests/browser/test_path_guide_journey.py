"""Issue 21 in real Chromium: erin, a senior engineer, reads the three tracks on Paths,
opens a role's page (what the role is, a typical week, its archetypes, what it expects
of her), then answers the guide to choosing a path by keyboard alone and sees where her
answers point. Her manager cannot read her answers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from people.models import PathReflection
from tests.helpers import focused, log_in, tab_to


def test_erin_reads_a_role_page_and_answers_the_path_guide_by_keyboard(
    live_server, page: Page, org
):
    base = live_server.url
    log_in(page, base, "erin")
    page.goto(base + "/paths/")
    expect(page.get_by_role("heading", name="Three tracks past senior")).to_be_visible()

    # A role's page from the list of paths.
    page.get_by_role("link", name="About the role Staff Engineer", exact=True).click()
    expect(page.get_by_role("heading", name="Staff Engineer", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="A typical week")).to_be_visible()
    variants = page.locator(".role-variants li")
    assert variants.count() >= 2  # the archetypes: tech lead, architect, ...
    expect(page.locator("tr[data-skill]").first).to_be_visible()
    expect(page.locator(".role-readiness")).not_to_be_empty()

    # The guide, by keyboard: Tab to a question's radios, arrows choose, Enter saves.
    page.get_by_role("link", name="A guide to choosing a path").first.click()
    expect(page.get_by_role("heading", name="A guide to choosing a path", level=1)).to_be_visible()
    expect(page.locator("#advice")).to_contain_text("Answer the questions about you")

    tab_to(page, "e.type === 'radio' && e.name === 'energy'")
    assert focused(page, "e.value") == "code"
    page.keyboard.press("ArrowDown")  # "Helping people and teams work well"
    page.keyboard.press("ArrowDown")  # "Designing systems that fit together"
    assert focused(page, "e.value + ':' + e.checked") == "systems:true"
    tab_to(page, "e.type === 'radio' && e.name === 'meetings'")
    page.keyboard.press("Space")  # "It drains me"
    assert focused(page, "e.value + ':' + e.checked") == "drain:true"
    tab_to(page, "e.tagName === 'BUTTON' && e.textContent.trim() === 'Save my answers'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    advice = page.locator(".guide-track").first
    expect(advice).to_have_attribute("data-track", "ic")
    expect(advice).to_contain_text("designing systems energises you")
    expect(advice.get_by_role("link", name="Staff Engineer", exact=True)).to_be_visible()
    assert PathReflection.objects.get(person=org["erin"]).answers == {
        "energy": "systems",
        "meetings": "drain",
    }

    # Private: her manager's guide is his own, empty.
    page.context.clear_cookies()
    log_in(page, base, "max")
    page.goto(base + "/paths/guide/")
    expect(page.locator("#advice")).to_contain_text("Answer the questions about you")
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
