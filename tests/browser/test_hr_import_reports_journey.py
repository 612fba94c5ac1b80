"""hana, HR, in real Chromium: exports the framework, imports engineeringladders.yaml (a
1-5 framework) onto the default one (0-5): the dry run refuses it with one error per
stranded level-0 descriptor, she keeps the stored scale, sees the diff, applies; then she
opens Reports and downloads the per-skill CSV, which the test reads against
skills_report. Outsiders get 404. Every page is screenshotted and checked at 375 px."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from playwright.sync_api import expect

from assessments.rollups import skills_report
from skills.library import template
from skills.models import Scale, Skill
from tests.helpers import fits_375, log_in, submit_with_notes

LADDERS = template("engineeringladders").path
LADDER_SKILLS = ["technology", "system", "people", "process", "influence"]


def test_hana_imports_a_framework_and_downloads_the_reports(live_server, page, screenshot, org):
    erin, max_ = org["erin"], org["max"]
    submit_with_notes(erin, erin, "self", {"system-design": 4, "mentoring": 3, "hiring": 0})
    submit_with_notes(max_, erin, "manager", {"system-design": 2})
    base = live_server.url
    described_0 = Skill.objects.filter(levels__has_key="0").count()

    log_in(page, base, "hana")
    page.goto(base + "/framework/import/")
    expect(page.get_by_role("heading", name="Import framework", level=1)).to_be_visible()
    fits_375(page)
    screenshot("hr-import-01-form")

    # The export first: the whole framework as YAML.
    with page.expect_download() as exported:
        page.get_by_role("link", name="Download as YAML").click()
    assert exported.value.suggested_filename == "careermap-framework.yaml"
    document = yaml.safe_load(Path(exported.value.path()).read_text())
    assert document["format"] == "careermap/1"
    stored = set(Skill.objects.values_list("key", flat=True))
    assert {s["key"] for s in document["skills"]} == stored

    # A shipped template, chosen by keyboard: its dry run, then discarded.
    page.get_by_label("Financial Times engineering progression").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Preview the template").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Import framework: dry run", level=1)).to_be_visible()
    expect(page.get_by_text("Financial Times engineering progression template")).to_be_visible()
    page.get_by_role("button", name="Discard this document").click()
    expect(page.get_by_role("heading", name="Import framework", level=1)).to_be_visible()
    assert set(Skill.objects.values_list("key", flat=True)) == stored  # nothing written

    # The dry run: refused, one error per stranded level-0 descriptor (and the rating).
    page.get_by_label("Framework file (YAML or JSON)").set_input_files(LADDERS)
    page.get_by_role("button", name="Dry run", exact=True).click()
    expect(page.get_by_role("heading", name="Import framework: dry run", level=1)).to_be_visible()
    errors = page.locator(".import-errors li")
    expect(errors.filter(has_text="describes level 0")).to_have_count(described_0)
    expect(errors.filter(has_text='rating(s) of skill "hiring" at level 0')).to_have_count(1)
    expect(page.get_by_role("button", name="Apply import")).to_have_count(0)
    fits_375(page)
    screenshot("hr-import-02-refused")

    # The way through, one click above the errors: keep the stored scale.
    fix = page.get_by_role("button", name="Keep the stored scale (0-5) and import the rest")
    assert fix.bounding_box()["y"] < page.locator(".import-errors").bounding_box()["y"]
    fix.click()
    expect(page.get_by_label("Keep the stored scale (0-5) and import the rest")).to_be_checked()
    expect(page.get_by_text("level labels are not imported").first).to_be_visible()
    expect(page.locator(".import-errors")).to_have_count(0)
    skills_row = page.locator("tr[data-section='skills']")
    expect(skills_row).to_contain_text("5")
    expect(page.locator(".keys.created").filter(has_text="technology")).to_be_visible()
    expect(page.get_by_role("heading", name="Impact on readiness")).to_be_visible()
    assert not Skill.objects.filter(key__in=LADDER_SKILLS).exists()  # a dry run
    fits_375(page)
    screenshot("hr-import-03-dry-run")

    page.get_by_role("button", name="Apply import").click()
    expect(page.get_by_text("Imported engineeringladders.yaml")).to_be_visible()
    assert Skill.objects.filter(key__in=LADDER_SKILLS).count() == len(LADDER_SKILLS)
    scale = Scale.current()
    assert (scale.minimum, scale.maximum) == (0, 5)
    screenshot("hr-import-04-applied")

    # Reports: the per-skill picture and the pipeline; the CSV read back.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Readiness pipeline")).to_be_visible()
    expect(page.locator("tr[data-skill='technology']")).to_contain_text("no role expects it")
    fits_375(page)
    screenshot("hr-import-05-reports")

    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download per-skill CSV").click()
    assert downloaded.value.suggested_filename == "careermap-skills.csv"
    with open(downloaded.value.path(), newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0][:1] == ["skill"]
    report = skills_report(user=org["hana"])
    assert [[line[0], line[3], line[4], line[5], line[6], line[7]] for line in lines[1:]] == [
        [
            r.skill.key,
            str(r.expected),
            str(r.below),
            str(r.meeting),
            str(r.unassessed),
            "" if r.average_gap is None else f"{r.average_gap:.2f}",
        ]
        for r in report
    ]
    assert {line[0] for line in lines[1:]} >= set(LADDER_SKILLS)
    page.get_by_role("button", name="Log out").click()
    # Let the logout land on the log-in page before going anywhere else.
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    # Not HR: every one of these pages answers 404.
    log_in(page, base, "mona")
    for url in ("/framework/import/", "/framework/export.json", "/reports/", "/reports/skills.csv"):
        assert page.request.get(base + url).status == 404
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)
