"""axe-core on every page, as each persona sees it with the demo organisation's data.

axe runs in a browser context that bypasses the Content-Security-Policy (its script is
injected); the journeys check the console under the policy. `make test` installs
axe-core from npm (package.json); nothing loads from a CDN."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import Browser

from people.models import Person
from tests.helpers import log_in

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


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
        *("/paths/", "/history/", "/growth/"),
    ],
    "max": ["/", "/team/", "/team/{erin}/", "/team/{erin}/history/", "/team/{erin}/assess/"],
    "mona": ["/team/?depth=all", "/team/org/"],
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
    ],
}


@pytest.mark.parametrize("username", list(PAGES))
def test_every_page_passes_axe(live_server, browser: Browser, demo, username):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)."
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    if username != "anonymous":
        log_in(page, live_server.url, username)
    found = {}
    for path in PAGES[username]:
        response = page.goto(live_server.url + path.format(**demo))
        assert response is not None, path
        assert response.status == 200, path
        page.add_script_tag(path=str(AXE))
        for width in (1280, 375):  # the wide layout and the phone's (charts change)
            page.set_viewport_size({"width": width, "height": 900})
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            violations = [
                f"{v['impact']} {v['id']}: {v['help']} ({v['nodes'][0]['target']})"
                for v in result["violations"]
            ]
            if violations:
                found[f"{path} at {width}px"] = violations
    context.close()
    assert found == {}
