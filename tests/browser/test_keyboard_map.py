"""My map by keyboard alone (issue 17), in real Chromium: erin adds a gap to her growth
plan, then one of its ways to grow as an action, with Tab and Enter only; and axe-core
finds nothing on My map and on max's view of erin with every fold open, at 1280 and
375 px."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, expect

from assessments.evidence import evidence_add
from assessments.models import Action, FocusSkill
from assessments.services import assessment_start, assessment_submit
from assessments.templatetags.careermap import bullets
from skills.models import Skill
from tests.helpers import AXE, axe_violations, focused, log_in, submit, tab_to


def rated(org) -> None:
    """erin rates herself; max rates her, citing an item of her log on system design."""
    erin, max_ = org["erin"], org["max"]
    shown = evidence_add(
        by=erin,
        person=erin,
        title="Led the caching design",
        kind="project",
        date=date(2026, 3, 1).isoformat(),
        skills=["system-design"],
    )
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3, "feedback": 1})
    draft = assessment_start(
        by=max_,
        person=erin,
        kind="manager",
        ratings=[
            {
                "skill": "system-design",
                "level": 2,
                "evidence": "Designs carefully.",
                "evidence_items": [shown.pk],
            },
            {"skill": "mentoring", "level": 3, "evidence": "Pairs well."},
        ],
    )
    assessment_submit(by=max_, assessment=draft)


def test_erin_adds_a_gap_and_a_way_to_grow_to_her_plan_by_keyboard(live_server, page, org):
    rated(org)
    erin = org["erin"]
    page.goto(live_server.url + "/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type("erin")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    page.goto(live_server.url + "/map/")

    # The card's own button: a plain form, Enter submits it, the page comes back.
    tab_to(
        page,
        "e.tagName === 'BUTTON' && e.closest('form.add-focus') "
        "&& e.form.elements.skill.value === 'system-design'",
    )
    assert focused(page, "e.textContent.trim()") == "Add to my growth plan: System design"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.get_by_role("status")
    expect(status).to_contain_text("System design is now a focus skill of your growth plan")
    expect(status.get_by_role("link", name="Open your growth plan")).to_be_visible()
    assert list(
        FocusSkill.objects.filter(plan__person=erin).values_list("skill__key", flat=True)
    ) == ["system-design"]

    # A way to grow: Enter on the fold's summary opens it, Tab reaches its first button.
    tab_to(
        page, "e.tagName === 'SUMMARY' && e.textContent.trim() === 'Ways to grow in System design'"
    )
    page.keyboard.press("Enter")
    ways = page.locator(
        "details", has=page.locator("summary", has_text="Ways to grow in System design")
    )
    expect(ways).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    way = bullets(Skill.objects.get(key="system-design").how_to_grow)[0]
    assert focused(page, "e.form && e.form.elements.way ? e.form.elements.way.value : ''") == way
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("to System design in your growth plan")
    assert list(Action.objects.values_list("text", flat=True)) == [way]

    # The message's link leads to the plan, by keyboard too.
    tab_to(page, "e.tagName === 'A' && e.textContent.trim() === 'Open your growth plan'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Growth plan", level=1)).to_be_visible()
    expect(page.locator("#plan")).to_contain_text(way)


def test_my_map_and_the_report_pass_axe_with_every_fold_open(live_server, browser: Browser, org):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    rated(org)
    found: dict[str, list[str]] = {}
    for username, path in (("erin", "/map/"), ("max", f"/team/{org['erin'].pk}/")):
        context = browser.new_context(bypass_csp=True)  # axe's script is injected
        page = context.new_page()
        log_in(page, live_server.url, username)
        page.goto(live_server.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        expect(page.locator(".manager-evidence[open]").first).to_contain_text("Designs carefully.")
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            if violations := axe_violations(page):
                found[f"{username} {path} at {width}px"] = violations
        context.close()
    assert found == {}
