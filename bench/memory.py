"""Resident memory of one app process with every plugin loaded (target < 150 MB).

Starts a fresh Python process that builds the app with all installed plugins, applies the demo
tenants, serves one request per tenant page, and reports its RSS next to the RSS of a bare
Python process with Flask and SQLAlchemy imported (the baseline, measured the same way).

    python bench/memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_PROCESS = r"""
import json, sys, tempfile
from pathlib import Path
import psutil
sys.path.insert(0, sys.argv[1])
from core.app import create_app
from core.migrate import upgrade
from core.plugins import PluginRegistry
from core.settings import load_settings
from core.tenantconfig import apply, load
work = Path(tempfile.mkdtemp(prefix="onedoor-mem-"))
url = f"sqlite:///{work / 'mem.sqlite3'}"
registry = PluginRegistry()
upgrade(url, registry)
settings = load_settings(environ={}).with_overrides(database_url=url, log_level="WARNING")
app = create_app(settings, registry=registry)
database = app.extensions["onedoor"].database
slugs = []
for toml in sorted(settings.tenants_dir.glob("*/tenant.toml")):
    apply(database, registry, load(toml, registry))
    slugs.append(toml.parent.name)
client = app.test_client()
for slug in slugs:
    for path in (f"/{slug}/", f"/{slug}/centers/", f"/{slug}/tiers/"):
        client.get(path)
    for name in registry.optional:
        client.get(f"/{slug}/plugins/{name}/")
print(json.dumps({"rss": psutil.Process().memory_info().rss, "plugins": sorted(registry.infos),
                  "tenants": slugs}))
"""

BASELINE_PROCESS = r"""
import json
import psutil, flask, sqlalchemy
print(json.dumps({"rss": psutil.Process().memory_info().rss}))
"""


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure and print."""
    app = _run(APP_PROCESS)
    base = _run(BASELINE_PROCESS)
    mb = 1024 * 1024
    print(f"plugins loaded: {', '.join(app['plugins'])}; tenants: {', '.join(app['tenants'])}")
    print(f"app process RSS: {app['rss'] / mb:6.1f} MB  (target < 150 MB)")
    print(f"baseline (python + flask + sqlalchemy imported): {base['rss'] / mb:6.1f} MB")
    print(f"ratio app/baseline: {app['rss'] / base['rss']:.2f}")


if __name__ == "__main__":
    main()
