"""Debian's Chromium (installed by scripts/services.sh) driven by Playwright, for the browser
tests; Playwright's own browser builds are never downloaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless and quiet: without the background-networking flags Chromium keeps trying to
# reach Google's services, which a test machine (or a closed network) does not have.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLY_TIMEOUT_MS = 60_000  # a turn with a carrier lookup; the machine is shared


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Per test, not per module: the sync API runs an event loop in this thread while it is
    # open, and the stacks' set-up (asyncio.run) must not find one. A launch takes a second.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services.sh (make services)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Console:
    """JavaScript errors and console.error lines of one page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")


def open_page(browser: Browser) -> Page:
    # A context of its own: its own sessionStorage, so its own conversation id.
    context = browser.new_context(viewport={"width": 900, "height": 1000}, locale="nl-NL")
    opened = context.new_page()
    opened.set_default_timeout(REPLY_TIMEOUT_MS)
    return opened


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = open_page(browser)
    yield opened
    opened.context.close()
