"""`make run` serves with DEBUG on, which adds django-htmx's debug script (it replaces
the page with any 400/403/404/500 answer to an htmx request). The engineer pages must
keep a clean console there too, and a refused change must show where it was made."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from skills.models import Role
from tests.helpers import log_in


@pytest.fixture
def debug_on(settings) -> None:
    settings.DEBUG = True  # the live server runs in this process: it renders with DEBUG


def test_engineer_pages_have_a_clean_console_in_debug(live_server, page, debug_on, org):
    log_in(page, live_server.url, "erin")
    assert "django-htmx.js" in page.content()  # debug mode is really on
    for path, heading in [
        ("/", "Home"),
        ("/assess/", "Self-assessment"),
        ("/paths/", "Paths"),
        ("/history/", "History"),
        ("/growth/", "Growth plan"),
        ("/map/", "My map"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # An htmx swap in debug: choose another target role.
    page.get_by_label("Target role").select_option("engineering-manager")
    expect(page.get_by_role("heading", name="Readiness for Engineering Manager")).to_be_visible()
    # The `page` fixture fails the test on any console error or CSP violation.


def test_a_refused_target_role_is_shown_in_place(live_server, page, debug_on, org):
    log_in(page, live_server.url, "erin")
    page.goto(live_server.url + "/map/")
    # Retired after the page listed it: the choice is refused, and the refusal swapped in.
    Role.objects.filter(key="engineering-manager").update(retired=True)
    with page.expect_response(lambda r: r.url.endswith("/map/target/")) as answer:
        page.get_by_label("Target role").select_option("engineering-manager")
    assert answer.value.status == 200  # htmx swaps no 4xx (core.htmx)
    expect(page.get_by_role("alert")).to_contain_text("Choose one of the listed roles.")
    expect(page.get_by_role("heading", name="My map", level=1)).to_be_visible()
