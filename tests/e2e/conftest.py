"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

One Chromium runs for the whole session; each test gets a fresh context (no shared cookies), in Chinese.
Never downloads a browser: the system Chromium is launched by path.
"""

import os
from pathlib import Path

import pytest
from playwright import sync_api

from tests.conftest import missing_tool

CHROMIUM = Path(os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright_driver():
    if not CHROMIUM.exists():
        missing_tool(f"no Chromium at {CHROMIUM}: `make test` installs it as root")
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def live_db(transactional_db, live_server):
    return live_server


@pytest.fixture
def new_page(browser, live_db):
    """Open pages in fresh browser contexts: `new_page(viewport=PHONE)`. Closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_db.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page in a fresh context, with the live server as its base URL."""
    return new_page()


@pytest.fixture
def login():
    """Sign a user in through the real login page (django-axes included)."""

    def do_login(page, username, password="Correct-Horse-9"):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state()

    return do_login
