"""Framework import and export for HR: upload, dry run with its diff, errors and impact on
readiness, then apply; the scale trap and the way through it; downloads. 404 for everyone
else."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.views.framework_io import PENDING
from skills.library import read
from skills.models import Role, Scale, Skill
from skills.openformat import dump, export, role_entry
from tests.helpers import add_people

pytestmark = pytest.mark.django_db

NEW_SKILL = """\
skills:
  - key: negotiation
    name: Negotiation
    category: communication
    levels: {1: Knows the basics, 5: Closes hard deals}
"""


def upload(client, text: str | bytes, name: str = "framework.yaml"):
    data = text if isinstance(text, bytes) else text.encode()
    return client.post("/framework/import/", {"file": SimpleUploadedFile(name, data), "text": ""})


def review(client, keep_scale: bool = False) -> str:
    response = client.get("/framework/import/review/" + ("?keep_scale=1" if keep_scale else ""))
    assert response.status_code == 200
    return response.content.decode()


def digest(html: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def apply(client, html: str, keep_scale: bool = False):
    data = {"digest": digest(html)} | ({"keep_scale": "1"} if keep_scale else {})
    return client.post("/framework/import/apply/", data)


def field_errors(html: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'<span class="error">(.*?)</span>', html, re.S)]


@pytest.fixture
def hana_in(client, hana):
    client.force_login(hana)
    return client


def test_the_import_page_has_a_labelled_file_input_and_export_downloads(hana_in):
    html = hana_in.get("/framework/import/").content.decode()

    assert html.count("<h1>") == 1
    assert "<h1>Import framework</h1>" in html
    assert re.search(r'<label for="id_file">Framework file \(YAML or JSON\)</label>', html)
    assert '<label for="id_text">Or paste the document</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'href="/framework/export.yaml"' in html
    assert 'href="/framework/export.json"' in html
    assert " style=" not in html


def test_an_upload_goes_to_its_dry_run_which_writes_nothing(hana_in):
    response = upload(hana_in, NEW_SKILL)

    assert response.status_code == 302
    assert response["Location"] == "/framework/import/review/"
    html = review(hana_in)
    assert "<h1>Import framework: dry run</h1>" in html
    assert re.search(r'<tr data-section="skills"><th scope="row">Skills</th><td>1</td>', html)
    assert "<strong>Created (1):</strong> Negotiation" in html
    assert "Apply import" in html
    assert not Skill.objects.filter(key="negotiation").exists()


def test_unchanged_keys_are_collapsed(hana_in):
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    upload(hana_in, dump({"roles": [staff]}))

    html = review(hana_in)

    assert '<details class="keys unchanged"><summary>Unchanged (1)</summary>' in html
    assert "The document matches what is stored" in html


def test_the_dry_run_shows_who_would_become_ready(hana_in, org):
    # Staff Engineer without expectations: everyone measured against it is ready.
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    del staff["expectations"]
    upload(hana_in, dump({"roles": [staff]}))

    html = review(hana_in)

    assert "<strong>Updated (1):</strong> Staff Engineer" in html
    # erin aims at Staff Engineer, sam holds it; both were below 100%.
    assert "<strong>2 of 2</strong> people measured against these roles" in html
    became = re.search(r'<ul class="became-ready">(.*?)</ul>', html, re.S).group(1)
    assert re.search(r"Erin, Staff Engineer: \d+% → 100%", became)
    assert re.search(r"Sam, Staff Engineer: \d+% → 100%", became)
    assert Role.objects.get(key="staff-engineer").expectations.exists()


def test_applying_imports_for_real_and_goes_to_the_framework_page(hana_in):
    upload(hana_in, NEW_SKILL, name="negotiation.yaml")
    html = review(hana_in)

    response = apply(hana_in, html)

    assert response.status_code == 302
    assert Skill.objects.get(key="negotiation").levels == {
        "1": "Knows the basics",
        "5": "Closes hard deals",
    }
    page = hana_in.get(response["Location"]).content.decode()
    assert "Imported negotiation.yaml: scale unchanged; categories: 0 created" in page
    assert PENDING not in hana_in.session


def test_apply_validates_again_and_writes_nothing_if_the_framework_moved(hana_in):
    upload(hana_in, NEW_SKILL)
    html = review(hana_in)
    Scale.objects.update(maximum=4)  # someone narrows the scale meanwhile: level 5 is out

    response = apply(hana_in, html)

    assert response["Location"] == "/framework/import/review/"
    assert not Skill.objects.filter(key="negotiation").exists()
    page = hana_in.get(response["Location"]).content.decode()
    assert "Nothing was imported: the framework changed since the dry run" in page
    assert "<code>skills[0].levels.5</code>: level 5 is outside the scale 0-4" in page


def test_apply_refuses_a_document_other_than_the_one_reviewed(hana_in):
    upload(hana_in, NEW_SKILL)
    html = review(hana_in)
    upload(hana_in, NEW_SKILL.replace("negotiation", "haggling"))  # another tab

    response = apply(hana_in, html)

    assert response["Location"] == "/framework/import/review/"
    assert not Skill.objects.filter(key__in=["negotiation", "haggling"]).exists()
    assert "not the one of the dry run" in hana_in.get(response["Location"]).content.decode()


def test_a_pasted_document_works_like_a_file(hana_in):
    response = hana_in.post("/framework/import/", {"text": NEW_SKILL})

    assert response.status_code == 302
    assert "<strong>Created (1):</strong> Negotiation" in review(hana_in)


def test_every_error_is_listed_with_its_path_and_nothing_can_be_applied(hana_in):
    upload(
        hana_in,
        "roles:\n  - {key: x, name: X, track: ic, level: 1, levl: 2,"
        " expectations: {no-such-skill: 3}}\n",
    )

    html = review(hana_in)

    assert "Refused: 2 errors" in html
    assert "<code>roles[0].levl</code>: unknown field" in html
    assert "<code>roles[0].expectations.no-such-skill</code>: unknown skill" in html
    assert "Apply import" not in html
    assert "Keep the stored scale" not in html  # not a scale problem


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "The submitted file is empty."),
        (b"  \n", "The file is empty."),
        (b"\xff\xfe\x00binary", "The file is not UTF-8 text"),
        (b'{"skills": [', "The file is not YAML or JSON: not valid JSON"),
        (b"skills: [unclosed", "The file is not YAML or JSON: not valid YAML"),
        (b"- just\n- a list\n", "The file is not a framework: expected a mapping"),
        (b"hello", "The file is not a framework"),
    ],
)
def test_a_file_that_is_no_framework_gets_an_error_naming_the_field(hana_in, content, error):
    response = upload(hana_in, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<div class="field invalid">\s*<label for="id_file">', html)
    assert any(e.startswith(error) for e in field_errors(html)), field_errors(html)
    assert PENDING not in hana_in.session


def test_a_file_over_2_mb_is_refused(hana_in):
    html = upload(hana_in, b"#" * (2 * 1024 * 1024 + 1)).content.decode()
    assert field_errors(html) == ["The file is larger than 2 MB."]


def test_no_file_and_no_text_asks_for_one(hana_in):
    html = hana_in.post("/framework/import/", {"text": "  "}).content.decode()
    assert field_errors(html) == ["Choose a YAML or JSON file, or paste the document."]


def test_a_file_and_pasted_text_together_are_refused(hana_in):
    html = hana_in.post(
        "/framework/import/",
        {"file": SimpleUploadedFile("a.yaml", NEW_SKILL.encode()), "text": NEW_SKILL},
    ).content.decode()
    assert field_errors(html) == ["Give a file or pasted text, not both."]


def test_a_1_to_5_framework_is_refused_with_one_error_per_stranded_level_0(hana_in):
    upload(hana_in, read("engineeringladders"), "el.yaml")

    html = review(hana_in)

    described = [s for s in Skill.objects.all() if "0" in s.levels]
    assert described  # the default framework describes level 0
    errors = [unescape(e) for e in re.findall(r"<li><code>scale</code>: (.*?)</li>", html)]
    assert sorted(errors) == sorted(
        f'skill "{s.name}" ({s.key}) describes level 0, outside the new scale 1-5'
        for s in described
    )
    assert "Apply import" not in html
    assert "Keep the stored scale (0-5) and import the rest" in html


def test_keeping_the_stored_scale_imports_the_rest(hana_in):
    upload(hana_in, read("engineeringladders"), "el.yaml")

    html = review(hana_in, keep_scale=True)

    assert "Refused" not in html
    assert "the document's scale (1-5) and its level labels are not imported" in unescape(html)
    assert 'id="keep-scale" name="keep_scale" value="1" checked' in html
    assert "<strong>Created (5):</strong> Technology, System, People, Process, Influence" in html
    response = apply(hana_in, html, keep_scale=True)
    assert response.status_code == 302
    assert Skill.objects.filter(key__in=["technology", "system", "influence"]).count() == 3
    scale = Scale.current()
    assert (scale.minimum, scale.maximum) == (0, 5)


def test_the_review_without_an_upload_sends_back_to_the_form(hana_in):
    response = hana_in.get("/framework/import/review/")
    assert response["Location"] == "/framework/import/"


def test_discarding_forgets_the_document(hana_in):
    upload(hana_in, NEW_SKILL)
    assert "A dry run of" in hana_in.get("/framework/import/").content.decode()

    hana_in.post("/framework/import/discard/")

    assert PENDING not in hana_in.session
    assert hana_in.get("/framework/import/review/").status_code == 302


@pytest.mark.parametrize(
    ("fmt", "load", "content_type"),
    [
        ("yaml", yaml.safe_load, "application/yaml; charset=utf-8"),
        ("json", json.loads, "application/json"),
    ],
)
def test_the_framework_downloads_as_yaml_or_json(hana_in, fmt, load, content_type):
    response = hana_in.get(f"/framework/export.{fmt}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (f'attachment; filename="careermap-framework.{fmt}"')
    document = load(response.content.decode())
    assert json.loads(json.dumps(document)) == json.loads(json.dumps(export()))


def test_an_exported_framework_imports_back_unchanged(hana_in):
    upload(hana_in, hana_in.get("/framework/export.yaml").content, "careermap-framework.yaml")

    html = review(hana_in)

    assert "The document matches what is stored" in html
    assert "<strong>Created" not in html
    assert "<strong>Updated" not in html


def test_an_unknown_export_format_is_404(hana_in):
    assert hana_in.get("/framework/export.xml").status_code == 404


@pytest.mark.parametrize("viewer", ["erin", "max", "mona"])
def test_anyone_but_hr_gets_404_on_every_url(client, org, viewer):
    client.force_login(org[viewer])
    gets = [
        "/framework/import/",
        "/framework/import/review/",
        "/framework/export.yaml",
        "/framework/export.json",
    ]
    posts = ["/framework/import/", "/framework/import/apply/", "/framework/import/discard/"]
    assert {url: client.get(url).status_code for url in gets} == dict.fromkeys(gets, 404)
    assert {url: client.post(url, {"text": NEW_SKILL}).status_code for url in posts} == (
        dict.fromkeys(posts, 404)
    )
    assert not Skill.objects.filter(key="negotiation").exists()


def test_anonymous_visitors_are_asked_to_log_in(client, org):
    assert client.get("/framework/import/")["Location"].startswith("/login/")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def negotiation_for_staff() -> str:
    """NEW_SKILL, and Staff Engineer expecting it: readiness moves for erin and sam."""
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    staff["expectations"]["negotiation"] = 3
    return NEW_SKILL + dump({"roles": [staff]})


# The import form: session, user (2); the navigation's has_reports (1).
IMPORT_QUERIES = 3
# The dry run of negotiation_for_staff(): session, user (2); impact_of: expectations
# before (1), its savepoint (1); framework_import's savepoint (1), validate: the scale,
# skill keys, role keys (3); apply: categories, skills, the new skill and its history
# (4), roles with next roles and expectations (3), Staff Engineer's expectations, the new
# one, its history, its skill (4); release (1); impact_of: expectations after, the
# altered roles, their skills (3), rollback and release (2), the people measured, their
# latest levels (2); the stored scale for the page (1); the navigation (1).
REVIEW_QUERIES = 29
# session, user (2); export: scale, skills, categories, roles with next roles and
# expectations (6).
EXPORT_QUERIES = 8


def test_query_counts_are_pinned_and_flat_in_org_size(hana_in, org, framework):
    upload(hana_in, negotiation_for_staff())
    assert re.search(r"<strong>\d+ of 2</strong> people", review(hana_in))  # erin, sam
    pinned = {
        "/framework/import/": IMPORT_QUERIES,
        "/framework/import/review/": REVIEW_QUERIES,
        "/framework/export.yaml": EXPORT_QUERIES,
    }
    assert {url: queries(hana_in, url) for url in pinned} == pinned

    add_people(org["max"], 40, framework, "grown")

    assert re.search(r"<strong>\d+ of 22</strong> people", review(hana_in))  # 20 aim at it
    assert {url: queries(hana_in, url) for url in pinned} == pinned


# --- The dry run's field-level diff, near duplicates, the fix above the errors ----------


def field_changes(html: str) -> list[str]:
    return [
        unescape(line)
        for block in re.findall(r'<ul class="field-changes"[^>]*>(.*?)</ul>', html, re.S)
        for line in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def test_the_dry_run_names_each_expectation_that_moves_from_what_to_what(hana_in):
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    was = staff["expectations"]["system-design"]
    staff["expectations"]["system-design"] = was + 1
    removed = sorted(staff["expectations"])[0]
    removed_level = staff["expectations"].pop(removed)
    staff["summary"] = "A new summary."
    upload(hana_in, dump({"roles": [staff]}))

    lines = field_changes(review(hana_in))

    removed_name = Skill.objects.get(key=removed).name
    assert f"Staff Engineer · System design: {was} → {was + 1}" in lines
    assert f"Staff Engineer · {removed_name}: {removed_level} → none" in lines
    assert "Staff Engineer · summary changed" in lines
    assert not any("staff-engineer" in line for line in lines)  # names, not keys


def test_the_dry_run_names_changed_descriptors_and_fields_of_a_skill(hana_in):
    skill = next(s for s in export()["skills"] if s["key"] == "system-design")
    levels = {str(k): v for k, v in skill["levels"].items()}
    changed = sorted(levels)[1]
    levels[changed] = "Rewritten."
    skill |= {"levels": levels, "name": "Systems design"}
    upload(hana_in, dump({"skills": [skill]}))

    html = review(hana_in)

    assert "<strong>Updated (1):</strong> Systems design" in html
    lines = field_changes(html)
    assert "Systems design · name: System design → Systems design" in lines
    assert f"Systems design · level {changed} descriptor changed" in lines
    assert len(lines) == 2


def test_an_unchanged_document_lists_no_field_changes(hana_in):
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    upload(hana_in, dump({"roles": [staff]}))
    assert field_changes(review(hana_in)) == []


@pytest.mark.parametrize(
    ("name", "nearly"),
    [
        ("system design", True),  # case
        (" System-Design ", True),  # whitespace and punctuation
        ("Sytem design", True),  # a typo
        ("Negotiation", False),
    ],
)
def test_a_new_skill_named_like_a_stored_one_is_flagged_naming_both(hana_in, name, nearly):
    upload(hana_in, NEW_SKILL.replace("name: Negotiation", f'name: "{name}"'))

    html = unescape(review(hana_in))

    warning = re.search(r'<div class="notice near-duplicates">(.*?)</div>', html, re.S)
    if not nearly:
        assert warning is None
        return
    assert warning, "no near-duplicate warning"
    text = re.sub(r"<[^>]+>", "", warning.group(1))
    assert f"New skill {name.strip()} (negotiation)" in text  # names are read trimmed
    assert "nearly matches the stored skill System design (system-design)" in text
    assert "Apply import" in html  # a warning, not a refusal


def test_a_new_role_named_like_a_stored_one_is_flagged(hana_in):
    upload(hana_in, "roles:\n  - {key: staff-eng, name: Staff engineer, track: ic, level: 9}\n")

    text = re.sub(r"<[^>]+>", "", unescape(review(hana_in)))

    assert (
        "New role Staff engineer (staff-eng) nearly matches the stored role Staff Engineer "
        "(staff-engineer)"
    ) in text


def test_the_keep_the_scale_fix_is_one_click_above_the_errors(hana_in):
    upload(hana_in, read("engineeringladders"), "el.yaml")

    html = review(hana_in)

    fix = html.index("Keep the stored scale (0-5) and import the rest</button>")
    assert fix < html.index('<ul class="problem-list import-errors">')
    form = re.search(r'<form method="get"[^>]*class="keep-scale">(.*?)</form>', html, re.S)
    assert '<input type="hidden" name="keep_scale" value="1">' in form.group(1)


def test_the_impact_list_is_open(hana_in, org):
    staff = role_entry(Role.objects.with_links().get(key="staff-engineer"))
    del staff["expectations"]
    upload(hana_in, dump({"roles": [staff]}))

    html = review(hana_in)

    assert "<details><summary>Every readiness change" not in html
    assert re.search(r"<h3>Every readiness change \(\d+\)</h3>", html)
    assert '<ul class="impact-changes">' in html
