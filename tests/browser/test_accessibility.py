"""axe-core on every page, as each persona sees it with the demo organisation's data, as
loaded and in the states a person drives it into (an editor open, a dry run's answer, an
autosave, an htmx swap, a form's answer), at 1280 and 375 px. Every rule axe runs by
default (WCAG 2.1 A and AA, and its best practices): no violation of any impact.

axe runs in a browser context that bypasses the Content-Security-Policy (its script is
injected); the journeys check the console under the policy. `make test` installs
axe-core from npm (package.json); nothing loads from a CDN."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
import yaml
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from people.models import Person
from tests.helpers import AXE, axe_violations, log_in


@pytest.fixture
def demo(settings, transactional_db) -> dict[str, int]:
    settings.DEBUG = True  # the demo command refuses to run in production
    call_command("demo", stdout=io.StringIO())
    settings.DEBUG = False
    return dict(Person.objects.values_list("username", "pk"))


PAGES = {
    # Before logging in: the front door and choosing a password (a link that no longer
    # works shows its page; a working one is in test_invitation_journey).
    "anonymous": ["/login/", "/password/", "/password/sent/", "/password/set/MQ/expired-token/"],
    "erin": [
        *("/", "/account/", "/map/", "/assess/", "/assess/submit/"),
        *("/paths/", "/paths/guide/", "/roles/staff-engineer/", "/history/", "/growth/"),
        *("/notifications/", "/account/notifications/", "/map/checkins/"),
    ],
    "max": [
        *("/", "/team/", "/team/{erin}/", "/team/{erin}/history/", "/team/{erin}/assess/"),
        "/team/{erin}/checkins/",
        *("/promotions/", "/promotions/new/?person={erin}"),  # a case's pages: its journey
    ],
    "mona": ["/team/?depth=all", "/team/org/", "/team/{max}/", "/team/{erin}/"],
    "hana": [
        "/",
        "/framework/",
        "/framework/grid/",
        "/framework/skills/system-design/",
        "/framework/roles/staff-engineer/history/",
        "/framework/import/",
        "/people/",
        "/people/import/",
        "/people/{erin}/",
        "/reports/",
        "/audit/",
        "/notifications/failed/",
        *("/promotions/rounds/", "/promotions/rounds/new/"),  # a round's page: its journey
        *("/promotions/", "/promotions/new/"),  # a case's pages: its journey
        "/people/scim/",
        "/roles/engineering-manager/",
    ],
}


def check(page: Page, state: str, found: dict[str, list[str]]) -> None:
    """axe on the page's current state at the wide layout and the phone's (charts and
    tables change), then back to the wide one to go on."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        if violations:
            found[f"{state} at {width}px"] = violations
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("username", list(PAGES))
def test_every_page_passes_axe(live_server, browser: Browser, demo, username):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    if username != "anonymous":
        log_in(page, live_server.url, username)
    found: dict[str, list[str]] = {}
    for path in PAGES[username]:
        response = page.goto(live_server.url + path.format(**demo))
        assert response is not None, path
        assert response.status == 200, path
        check(page, path, found)
    context.close()
    assert found == {}


# --- The states each page is driven into ------------------------------------------------


