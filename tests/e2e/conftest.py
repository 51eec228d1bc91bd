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
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.demo import seed_staff
from core.tenantconfig.apply import apply
from core.tenantconfig.loader import load

CHROMIUM = os.environ.get("ONEDOOR_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
                registry) -> Iterator[str]:
    """The demo tenants on http://127.0.0.1:<port>; yields the base URL."""
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
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        state.database.dispose()


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
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
