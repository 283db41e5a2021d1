"""Browser fixtures: Debian's chromium driven by Playwright (sync API) against pytest-django's live server.

One browser per session; every test gets fresh contexts (cookie jars), so each person logs in on their own.
A failing test leaves a full-page screenshot of every open page in ``test-results/``.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse ORM calls
# from tests and fixtures (SynchronousOnlyOperation). Nothing here is async: the ORM runs synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

expect.set_options(timeout=TIMEOUT_MS)
_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's chromium at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a page in a new browser context: one person at one computer."""
    contexts = []

    def open_page(**options) -> Page:
        """``options`` go to ``browser.new_context``, e.g. ``bypass_csp=True`` to inject a test script."""
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = request.node.stash.get(_reports, {}).get("call")
    for i, context in enumerate(contexts):
        if report is not None and report.failed:
            RESULTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(RESULTS / f"{name}-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
