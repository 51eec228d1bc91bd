"""Helpers shared by the benchmarks: throw-away migrated databases and median timings.

Benchmarks are scripts, not tests: they print figures and never assert on times.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.migrate import upgrade  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "ONEDOOR_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BENCH_APP_ROLE = "onedoor_app_bench"


@dataclass(frozen=True)
class BenchDatabase:
    """A migrated database: ``owner_url`` owns the tables, ``app_url`` is subject to RLS."""

    backend: str
    owner_url: str
    app_url: str


@contextmanager
def temporary_database(backend: str, registry: PluginRegistry | None = None
                       ) -> Iterator[BenchDatabase]:
    """A fresh database migrated to every head, dropped afterwards.

    SQLite: a file in a temporary folder. PostgreSQL: ``CREATE DATABASE`` on the server at
    ``ONEDOOR_BENCH_PG_ADMIN_URL`` (default 127.0.0.1:5432 as postgres), with an application
    role that neither owns the tables nor bypasses row-level security, as in production.
    """
    registry = registry or PluginRegistry()
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="onedoor-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            upgrade(url, registry)
            yield BenchDatabase(backend, url, url)
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"onedoor_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    created_role = False
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                           {"r": BENCH_APP_ROLE}):
            conn.execute(text(f"CREATE ROLE {BENCH_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
            created_role = True
    owner_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    app_url = make_url(owner_url).set(username=BENCH_APP_ROLE, password=None) \
        .render_as_string(hide_password=False)
    try:
        upgrade(owner_url, registry, app_role=BENCH_APP_ROLE)
        yield BenchDatabase(backend, owner_url, app_url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if created_role:
                conn.execute(text(f"DROP ROLE IF EXISTS {BENCH_APP_ROLE}"))
        admin.dispose()


def pg_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


Setup = Callable[[], object] | None


def _calibrate(fn: Callable[[], object], warmup: int, min_sample: float, setup: Setup) -> int:
    for _ in range(warmup):
        if setup is not None:
            setup()
        fn()
    if setup is not None:
        return 1
    start = time.perf_counter()
    fn()
    return max(1, int(min_sample / max(time.perf_counter() - start, 1e-9)))


def _sample(fn: Callable[[], object], inner: int, setup: Setup = None) -> float:
    if setup is not None:  # untimed preparation before each timed call
        setup()
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def median_seconds(fn: Callable[[], object], runs: int, *, warmup: int = 2,
                   min_sample: float = 0.005) -> float:
    """Median wall time of one call of ``fn``, over ``runs`` samples (``time.perf_counter``).

    A sample times enough consecutive calls to last about ``min_sample`` seconds (one call for
    anything slower), so sub-millisecond calls are not measured at the clock's granularity or
    with cold caches. The garbage collector runs once before the samples, never inside one.
    """
    inner = _calibrate(fn, warmup, min_sample, None)
    gc.collect()
    return statistics.median(_sample(fn, inner) for _ in range(runs))


def interleaved_seconds(fns: dict[str, Callable[[], object]], runs: int, *, warmup: int = 2,
                        min_sample: float = 0.005,
                        setups: dict[str, Callable[[], object]] | None = None,
                        ) -> dict[str, list[float]]:
    """Samples of several functions taken in alternation, ``runs`` rounds.

    Each round samples every function once (in a rotating order), so a busy machine slows all
    of them alike and ratios taken round by round stay meaningful. ``setups[name]``, if given,
    runs untimed before each call of ``fns[name]`` (then every call is one sample). Returns
    seconds per call, one sample per round, by name.
    """
    setups = setups or {}
    inner = {name: _calibrate(fn, warmup, min_sample, setups.get(name))
             for name, fn in fns.items()}
    names = list(fns)
    samples: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    for round_ in range(runs):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            samples[name].append(_sample(fns[name], inner[name], setups.get(name)))
    return samples


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median of the round-by-round ratios of two interleaved series."""
    return statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))
