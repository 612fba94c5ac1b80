"""The assessment form by keyboard alone (issue 16), in real Chromium: erin rates her
skills, reads the folded levels of one (Enter on its summary fetches them), writes
evidence and submits through the confirmation; max assesses erin the same way. No
mouse: Tab, Shift+Tab, the arrow keys, Space and Enter, and text typed key by key.

Each answer's autosave swaps its skill's fieldset: the focus must come back to the same
control in the new one (static/js/assess.js), never fall to <body>.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from assessments.evidence import evidence_add
from assessments.models import Assessment
from assessments.services import assessment_start
from skills.models import Skill
from tests.helpers import AXE, axe_violations, focused, levels, submit, tab_to

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
SAVE = re.compile(r"/assess/save/$")


def log_in_by_keyboard(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    page.wait_for_load_state("load")  # leaving earlier aborts Home's style sheets


def radio(skill: Locator, level: int) -> Locator:
    return skill.get_by_role("radio", name=re.compile(rf"^{level} · "))


def level_field(key: str) -> str:
    """The name the form gives a skill's radios: "l" and the skill's id."""
    return f"l{Skill.objects.get(key=key).pk}"


def autosaved(page: Page, key: str, key_press: str) -> None:
    """Press a key that changes skill `key`'s answer, and wait for its fieldset's swap."""
    state = page.locator(f"#state-{key}")
    skill = page.locator(f"#skill-{key}")
    # An unanswered skill has no state line yet: the fieldset carries the mark.
    page.evaluate(f"document.getElementById('skill-{key}').dataset.old = '1'")
    with page.expect_response(lambda r: bool(SAVE.search(r.url))) as saved:
        page.keyboard.press(key_press)
    assert saved.value.ok
    # The new fieldset's line (the old fieldset carried the mark).
    expect(state).to_contain_text("Saved at")
    expect(skill).not_to_have_attribute("data-old", "1")
    # The new fieldset hears changes once htmx has settled it: a key pressed before that
    # (seen under load) would change nothing that htmx hears.
    expect(page.locator(f"#skill-{key}")).not_to_have_class(re.compile(r"htmx-\w+"))


def assert_focus_kept(page: Page, key: str, level: int) -> None:
    """After the swap: the same radio of the new fieldset has the focus, checked."""
    assert focused(page, "e !== document.body"), "the focus fell to <body>"
    name = level_field(key)
    assert focused(page, f"e.name === '{name}' && e.value === '{level}' && e.checked"), focused(
        page, "e.outerHTML"
    )
    assert focused(page, f"document.getElementById('skill-{key}').contains(e)")


# The form's first two skills (Technical craft), in its order.
FIRST, SECOND = "system-design", "technical-depth"


def shown_count(person) -> int:
    """How many skills the form shows by default: those the person's role and target
    role expect (21 for erin in the second edition)."""
    roles = [person.role_id, person.target_role_id]
    return Skill.objects.filter(expectations__role__in=roles, retired=False).distinct().count()


def submit_by_keyboard(page: Page) -> None:
    """The bar's "Review and submit" (a link to the submit step), its button, and the
    browser's confirmation (htmx's hx-confirm), accepted."""
    tab_to(page, "e.textContent.trim() === 'Review and submit'")
    page.keyboard.press("Enter")
    # The browser reports a same-page navigation a moment later: wait for it.
    expect(page).to_have_url(re.compile(r"#submit$"))
    tab_to(page, "e.tagName === 'BUTTON' && e.closest('#submit') !== null")
    assert focused(page, "e.textContent.trim()") == "Submit"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_erin_self_assesses_and_submits_by_keyboard(live_server, page, org):
    erin = org["erin"]
    log_in_by_keyboard(page, live_server.url, "erin")
    page.goto(live_server.url + "/assess/")
    first = page.locator(f"#skill-{FIRST}")

    # Into the first skill: its radios are one stop; none is checked, so the first.
    tab_to(page, f"e.name === '{level_field(FIRST)}'")
    assert focused(page, "e.value") == "0"
    autosaved(page, FIRST, "Space")  # Space checks 0
    assert_focus_kept(page, FIRST, 0)
    for level in (1, 2):  # each arrow checks the next level, saved as given
        autosaved(page, FIRST, "ArrowDown")
        assert_focus_kept(page, FIRST, level)
    autosaved(page, FIRST, "ArrowUp")
    assert_focus_kept(page, FIRST, 1)
    expect(radio(first, 1)).to_be_checked()
    expect(page.locator("#assess-count")).to_contain_text(f"1 of {shown_count(org['erin'])}")
    expect(page.locator("#autosave-status")).to_have_text("Saved: System design.")

    # The other levels: Enter on the summary fetches them into the <details>.
    summary = first.locator("summary")
    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    expect(summary).to_have_text("What the other levels mean for System design")
    with page.expect_response(re.compile(rf"/assess/levels/{FIRST}/$")):
        page.keyboard.press("Enter")
    details = first.locator("details")
    expect(details).to_have_attribute("open", "")
    # All but her answer (1) and what Staff Engineer expects (4): those are in the form.
    expect(details.locator("dt")).to_have_text(
        ["0 · None", "2 · Developing", "3 · Proficient", "5 · Leading"]
    )
    slot = details.locator("dl").locator("..")
    expect(slot).to_have_attribute("aria-live", "polite")
    expect(slot).to_have_attribute("aria-busy", "false")
    expect(summary).to_be_focused()  # where Enter left it
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        first.scroll_into_view_if_needed()
        # caret="initial": hiding the caret would inject a style, which the CSP refuses.
        page.screenshot(path=SCREENSHOTS / f"assess-levels-open-{width}.png", caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Evidence, typed; Tab leaves it (its change saves) for the link to add an item to
    # her log (issue 17), then the next skill's radios.
    page.keyboard.press("Tab")
    expect(page.locator(f"#evidence-{FIRST}")).to_be_focused()
    page.keyboard.type("Designed the billing pipeline: https://example.com/rfc/7")
    with page.expect_response(lambda r: bool(SAVE.search(r.url))):
        page.keyboard.press("Tab")
    expect(page.locator(f"#state-{FIRST}")).to_contain_text("Saved at")
    add = first.get_by_role("link", name="Add evidence for System design")
    expect(add).to_have_attribute("href", f"/map/evidence/?skill={FIRST}#add")
    expect(add).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page, "e.name") == level_field(SECOND)
    # The swapped skill kept its <details> open, its levels fetched again.
    expect(first.locator("details")).to_have_attribute("open", "")
    expect(first.locator("details dt")).to_have_count(4)

    # Shift+Tab goes back into the swapped skill: the link, the evidence as typed.
    page.keyboard.press("Shift+Tab")
    expect(add).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator(f"#evidence-{FIRST}")).to_be_focused()
    expect(page.locator(f"#evidence-{FIRST}")).to_have_value(re.compile("^Designed the"))
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page, "e.name") == level_field(SECOND)

    # The second skill: ArrowDown from its unchecked first radio checks level 1.
    autosaved(page, SECOND, "ArrowDown")
    assert_focus_kept(page, SECOND, 1)
    autosaved(page, SECOND, "ArrowDown")
    assert_focus_kept(page, SECOND, 2)
    expect(page.locator("#assess-count")).to_contain_text(f"2 of {shown_count(org['erin'])}")
    expect(page.locator("#autosave-status")).to_have_text("Saved: Technical depth.")

    submit_by_keyboard(page)
    expect(page.get_by_text(re.compile(r"^Submitted: 2 skills rated\.")).first).to_be_visible()
    done = Assessment.objects.get(person=erin, kind="self")
    assert done.status == "submitted"
    assert levels(done) == {FIRST: 1, SECOND: 2}
    assert done.ratings.get(skill__key=FIRST).evidence.startswith("Designed the")


def test_max_assesses_erin_by_keyboard(live_server, page, org):
    erin, max_ = org["erin"], org["max"]
    log_in_by_keyboard(page, live_server.url, "max")
    page.goto(f"{live_server.url}/team/{erin.pk}/assess/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment of Erin")

    tab_to(page, f"e.name === '{level_field(FIRST)}'")
    for level in (1, 2, 3):
        autosaved(page, FIRST, "ArrowRight")
        assert_focus_kept(page, FIRST, level)

    # Evidence, then back with Shift+Tab to the summary, which the save does not lose.
    tab_to(page, f"e.id === 'evidence-{FIRST}'")
    page.keyboard.type("Ran the incident reviews")
    with page.expect_response(lambda r: bool(SAVE.search(r.url))):
        page.keyboard.press("Shift+Tab")  # leaving the evidence saves it
    expect(page.locator(f"#state-{FIRST}")).to_contain_text("Saved at")
    expect(page.locator(f"#skill-{FIRST} summary")).to_be_focused()
    assert focused(page, f"document.getElementById('skill-{FIRST}').contains(e)")

    tab_to(page, f"e.name === '{level_field(SECOND)}'")
    autosaved(page, SECOND, "Space")
    assert_focus_kept(page, SECOND, 0)

    submit_by_keyboard(page)
    submitted = page.get_by_text(re.compile(r"^Submitted: 2 skills rated for Erin"))
    expect(submitted.first).to_be_visible()
    done = Assessment.objects.get(person=erin, kind="manager", author=max_)
    assert done.status == "submitted"
    assert levels(done) == {FIRST: 3, SECOND: 0}
    assert done.ratings.get(skill__key=FIRST).evidence == "Ran the incident reviews"


def test_the_opened_levels_and_their_own_page_pass_axe(live_server, browser: Browser, org):
    """axe-core (its script injected: a context that bypasses the CSP) on the form with
    a skill's folded levels fetched into its <details>, and on the levels' own page (the
    way without JavaScript), for erin and for max assessing her, at 1280 and 375 px."""
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    erin = org["erin"]
    for username, form in (("erin", "/assess/"), ("max", f"/team/{erin.pk}/assess/")):
        log_in_by_keyboard(page, live_server.url, username)
        page.goto(live_server.url + form)
        summary = page.locator(f"#skill-{FIRST} summary")
        summary.focus()
        with page.expect_response(re.compile(rf"/assess/levels/{FIRST}/$")):
            page.keyboard.press("Enter")
        # Not answered yet: every level but the expected one (4, in the form).
        expect(page.locator(f"#skill-{FIRST} details dt")).to_have_count(5)
        expect(summary).to_have_text("What the other levels mean for System design")
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_violations(page) == [], (username, form, width)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.goto(f"{live_server.url}{form}levels/{FIRST}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "What each level of System design means"
        )
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=SCREENSHOTS / f"assess-levels-page-{username}-{width}.png")
            assert axe_violations(page) == [], (username, "levels page", width)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.keyboard.press("Tab")  # the skip link: then out, by the header's Log out
        tab_to(page, "e.textContent.trim() === 'Log out'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    context.close()


# --- Evidence over reputation (issue 17) ----------------------------------------------------


def evidence_of(person, title: str, key: str) -> int:
    return evidence_add(
        by=person,
        person=person,
        title=title,
        kind="decision",
        date=date.today() - timedelta(days=7),
        skills=[key],
    ).pk


def press_submit_expecting_errors(page: Page) -> None:
    """As submit_by_keyboard, for a submit the server refuses: the form comes back."""
    tab_to(page, "e.textContent.trim() === 'Review and submit'")
    page.keyboard.press("Enter")
    tab_to(page, "e.tagName === 'BUTTON' && e.closest('#submit') !== null")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(re.compile(r"/assess/submit/$")) as refused:
        page.keyboard.press("Enter")
    assert refused.value.ok


def test_max_cites_an_item_by_keyboard_after_the_uncited_rating_is_refused(live_server, page, org):
    """erin rated herself 1 on system design; max rates her 4 and submits citing
    nothing: refused, the summary focused and read, the error beside the skill's
    evidence. From the summary's link, by keyboard: the evidence, then her item, ticked
    (autosaved, the focus kept on it); the submit goes through."""
    erin, max_ = org["erin"], org["max"]
    submit(erin, erin, "self", {FIRST: 1})
    rfc = evidence_of(erin, "Caching RFC", FIRST)
    log_in_by_keyboard(page, live_server.url, "max")
    page.goto(f"{live_server.url}/team/{erin.pk}/assess/")

    tab_to(page, f"e.name === '{level_field(FIRST)}'")
    for level in (1, 2, 3, 4):
        autosaved(page, FIRST, "ArrowRight")
        assert_focus_kept(page, FIRST, level)

    press_submit_expecting_errors(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Not submitted: 1 rating needs evidence")
    error = page.locator(f"#error-{FIRST}")
    expect(error).to_be_visible()
    expect(error).to_contain_text("you rate 4, Erin rated 1")
    note = page.locator(f"#evidence-{FIRST}")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_attribute("aria-describedby", f"error-{FIRST}")
    assert Assessment.objects.get(person=erin, kind="manager").status == "draft"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=SCREENSHOTS / f"assess-uncited-{width}.png", caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The summary's link leads to the skill's evidence; then her item, ticked by Space.
    page.keyboard.press("Tab")
    assert focused(page, "e.getAttribute('href')") == f"#evidence-{FIRST}"
    page.keyboard.press("Enter")
    expect(note).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page, f"e.type === 'checkbox' && e.value === '{rfc}'")
    autosaved(page, FIRST, "Space")
    assert focused(page, f"e.type === 'checkbox' && e.value === '{rfc}' && e.checked"), focused(
        page, "e.outerHTML"
    )
    expect(page.locator(f"#error-{FIRST}")).to_have_count(0)

    submit_by_keyboard(page)
    expect(
        page.get_by_text(re.compile(r"^Submitted: 1 skill rated for Erin")).first
    ).to_be_visible()
    done = Assessment.objects.get(person=erin, kind="manager", author=max_)
    assert done.status == "submitted"
    assert list(done.ratings.get(skill__key=FIRST).evidence_items.values_list("pk", flat=True)) == [
        rfc
    ]


def test_the_evidence_states_pass_axe(live_server, browser: Browser, org):
    """axe-core on the changed states: erin's form with a stale skill first, her items to
    tick and the links to add evidence; max's form refused for an uncited rating, the
    summary and the error beside the skill. At 1280 and 375 px."""
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    erin = org["erin"]
    submit(erin, erin, "self", {FIRST: 1}, at=timezone.now() - timedelta(days=400))
    evidence_of(erin, "Caching RFC", FIRST)
    evidence_of(erin, "Profiling notes", SECOND)
    assessment_start(
        by=org["max"], person=erin, kind="manager", ratings=[{"skill": FIRST, "level": 4}]
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()

    log_in_by_keyboard(page, live_server.url, "erin")
    page.goto(live_server.url + "/assess/")
    expect(page.locator(".assess-stale h2")).to_contain_text("review these first")
    expect(page.locator(f".assess-stale #skill-{FIRST} .badge.stale")).to_be_visible()
    expect(page.locator(f"#skill-{SECOND} .cite input[type=checkbox]")).to_have_count(1)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == [], ("erin", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    tab_to(page, "e.textContent.trim() === 'Log out'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    log_in_by_keyboard(page, live_server.url, "max")
    page.goto(f"{live_server.url}/team/{erin.pk}/assess/")
    press_submit_expecting_errors(page)
    expect(page.locator("#error-summary")).to_be_focused()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == [], ("max, refused", width)
    context.close()
