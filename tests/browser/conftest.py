"""Browser journeys: Debian's Chromium driven by Playwright against Django's live server.

Never `playwright install`: the launch args below point Playwright at /usr/bin/chromium.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.helpers import watch

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


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """pytest-playwright's page, failing the test at teardown on a script error, a
    console error, a Content-Security-Policy violation, a failed request or an error
    response: every journey, in every mode. A test about such failures is marked
    `page_problems_expected` and checks what it collects with watch() itself."""
    if request.node.get_closest_marker("page_problems_expected") is not None:
        yield page  # the test watches the page itself
        return
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