def grid_cell_editor_and_impact(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/framework/grid/")
    cell = page.locator("#cell-staff-engineer-system-design")
    cell.locator(".cell-link").focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Staff Engineer \N{MULTIPLICATION SIGN} System design")
    expect(field).to_be_focused()
    check(page, "/framework/grid/ with a cell's editor open", found)

    field.fill("1")
    cell.get_by_role("button", name="Preview impact").click()
    expect(page.locator("#impact")).to_contain_text("(not saved yet)")
    check(page, "/framework/grid/ with the impact preview", found)


def framework_import_dry_runs(page: Page, base: str, demo: dict[str, int], found) -> None:
    document = yaml.safe_load(page.request.get(base + "/framework/export.yaml").text())
    document["skills"][0]["name"] += " (renamed)"
    document["roles"][0].setdefault("expectations", {})[document["skills"][0]["key"]] = 1

    def dry_run(doc: dict, name: str) -> None:
        page.goto(base + "/framework/import/")
        page.get_by_label("Framework file (YAML or JSON)").set_input_files(
            {"name": name, "mimeType": "application/yaml", "buffer": yaml.dump(doc).encode()}
        )
        page.get_by_role("button", name="Dry run", exact=True).click()
        heading = page.get_by_role("heading", name="Import framework: dry run", level=1)
        expect(heading).to_be_visible()

    dry_run(document, "changed.yaml")
    expect(page.get_by_role("button", name="Apply import")).to_be_visible()
    check(page, "/framework/import/ after the dry run of a changed document", found)
    page.get_by_role("button", name="Discard this document").click()

    document["roles"][0]["expectations"]["no-such-skill"] = 9
    document["skills"][1]["key"] = document["skills"][0]["key"]
    dry_run(document, "refused.yaml")
    expect(page.locator(".import-errors li").first).to_be_visible()
    expect(page.get_by_role("button", name="Apply import")).to_have_count(0)
    check(page, "/framework/import/ after a refused document", found)
    page.get_by_role("button", name="Discard this document").click()


def people_import_check(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/people/import/")
    bad = "username,name,email,role,manager\nada,Ada,not-an-address,no-such-role,nobody\n"
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert").filter(has_text="The check found problems")).to_be_visible()
    check(page, "/people/import/ after a check with bad lines", found)


def invitations_sent(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/people/?login=never")
    page.get_by_role("button", name=re.compile(r"^Send invitations to the \d+ found")).click()
    expect(page.get_by_role("status")).to_contain_text("Invitations are on their way")
    check(page, "/people/ after sending invitations", found)


def assessment_autosave_and_filter(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/assess/")
    skill = page.locator("fieldset.skill").first
    with page.expect_response("**/assess/save/"):
        skill.get_by_role("radio").nth(1).check()
    expect(page.locator("#autosave-status")).to_contain_text("Saved:")
    check(page, "/assess/ after an autosave", found)

    with page.expect_response(lambda r: "/assess/?" in r.url and "category=" in r.url):
        page.locator("select#category").select_option(index=1)
    expect(page.locator("#assess-count")).to_contain_text(" in ")
    check(page, "/assess/ after choosing a category", found)


def growth_focus_added(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/growth/")
    before = page.locator("article.focus").count()
    focused = page.eval_on_selector_all(
        "article.focus", "articles => articles.map(a => a.id.replace('focus-', ''))"
    )
    options = page.eval_on_selector_all(
        "#focus-skill option", "options => options.map(o => o.value).filter(Boolean)"
    )
    page.locator("#focus-skill").select_option(next(k for k in options if k not in focused))
    with page.expect_response("**/growth/**"):
        page.get_by_role("button", name="Add focus skill").click()
    expect(page.locator("article.focus")).to_have_count(before + 1)
    check(page, "/growth/ after adding a focus skill", found)


def team_heatmap_swaps(page: Page, base: str, demo: dict[str, int], found) -> None:
    page.goto(base + "/team/?depth=all")
    with page.expect_response(lambda r: "/team/?" in r.url and "category=" in r.url):
        page.get_by_label("Skill category").select_option(index=1)
    expect(page.locator("#heatmap table")).to_be_visible()
    check(page, "/team/?depth=all after choosing a category", found)

    sort = page.locator(".sort-links a:not([aria-current])").first
    with page.expect_response(lambda r: "/team/?" in r.url and "sort=" in r.url):
        sort.click()
    expect(page.locator("#heatmap table")).to_be_visible()
    check(page, "/team/?depth=all sorted again", found)


STATES: dict[str, tuple[str, Callable[..., None]]] = {
    "grid-editor-and-impact": ("hana", grid_cell_editor_and_impact),
    "framework-import-dry-runs": ("hana", framework_import_dry_runs),
    "people-import-check": ("hana", people_import_check),
    "invitations-sent": ("hana", invitations_sent),
    "assessment-autosave-and-filter": ("erin", assessment_autosave_and_filter),
    "growth-focus-added": ("erin", growth_focus_added),
    "team-heatmap-swaps": ("mona", team_heatmap_swaps),
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_page_state_passes_axe(live_server, browser: Browser, demo, state):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    username, drive = STATES[state]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, username)
    found: dict[str, list[str]] = {}
    drive(page, live_server.url, demo, found)
    context.close()
    assert found == {}
