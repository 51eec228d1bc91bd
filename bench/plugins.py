"""Intake throughput of each plugin's case types against core's ``general_dispute``, same run.

For every installed optional plugin P that declares case types, tenant ``p<i>-<P>`` enables P
alone (with the settings a demo tenant in ``tenants/`` gives it, else none) and registers cases
of each of P's types with the type's ``example`` details and ``example_intake`` fields
(parties, amount…; every party's identity number and phone fresh each time); tenant ``core``
enables no plugin and registers ``general_dispute`` cases without details. Every intake goes
through ``cases.register`` (validation, details schema, plugin checks, deadlines, risk, audit
event), one transaction per case, as the application role (row-level security on, on
PostgreSQL). The contenders alternate in rounds (``bench._common.interleaved_seconds``), so a
busy machine slows all alike, and table statistics are refreshed before each round (untimed),
as autovacuum would; the ratio per type is the median of the round-by-round ratios of
its rate to the core type's. Target ratio ≥ 0.8: a plugin never makes the hot path slow.

``general_dispute`` in P's tenant is measured too: what P's hooks cost core's own cases. An
intake whose plugin registers a linked case in the same transaction (labor_arbitration's group
wage-arrears dispute opens its labor inspection case) is marked with the cases it registered.
Plugins without case types are listed as such; a type without an ``example`` is reported
and left out (its details could not be made up honestly). Figures are printed, never asserted.

    python bench/plugins.py [--backend sqlite|postgresql|both] [--rounds 10] [--sample 0.25]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    interleaved_seconds,
    median_ratio,
    pg_available,
    refresh_statistics,
    temporary_database,
)
from core import cases, pii  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import Case  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.tenancy import TenantContext, TenantDirectory  # noqa: E402
from core.testing.tenants import id_number, intake_data, make_tenant  # noqa: E402
from core.workflow import INTAKE, Actor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
VAULT = pii.Vault("bench-secret-for-pii-0123456789")
CLERK = Actor("bench-clerk", INTAKE)
CORE_TYPE = "general_dispute"
TARGET = 0.8


def demo_settings(name: str) -> dict[str, Any]:
    """Plugin ``name``'s settings from the first demo tenant that configures it, else none."""
    for path in sorted((ROOT / "tenants").glob("*/tenant.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("plugins", {}).get(name)
        if table is not None:
            return {k: v for k, v in table.items() if k != "enabled"}
    return {}


def plugin_types(registry: PluginRegistry) -> dict[str, list[Any]]:
    """Optional plugin → the case types it declares itself (possibly none)."""
    return {name: [t for batch in registry.hooks_of(name).onedoor_case_types()
                   for t in batch or []] for name in registry.optional}


class Intake:
    """Registers one new case per call: fresh parties each time (the repeat-party query then
    searches and finds nothing, as for most intakes)."""

    counter = itertools.count()

    def __init__(self, database: Database, tenant: TenantContext, case_type: Any) -> None:
        self.database, self.tenant = database, tenant
        self.intakes = self.registered = 0  # a plugin's hook may register a linked case too
        self.case_type = case_type if case_type is not None else CORE_TYPE
        self.category = case_type.category if case_type is not None else "neighbor"

    def __call__(self) -> None:
        n = next(self.counter)
        born = datetime(1950, 1, 1) + timedelta(days=n % 18_000)
        # a plugin type brings its example details and intake fields (parties, amount…)
        data = intake_data(self.case_type, f"{self.tenant.slug}-t1", category=self.category,
                           people_involved=2)
        for index, party in enumerate(data["parties"]):
            if party.get("id_number") and party.get("kind", "person") == "person":
                party["id_number"] = id_number(f"320706{born:%Y%m%d}{n // 18_000 % 1000:03d}")
            if party.get("phone"):
                party["phone"] = f"1{39 + 19 * index % 60}{n:08d}"
        with self.database.transaction(self.tenant.id) as session:
            cases.register(session, self.tenant, data, CLERK, vault=VAULT, now=NOW)
            self.intakes += 1
            self.registered += sum(isinstance(o, Case) for o in session.identity_map.values())


def run_backend(backend: str, args: argparse.Namespace) -> None:
    """Set up the tenants on one backend, measure, print."""
    registry = PluginRegistry()
    types = plugin_types(registry)
    with temporary_database(backend, registry) as bench:
        database = Database(bench.app_url)
        try:
            print(f"\n== {backend}: intake through cases.register, one transaction per case ==")
            for name in sorted(n for n, found in types.items() if not found):
                print(f"  {name}: declares no case type (nothing to measure)")
            contenders: dict[str, Callable[[], object]] = {}
            labels: dict[str, tuple[str, str]] = {}
            make_tenant(database, "core")
            directory = TenantDirectory(database, registry)
            contenders["core"] = Intake(database, directory.get("core"), None)
            labels["core"] = ("(core)", f"{CORE_TYPE}, no plugin, no details")
            for index, (name, found) in enumerate(sorted(types.items())):
                usable = []
                for case_type in found:
                    if case_type.details_schema is not None and not case_type.example:
                        print(f"  {name}: {case_type.code} has no example details: left out")
                        continue
                    usable.append(case_type)
                if not usable:
                    continue
                slug = f"p{index}-{name.replace('_', '-')}"[:30]  # case codes start P0, P1…
                make_tenant(database, slug, plugins={name: registry.load_settings(
                    name, demo_settings(name))})
                tenant = directory.get(slug)
                contenders[f"{name}/{CORE_TYPE}"] = Intake(database, tenant, None)
                labels[f"{name}/{CORE_TYPE}"] = (name, f"{CORE_TYPE} in a tenant enabling it")
                for case_type in usable:
                    key = f"{name}/{case_type.code}"
                    contenders[key] = Intake(database, tenant, case_type)
                    labels[key] = (name, f"{case_type.code} with its example details")
            if len(contenders) == 1:
                print("  no installed plugin declares a case type with an example yet: "
                      "only the core type would run, so there is no ratio to give")
                return
            samples = interleaved_seconds(contenders, args.rounds, min_sample=args.sample,
                                          between_rounds=lambda: refresh_statistics(bench))
            base = samples["core"]
            print(f"  {args.rounds} alternating rounds, each sample ≈ {args.sample:.2f}s of "
                  "intakes; ratio = median of per-round rate / core's rate")
            print(f"  {'plugin':<22} {'case type':<52} {'intakes/s':>8} {'ratio':>6}")
            worst = worst_per_case = None
            for key, series in samples.items():
                plugin, what = labels[key]
                rate = 1 / statistics.median(series)
                ratio = median_ratio(base, series)  # seconds: core / this = rate / core rate
                intake = contenders[key]
                per = intake.registered / intake.intakes if intake.intakes else 1
                mark = more = ""
                if per > 1.01:
                    more = (f" ({per:.0f} cases per intake, the linked case too: "
                            f"{ratio * per:.2f} per case registered)")
                if key != "core" and not key.endswith(f"/{CORE_TYPE}"):
                    mark = "ok" if ratio >= TARGET else f"BELOW {TARGET}"
                    worst = ratio if worst is None else min(worst, ratio)
                    worst_per_case = ratio * per if worst_per_case is None else min(
                        worst_per_case, ratio * per)
                print(f"  {plugin:<22} {what:<52} {rate:8.1f} {ratio:6.2f} {mark}{more}")
            if worst is not None:
                print(f"  lowest plugin type ratio: {worst:.2f} per intake, "
                      f"{worst_per_case:.2f} per case registered   (target ≥ {TARGET})")
        finally:
            database.dispose()


def main() -> None:
    """Parse options and run the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--sample", type=float, default=0.25,
                        help="seconds of intakes per sample (calls are repeated to fill it)")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args)


if __name__ == "__main__":
    main()
