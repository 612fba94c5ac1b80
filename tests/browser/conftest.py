"""Browser journeys: Debian's Chromium driven by Playwright against Django's live server.

Never `playwright install`: the launch args below point Playwright at /usr/bin/chromium.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The hook sees every collected test, not only this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Reports every Content-Security-Policy violation of the page to the test (Playwright's
# init scripts run before the page's own and are not subject to its policy).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def watch(page: Page) -> list[str]:
    """Start collecting what is wrong with `page`: script errors, console errors, CSP
    violations, failed requests and error responses. Returns the (growing) list."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} ({message.location})")

    def on_request_failed(request: Request) -> None:
        problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.expose_binding(
        "__cspViolation", lambda source, text: problems.append(f"CSP violation: {text}")
    )
    page.add_init_script(CSP_LISTENER)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    return problems


@pytest.fixture
def checked_page(page: Page) -> Iterator[Page]:
    """The page, failing the test at teardown on a script error, a console error, a
    Content-Security-Policy violation, a failed request or an error response."""
    problems = watch(page)
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture
def screenshot(page: Page, pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def save(name: str) -> None:
        page.screenshot(path=folder / f"{name}.png", full_page=True)

    return save


# Heading levels in page order, and the visible form controls that no label names.
AUDIT = """() => ({
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1])),
  unlabelled: [...document.querySelectorAll('input, select, textarea')]
    .filter(c => c.type !== 'hidden' && c.offsetParent !== null)
    .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
    .map(c => c.outerHTML.slice(0, 80)),
})"""


def fits_375(page: Page) -> None:
    """The page fits a 375 px screen without sideways scrolling, the nav stays visible;
    one h1, headings never skip a level, every control has a label, and the first
    control is reached by keyboard."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.set_viewport_size(size)
    audit = page.evaluate(AUDIT)
    levels = audit["headings"]
    assert levels.count(1) == 1, (page.url, levels)
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (page.url, levels)
    assert audit["unlabelled"] == [], (page.url, audit["unlabelled"])
    page.reload()  # a fresh start for keyboard navigation (every page here is a GET)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "careermap", page.url
