"""Browser tests: the demo tenants served on loopback, driven by Playwright in Debian's Chromium.

The server is a real WSGI server in a thread on 127.0.0.1 (a random free port) over a fresh
SQLite database with the three demo tenants of ``tenants/`` applied and their demo staff
created. Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``), launched
headless with the flags this machine needs. Without Chromium or Playwright the tests skip with
a message; under ``CI=true`` they fail instead. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from core.demo import seed_staff
from core.tenantconfig.apply import apply
from core.tenantconfig.loader import load

CHROMIUM = os.environ.get("ONEDOOR_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
#: How long a locator waits: the pages answer from loopback in milliseconds, so a missing
#: element fails the test in seconds rather than Playwright's default 30.
TIMEOUT_MS = int(os.environ.get("ONEDOOR_E2E_TIMEOUT_MS", "8000"))
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401, PLC0415
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    return None


@dataclass(frozen=True)
class Live:
    """The running demo server: its base URL and the app's OneDoor state (database, tenants)."""

    url: str
    state: Any


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
         registry) -> Iterator[Live]:
    """The demo tenants on http://127.0.0.1:<port>, with the app's state for test set-up."""
    from core.app import create_app  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415

    path = tmp_path_factory.mktemp("e2e") / "onedoor.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(load_settings(), registry=registry, database_url=f"sqlite:///{path}",
                     session_cookie_secure=False)
    state = app.extensions["onedoor"]
    for toml in sorted((ROOT / "tenants").glob("*/tenant.toml")):
        apply(state.database, registry, load(toml, registry), actor="test:e2e")
        seed_staff(state.database, state.directory.get(toml.parent.name))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", state)
    finally:
        server.shutdown()
        state.database.dispose()


@pytest.fixture(scope="session")
def live_server(live: Live) -> str:
    """The base URL of the demo server."""
    return live.url


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (skips, or fails under CI, without it)."""
    problem = _unavailable()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem}; CI=true requires the browser tests", pytrace=False)
        pytest.skip(f"{problem}; browser tests skipped")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, tmp_path: Path):
    """A fresh browser context (no cookies) and its page, phone-or-desktop sized by the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


#: The demo staff's password (core.demo.DEMO_PASSWORD).
PASSWORD = "onedoor-demo"


def sign_in(page, base_url: str, slug: str, username: str, password: str = PASSWORD) -> None:
    """Sign ``username`` in at ``slug``'s sign-in page as a person does (zh_Hans labels)."""
    page.goto(f"{base_url}/{slug}/login?lang=zh_Hans")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base_url}/{slug}/")


@pytest.fixture(scope="session")
def staff(browser, live_server):
    """``staff(slug, username)``: a page signed in as that account, one per account.

    The sign-in form is rate-limited per tenant and address (10 a minute): each account signs in
    once per test session and keeps its browser context.
    """
    pages: dict[tuple[str, str], Any] = {}

    def signed_in(slug: str, username: str):
        if (slug, username) not in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          locale="zh-CN")
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            sign_in(tab, live_server, slug, username)
            pages[(slug, username)] = tab
        return pages[(slug, username)]

    yield signed_in
    for tab in pages.values():
        tab.context.close()


def add_staff(live: Live, slug: str, username: str, roles: tuple[str, ...],
              node_code: str | None = None) -> None:
    """Create a staff account in the live server's database (``core.accounts``), if missing."""
    from sqlalchemy import select  # noqa: PLC0415

    from core import accounts  # noqa: PLC0415
    from core.models import User  # noqa: PLC0415

    tenant = live.state.directory.get(slug)
    with live.state.database.transaction(tenant.id) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            return
        user = accounts.create_user(session, username, PASSWORD, actor="test:e2e")
        for role in roles:
            accounts.add_membership(session, user, role, node_code, actor="test:e2e")
