"""Accessibility and polish of every page (issue 16): the skip link, focus ring and form
borders at 3:1 or more, named scrolling regions around tables, no alert role on a list,
the API docs' language, the 400, 403 (CSRF too), 404 and 500 pages, the autosave's live
region. (What needs a browser, keyboard and announcements, is in
tests/browser/test_keyboard_and_announcements.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from core.audit import record
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR, "templates")
APP_CSS = Path(settings.BASE_DIR, "static", "css", "app.css").read_text()


def body(html: str) -> str:
    return html[html.index("<body") :]


# --- Skip link ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "erin", "hana"])
def test_the_first_link_of_every_page_skips_to_the_main_content(client, org, who):
    if who:
        client.force_login(org[who])
    html = client.get("/", follow=True).content.decode()

    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>[^<]*", body(html)).group(0)
    assert first == '<a class="skip-link" href="#main">Skip to content'
    assert html.count('<main id="main">') == 1


# --- Contrast -----------------------------------------------------------------------------


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_value(pattern: str) -> str:
    found = re.findall(pattern, APP_CSS)
    assert found, pattern
    return found[-1]  # the last rule wins


def test_the_contrast_formula_gives_wcags_own_figures():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def test_the_focus_ring_has_3_to_1_against_the_page_and_the_header():
    ring = css_value(r"--focus:\s*(#[0-9a-f]{6})")
    header_ring = css_value(
        r"\.site-header :focus-visible[^{]*\{\s*outline-color:\s*(#[0-9a-f]{6})"
    )
    assert re.search(r":focus-visible \{ outline: 3px solid var\(--focus\)", APP_CSS)
    # The page, the cards, a chosen level, an error and the heat map's cells.
    for background in ["#ffffff", "#f5f7fa", "#f0fdfa", "#fef2f2", "#fef3c7", "#fee2e2"]:
        assert contrast(ring, background) >= 3, background
    assert contrast(header_ring, css_value(r"--brand:\s*(#[0-9a-f]{6})")) >= 3


def test_form_control_borders_have_3_to_1_against_white_and_the_page():
    fields = css_value(r'input\[type="text"\][^{]*\{[^}]*border: 1px solid (#[0-9a-f]{6})')
    quiet = css_value(r"button\.quiet \{ border-color: (#[0-9a-f]{6})")
    button = css_value(r"--brand:\s*(#[0-9a-f]{6})")  # every other button's border
    for border in [fields, quiet, button]:
        assert contrast(border, "#ffffff") >= 3, border
        assert contrast(border, "#f5f7fa") >= 3, border


# --- Tables that scroll are named regions the keyboard reaches -------------------------------


@pytest.mark.parametrize("url", ["/people/", "/audit/", "/framework/", "/framework/grid/"])
def test_every_table_scroll_box_is_a_focusable_named_region(client, org, framework, url):
    record(by=org["hana"], action="people.import", summary="3 created")  # for the audit
    client.force_login(org["hana"])
    html = client.get(url).content.decode()

    boxes = re.findall(r'<div class="table-wrap[^"]*"[^>]*>', html)
    assert boxes, url
    for box in boxes:
        assert 'tabindex="0"' in box, box
        assert 'role="region"' in box, box
        label = re.search(r'aria-label="([^"]+)"', box)
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', box)
        assert label or labelled_by, box
        if labelled_by:
            heading = re.search(rf'<h2 id="{labelled_by.group(1)}">([^<]+)</h2>', html)
            assert heading, box
            assert heading.group(1).strip(), box


# --- No alert role on a list ------------------------------------------------------------------


def test_no_list_of_the_people_and_framework_pages_is_an_alert():
    for template in [*TEMPLATES.glob("people/*.html"), *TEMPLATES.glob("skills/*.html")]:
        text = template.read_text()
        assert not re.search(r'<(ul|ol)\b[^>]*role="alert"', text), template.name


def test_a_refused_import_is_one_alert_named_by_its_heading(client, hana, framework):
    client.force_login(hana)
    data = "username,name,email,role,manager\nada,Ada,,,\nbob,Bob,,no-such-role,\n"
    upload = SimpleUploadedFile("people.csv", data.encode(), content_type="text/csv")

    html = client.post("/people/import/", {"file": upload}).content.decode()

    section = re.search(r'<section class="card problems"[^>]*>.*?</section>', html, re.S)
    assert section, html
    assert section.group(0).startswith(
        '<section class="card problems" role="alert" aria-labelledby="problems-title">'
    )
    assert '<h2 id="problems-title">Nothing was imported</h2>' in section.group(0)
    assert '<ul class="problem-list">' in section.group(0)
    assert "<li>Line 3: role &quot;no-such-role&quot; is " in section.group(0)
    assert html.count('role="alert"') == 2  # this section, and base.html's hidden banner


def test_the_import_page_has_no_alert_before_an_import(client, hana):
    client.force_login(hana)
    html = client.get("/people/import/").content.decode()
    assert "problem-list" not in html
    assert html.count('role="alert"') == 1  # base.html's hidden banner


# --- The API docs ----------------------------------------------------------------------------


def test_the_api_docs_page_says_its_language(client):
    response = client.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert 'id="swagger-ui"' in html
    assert re.search(r'<script src="[^"]*\?script', html)


# --- 404 and 500 -----------------------------------------------------------------------------


def test_a_missing_page_keeps_the_header_and_leads_home(client, erin):
    client.force_login(erin)
    response = client.get("/no-such-page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<title>Page not found · careermap</title>" in html
    assert '<a class="brand" href="/">careermap</a>' in html
    assert '<nav aria-label="Main">' in html  # the person's own menu
    assert ">Log out</button>" in html
    assert re.search(r"<h1[^>]*>Page not found</h1>", html)
    assert '<a href="/">Go to your home page</a>' in html
    assert html.count("<h1") == 1


def test_a_missing_page_for_a_visitor_has_the_header_without_a_menu(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert '<a class="brand" href="/">careermap</a>' in html
    assert '<nav aria-label="Main">' not in html
    assert '<a href="/">Go to your home page</a>' in html


def test_a_missing_api_path_is_still_json(client, erin):
    client.force_login(erin)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.urls("tests.careermap.broken_urls")
def test_a_bug_answers_the_styled_500_page(client, erin):
    client.raise_request_exception = False
    client.force_login(erin)
    response = client.get("/broken/")
    html = response.content.decode()

    assert response.status_code == 500
    assert "<title>Something went wrong · careermap</title>" in html
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    assert '<a class="brand" href="/">careermap</a>' in html
    assert re.search(r"<h1[^>]*>Something went wrong on our side</h1>", html)
    assert '<a href="/">go to your home page</a>' in html
    # Rendered without the request: no menu, no name, whoever is logged in.
    assert '<nav aria-label="Main">' not in html
    assert erin.get_full_name() not in html


@pytest.mark.urls("tests.careermap.broken_urls")
def test_a_bug_under_the_api_is_still_json(client, erin):
    client.raise_request_exception = False
    client.force_login(erin)
    response = client.get("/api/broken/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}


def test_the_500_page_needs_no_database_and_no_context(django_assert_num_queries):
    request = RequestFactory().get("/somewhere/")
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()

    assert response.status_code == 500
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main">' in html
    assert "Something went wrong on our side" in html


# --- 400 and 403 (and the CSRF failure) ---------------------------------------------------


@pytest.mark.urls("tests.careermap.broken_urls")
@pytest.mark.parametrize(
    ("path", "status", "title", "heading", "way_back"),
    [
        (
            "/bad-request/",
            400,
            "Bad request",
            "careermap could not read this request",
            '<a href="/">go to your home page</a>',
        ),
        (
            "/forbidden/",
            403,
            "Not allowed",
            "You are not allowed to do this",
            '<a href="/">Go to your home page</a>',
        ),
    ],
)
def test_a_refused_request_keeps_the_header_and_leads_home(
    client, erin, path, status, title, heading, way_back
):
    client.raise_request_exception = False
    client.force_login(erin)
    response = client.get(path)
    html = response.content.decode()

    assert response.status_code == status
    assert f"<title>{title} · careermap</title>" in html
    assert '<a class="brand" href="/">careermap</a>' in html
    assert '<nav aria-label="Main">' in html
    assert re.search(rf"<h1[^>]*>{heading}</h1>", html)
    assert way_back in html
    assert html.count("<h1") == 1
    assert "a mangled request" not in html  # what went wrong inside is not shown


@pytest.mark.urls("tests.careermap.broken_urls")
@pytest.mark.parametrize(("path", "status"), [("/api/bad-request/", 400), ("/api/forbidden/", 403)])
def test_a_refused_api_request_is_still_json(client, erin, path, status):
    client.raise_request_exception = False
    client.force_login(erin)
    response = client.get(path)
    assert response.status_code == status
    assert response.json() == {"detail": {400: "Bad request.", 403: "Forbidden."}[status]}


def test_a_form_sent_without_its_csrf_token_says_it_expired_and_to_reload(erin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(erin)
    response = client.post("/account/", {"time_zone": "UTC"})
    html = response.content.decode()

    assert response.status_code == 403
    assert "<title>Form expired · careermap</title>" in html
    assert '<a class="brand" href="/">careermap</a>' in html
    assert re.search(r"<h1[^>]*>This form has expired</h1>", html)
    assert "reload the page and send the form again" in html
    assert '<a href="/">go to your home page</a>' in html
    assert "CSRF verification failed" not in html  # Django's own page


def test_an_expired_log_in_form_says_so_to_a_visitor(db):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x"})
    html = response.content.decode()

    assert response.status_code == 403
    assert re.search(r"<h1[^>]*>This form has expired</h1>", html)
    assert '<nav aria-label="Main">' not in html


# --- The autosave's live region -----------------------------------------------------------

LIVE = '<p id="autosave-status" class="visually-hidden" role="status" aria-live="polite"></p>'


def test_the_assessment_page_has_an_empty_polite_live_region_outside_what_htmx_swaps(client, erin):
    client.force_login(erin)
    html = client.get("/assess/").content.decode()

    assert html.count(LIVE) == 1
    assert html.index(LIVE) < html.index('<div id="assess">')
    # The region htmx swaps for a filter leaves the live region alone.
    region = client.get("/assess/", {"category": "people-leadership"}, headers=HTMX)
    assert "autosave-status" not in region.content.decode()


def test_a_saved_answer_is_announced_out_of_band(client, erin):
    client.force_login(erin)
    data = {"skill": "system-design", "level-system-design": "3", "evidence-system-design": ""}
    html = client.post("/assess/save/", data, headers=HTMX).content.decode()

    assert html.lstrip().startswith('<fieldset class="skill" id="skill-system-design"')
    # Its content only ("innerHTML"): the live region itself stays in place.
    assert (
        '<p id="autosave-status" class="visually-hidden" hx-swap-oob="innerHTML">'
        "Saved: System design.</p>"
    ) in html


def test_an_answer_not_saved_is_announced_with_its_error(client, erin):
    client.force_login(erin)
    data = {"skill": "system-design", "level-system-design": "9", "evidence-system-design": ""}
    html = client.post("/assess/save/", data, headers=HTMX).content.decode()

    live = re.search(r'<p id="autosave-status"[^>]*>(.*?)</p>', html, re.S)
    assert live
    assert live.group(1) == "Not saved: System design. Level 9 is not on the scale 0-5."


def test_the_managers_assessment_page_has_the_live_region_too(client, erin, max_):
    client.force_login(max_)
    html = client.get(f"/team/{erin.pk}/assess/").content.decode()
    assert html.count(LIVE) == 1
