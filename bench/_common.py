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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from core.migrate import upgrade  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.testing.postgres import DEFAULT_ADMIN_URL, throwaway_database, unreachable  # noqa: E402

PG_ADMIN_URL = os.environ.get("ONEDOOR_BENCH_PG_ADMIN_URL", DEFAULT_ADMIN_URL)
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
    role that neither owns the tables nor bypasses row-level security, as in production
    (:func:`core.testing.postgres.throwaway_database`).
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
    # A role this run created goes away with its database: a benchmark leaves nothing behind.
    with throwaway_database(registry, app_role=BENCH_APP_ROLE, admin_url=PG_ADMIN_URL,
                            prefix="onedoor_bench", drop_created_role=True) as database:
        yield BenchDatabase(backend, database.owner_url, database.app_url)


def refresh_statistics(bench: BenchDatabase) -> None:
    """Fresh table statistics, as autovacuum keeps them on a production server (this machine's
    PostgreSQL runs with autovacuum off): ``VACUUM (ANALYZE)`` there, ``ANALYZE`` on SQLite.
    Without it, plans made while a benchmark's tables held a handful of rows stay in use (the
    application's prepared statements keep theirs) as the tables grow."""
    engine = create_engine(bench.owner_url)
    try:
        if bench.backend == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            return
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        engine.dispose()


def pg_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    return unreachable(PG_ADMIN_URL)


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
                        between_rounds: Callable[[], object] | None = None,
                        ) -> dict[str, list[float]]:
    """Samples of several functions taken in alternation, ``runs`` rounds.

    Each round samples every function once (in a rotating order), so a busy machine slows all
    of them alike and ratios taken round by round stay meaningful. ``setups[name]``, if given,
    runs untimed before each call of ``fns[name]`` (then every call is one sample);
    ``between_rounds``, if given, runs untimed before each round (fresh table statistics, say).
    Returns seconds per call, one sample per round, by name.
    """
    setups = setups or {}
    inner = {name: _calibrate(fn, warmup, min_sample, setups.get(name))
             for name, fn in fns.items()}
    names = list(fns)
    samples: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    for round_ in range(runs):
        if between_rounds is not None:
            between_rounds()
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            samples[name].append(_sample(fns[name], inner[name], setups.get(name)))
    return samples


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median of the round-by-round ratios of two interleaved series."""
    return statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))
