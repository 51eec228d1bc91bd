"""Per-request overhead of tenant resolution plus the per-tenant hook proxy.

Prints the median time of the same request (a tenant's home page, which resolves the tenant and
calls window hooks through the tenant's proxy) in two apps built in this process:

* ``proxied``  — every installed plugin registered, hooks called through the tenant's proxy;
* ``bypassed`` — the same database and page with only essential plugins registered, so no
  plugin proxy has anything to filter.

The target is proxied / bypassed ≤ 1.05. It also prints the two parts in isolation: resolving a
tenant (one indexed lookup plus the cached snapshot) and one hook call through the proxy versus
``pm.hook`` directly.

    python bench/overhead.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importlib.metadata import entry_points  # noqa: E402

from core.app import create_app  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.plugins import ENTRY_POINT_GROUP, PluginRegistry  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.tenantconfig import apply, load  # noqa: E402

TENANT = "zhoushan"


def _median_us(fn, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def _interleaved(
    clients: dict[str, object], path: str, n: int, rounds: int = 5
) -> dict[str, float]:
    """Median per-request µs for each client, alternating rounds to cancel drift."""
    results: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds):
        for name, client in clients.items():
            results[name].append(_median_us(lambda c=client: c.get(path), n // rounds))
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="onedoor-bench-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    full = PluginRegistry()
    upgrade(url, full)
    settings = load_settings(environ={}).with_overrides(database_url=url, log_level="WARNING")
    proxied = create_app(settings, registry=full)
    apply(
        proxied.extensions["onedoor"].database,
        full,
        load(settings.tenants_dir / TENANT / "tenant.toml", full),
    )

    essential_only = PluginRegistry(
        [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name in full.essential]
    )
    bypassed = create_app(settings, registry=essential_only)

    path = f"/{TENANT}/"
    clients = {"proxied": proxied.test_client(), "bypassed": bypassed.test_client()}
    for client in clients.values():  # warm caches, templates, connections
        for _ in range(50):
            assert client.get(path).status_code == 200
    times = _interleaved(clients, path, args.requests)

    directory = proxied.extensions["onedoor"].directory
    resolve_us = _median_us(lambda: directory.get(TENANT), args.requests)
    tenant = directory.get(TENANT)
    proxy_us = _median_us(tenant.hooks.onedoor_window_types, args.requests * 10)
    direct_us = _median_us(full.pm.hook.onedoor_window_types, args.requests * 10)

    print(f"plugins installed: {', '.join(sorted(full.infos))}")
    print(f"tenant {TENANT} enables: {', '.join(sorted(tenant.plugins)) or '-'}")
    print(f"GET {path} proxied : {times['proxied']:8.1f} µs/request (median)")
    print(f"GET {path} bypassed: {times['bypassed']:8.1f} µs/request (median)")
    print(f"ratio proxied/bypassed: {times['proxied'] / times['bypassed']:.3f}  (target ≤ 1.05)")
    print(f"tenant resolution (lookup + cached snapshot): {resolve_us:6.1f} µs")
    print(
        f"hook call through tenant proxy: {proxy_us:6.2f} µs; "
        f"through pm.hook (all plugins): {direct_us:6.2f} µs"
    )


if __name__ == "__main__":
    main()
