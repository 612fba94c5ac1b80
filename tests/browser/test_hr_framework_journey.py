"""hana keeps the framework in real Chromium: the overview, a skill, a role, then the
expectation grid: an off-scale level shows its error in the cell and saves nothing; a
valid one is previewed (who becomes ready) and saved; the role's history shows the
change. Every page is screenshotted and checked at 375 px."""

# ruff: noqa: RUF001  (the multiplication sign is what the page shows)
from __future__ import annotations

import re

from playwright.sync_api import expect

from skills.models import Expectation
from tests.helpers import fits_375, log_in, submit_with_notes


def level_of(role_key: str, skill_key: str) -> int | None:
    found = Expectation.objects.filter(role__key=role_key, skill__key=skill_key).first()
    return found.level if found else None


def test_hana_edits_a_grid_cell_previews_the_impact_and_sees_the_history(
    live_server, page, screenshot, org, framework
):
    # erin aims at Staff and meets all of it but system design, one level short.
    erin = org["erin"]
    expected = dict(framework["staff-engineer"].expectations.values_list("skill__key", "level"))
    short = expected["system-design"] - 1
    submit_with_notes(erin, erin, "self", {**expected, "system-design": short})
    was = level_of("staff-engineer", "system-design")
    base = live_server.url

    log_in(page, base, "hana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    expect(page.get_by_role("heading", name="Framework", level=1)).to_be_visible()
    fits_375(page)
    screenshot("framework-01-overview")

    page.get_by_role("link", name="Mentoring and growing others", exact=True).click()
    expect(
        page.get_by_role("heading", name="Skill Mentoring and growing others", level=1)
    ).to_be_visible()
    expect(page.get_by_label("3 · Proficient")).not_to_be_empty()
    fits_375(page)
    screenshot("framework-02-skill")

    page.goto(base + "/framework/roles/staff-engineer/")
    expect(page.get_by_role("heading", name="Role Staff Engineer", level=1)).to_be_visible()
    fits_375(page)
    screenshot("framework-03-role")

    page.goto(base + "/framework/categories/communication/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Communication")
    fits_375(page)
    screenshot("framework-04-category")

    # Retire a skill: it moves under Retired on the overview, and Restore brings it back.
    page.goto(base + "/framework/skills/hiring/")
    page.get_by_role("button", name="Retire skill").click()
    expect(page.get_by_text("Skill Hiring retired")).to_be_visible()
    page.goto(base + "/framework/")
    retired = page.locator("section", has=page.get_by_role("heading", name="Retired"))
    expect(retired.locator("[data-skill='hiring']")).to_be_visible()
    fits_375(page)
    screenshot("framework-05-overview-retired")
    retired.get_by_role("button", name="Restore Hiring").click()
    expect(page.get_by_text("Skill Hiring restored.")).to_be_visible()

    # The grid; at 375 px it scrolls inside its own box.
    page.goto(base + "/framework/")
    page.get_by_role("link", name="Expectation grid").click()
    expect(page.get_by_role("heading", name="Expectation grid", level=1)).to_be_visible()
    fits_375(page)
    screenshot("framework-06-grid")

    cell = page.locator("#cell-staff-engineer-system-design")
    cell.get_by_role("link").click()
    field = page.get_by_label("Staff Engineer × System design")
    expect(field).to_have_value(str(was))

    # Off the scale: the error shows in that cell, nothing is saved.
    field.fill("9")
    with page.expect_response(lambda r: r.url.endswith("/system-design/")) as saved:
        cell.get_by_role("button", name="Save").click()
    assert saved.value.ok
    expect(cell.get_by_role("alert")).to_contain_text("Level 9 is not on the scale")
    assert level_of("staff-engineer", "system-design") == was
    screenshot("framework-07-grid-cell-error")

    # A valid level: preview first, erin would become ready; still nothing saved.
    field = page.get_by_label("Staff Engineer × System design")
    field.fill(str(short))
    cell.get_by_role("button", name="Preview impact").click()
    impact = page.locator("#impact")
    expect(impact).to_contain_text("measured against Staff Engineer change readiness")
    expect(impact).to_contain_text(re.compile(r"Becomes ready: Erin \(\d+% → 100%\)"))
    assert level_of("staff-engineer", "system-design") == was
    screenshot("framework-08-grid-impact")

    cell.get_by_role("button", name="Save").click()
    expect(cell.locator(".cell-value")).to_have_text(str(short))
    assert level_of("staff-engineer", "system-design") == short
    fits_375(page)
    screenshot("framework-09-grid-saved")

    # The role's history: hana, old -> new.
    page.goto(base + "/framework/roles/staff-engineer/history/")
    expect(page.get_by_role("heading", name="History of Staff Engineer", level=1)).to_be_visible()
    latest = page.locator(".change").first
    expect(latest).to_contain_text("by hana")
    expect(latest).to_contain_text(f"expectations.system-design: {was} → {short}")
    fits_375(page)
    screenshot("framework-10-role-history")

    page.goto(base + "/framework/skills/system-design/history/")
    expect(page.locator(".change").first).to_contain_text(
        f"expectations.staff-engineer: {was} → {short}"
    )
    fits_375(page)
    screenshot("framework-11-skill-history")

    # The cell's own page, the twin without htmx, with its preview.
    page.goto(base + "/framework/grid/staff-engineer/system-design/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff Engineer × System design")
    page.get_by_label("Staff Engineer × System design").fill("5")
    page.get_by_role("button", name="Preview impact").click()
    expect(page.locator("#impact")).to_contain_text(re.compile(r"Stops being ready: Erin"))
    assert level_of("staff-engineer", "system-design") == short
    fits_375(page)
    screenshot("framework-12-cell-page")


def _focused_cell(page) -> str:
    return page.evaluate("document.activeElement.closest('td.cell')?.id || ''")


def test_hana_edits_a_grid_cell_by_keyboard_only(live_server, page, org, framework):
    """Tab to the grid, arrows to a cell, Enter, type, Enter: the focus comes back to the
    cell and the live region says what was saved; Escape (and Cancel) say "Cancelled"."""
    erin = org["erin"]
    expected = dict(framework["staff-engineer"].expectations.values_list("skill__key", "level"))
    submit_with_notes(
        erin, erin, "self", {**expected, "system-design": expected["system-design"] - 1}
    )
    base = live_server.url
    log_in(page, base, "hana")
    page.goto(base + "/framework/grid/")
    expect(page.locator("#grid-keys")).to_be_visible()

    # One cell in the tab order: Tab reaches it (the first cell), after the headers.
    for _ in range(60):
        page.keyboard.press("Tab")
        if _focused_cell(page):
            break
    first = page.locator("td.cell").first.get_attribute("id")
    assert _focused_cell(page) == first
    assert page.locator("td.cell .cell-link[tabindex='0']").count() == 1

    # Arrows: to the System design row (down), then to the Staff Engineer column (right).
    target = "cell-staff-engineer-system-design"
    rows = page.eval_on_selector_all("tbody tr[data-skill]", "rs => rs.map(r => r.dataset.skill)")
    columns = page.eval_on_selector(
        "tbody tr[data-skill]", "r => [...r.querySelectorAll('td.cell')].map(c => c.dataset.role)"
    )
    for _ in range(rows.index("system-design")):
        page.keyboard.press("ArrowDown")
    for _ in range(columns.index("staff-engineer")):
        page.keyboard.press("ArrowRight")
    assert _focused_cell(page) == target
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert _focused_cell(page) == target
    assert page.locator(f"#{target} .cell-link").get_attribute("tabindex") == "0"

    # Enter opens the editor with the focus in its input; type; Enter saves.
    page.keyboard.press("Enter")
    field = page.get_by_label("Staff Engineer × System design")
    expect(field).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    # Preview first: beside the cell, the page does not scroll away.
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(f"#{target}").get_by_role("button", name="Preview impact")).to_be_focused()
    page.keyboard.press("Enter")
    impact = page.locator("#impact")
    expect(impact).to_contain_text("(not saved yet)")
    expect(page.locator(".impact-region")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == scrolled
    expect(field).to_be_visible()

    field.focus()  # back in the input, as a person would Shift+Tab
    page.keyboard.press("Enter")
    cell = page.locator(f"#{target}")
    expect(cell.locator(".cell-value")).to_have_text("2")
    expect(cell.locator(".cell-link")).to_be_focused()
    expect(page.locator("#grid-status")).to_have_text("Saved: Staff Engineer, System design, 2")
    expect(impact).not_to_contain_text("(not saved yet)")
    assert level_of("staff-engineer", "system-design") == 2

    # Enter again, then Escape: cancelled, the focus back on the cell, nothing saved.
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    page.keyboard.type("4")
    page.keyboard.press("Escape")
    expect(cell.locator(".cell-link")).to_be_focused()
    expect(page.locator("#grid-status")).to_have_text("Cancelled")
    expect(cell.locator(".cell-value")).to_have_text("2")

    # The Cancel link, by keyboard: Tab from the input to it.
    page.keyboard.press("ArrowDown")
    below = _focused_cell(page)
    assert below != target
    page.keyboard.press("Enter")
    editor = page.locator(f"#{below}")
    expect(editor.locator("input[name='level']")).to_be_focused()
    editor.get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(editor.locator(".cell-link")).to_be_focused()
    expect(page.locator("#grid-status")).to_have_text("Cancelled")
    assert level_of("staff-engineer", "system-design") == 2
