"""Browser tests: Playwright driving the system's Chromium against pytest-django's live server.

Playwright's synchronous API runs an event loop in the test thread, where Django refuses ORM
calls unless told that this is a test thread (DJANGO_ALLOW_ASYNC_UNSAFE). The live server runs
in its own thread on the test database.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright


def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path or not Path(path).exists():
        pytest.fail("Chromium is missing: `make test` installs it (scripts/ensure_services.py).")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
