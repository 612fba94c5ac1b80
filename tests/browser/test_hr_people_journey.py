"""hana keeps the people in real Chromium: the list and its live search, a CSV import
with one bad line (nothing written, the line named), then a good one (people created),
then a manager set on one of them, and a cycle refused beside the field. Every page is
screenshotted and the GET pages are checked at 375 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from people.models import Person
from tests.helpers import fits_375, log_in

HEADER = "username,name,email,role,manager\n"
BAD = HEADER + (
    "ada,Ada Lovelace,ada@example.com,senior-engineer,grace\n"
    "grace,Grace Hopper,grace@example.com,no-such-role,mona\n"
)
GOOD = HEADER + (
    "ada,Ada Lovelace,ada@example.com,senior-engineer,grace\n"
    "grace,Grace Hopper,grace@example.com,engineering-manager,mona\n"
)


def csv_file(text: str) -> dict:
    return {"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_hana_imports_people_and_sets_a_manager(live_server, page, screenshot, org):
    base = live_server.url

    log_in(page, base, "hana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    results = page.locator("#results")
    expect(results).to_contain_text("7 people")
    fits_375(page)
    screenshot("people-01-list")

    # Live search: typing narrows the list without a page load.
    with page.expect_response(lambda r: "/people/?" in r.url and "q=eri" in r.url):
        page.get_by_label("Search").fill("eri")
    expect(page.locator("#results")).to_contain_text("1 person")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=eri"))  # htmx pushes it after the swap
    screenshot("people-02-live-search")

    # A file with one bad line: nothing written, the line named.
    page.get_by_role("link", name="Import people from a CSV file").click()
    expect(page.get_by_role("heading", name="Import people", level=1)).to_be_visible()
    fits_375(page)
    screenshot("people-03-import")
    page.get_by_label("CSV file").set_input_files(csv_file(BAD))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.locator(".problem-list")).to_contain_text(
        'Line 3: role "no-such-role" is neither a role key nor a role name'
    )
    assert not Person.objects.filter(username__in=["ada", "grace"]).exists()
    screenshot("people-04-import-refused")

    # The corrected file: both created, grace (defined later) managing ada.
    page.get_by_label("CSV file").set_input_files(csv_file(GOOD))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".result-counts")).to_have_text("Created 2, updated 0, unchanged 0.")
    assert Person.objects.get(username="ada").manager.username == "grace"
    screenshot("people-05-import-done")

    # Ada gets a new manager: Mona.
    page.get_by_role("link", name="See everyone").click()
    # The live search alone: a Search click on top of it would cancel its request.
    with page.expect_response(lambda r: "/people/?" in r.url and "q=ada" in r.url):
        page.get_by_label("Search").fill("ada")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.locator("#results").get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    expect(page.get_by_text("has no password yet")).to_be_visible()
    fits_375(page)
    screenshot("people-06-edit-ada")
    page.get_by_label("Manager", exact=True).select_option(label="Mona (mona)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Ada Lovelace.")
    expect(page.get_by_label("Manager", exact=True)).to_have_value(str(org["mona"].pk))
    assert Person.objects.get(username="ada").manager == org["mona"]
    screenshot("people-07-manager-set")

    # Mona cannot report to Ada, who reports to her: the error sits beside the field.
    page.goto(f"{base}/people/{org['mona'].pk}/")
    page.get_by_label("Manager", exact=True).select_option(label="Ada Lovelace (ada)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.invalid")).to_contain_text(
        re.compile("Manager: Ada Lovelace reports to Mona; .* would create a cycle")
    )
    assert Person.objects.get(username="mona").manager is None
    screenshot("people-08-cycle-refused")
