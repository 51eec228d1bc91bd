"""The audit trail: a hash chain per tenant that notices any edit; appends never collide."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from core import audit
from core.db import Database, TenantIsolationError
from core.models import AuditEvent
from tests.factories import make_tenant


@pytest.fixture
def owner(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """An engine that can edit any row: the SQLite file, or PostgreSQL's table owner."""
    url = request.getfixturevalue("pg_urls")["owner"] if database_url.startswith("postgresql") \
        else database_url
    engine = create_engine(url)
    yield engine
    engine.dispose()


def append(database: Database, tenant_id: int, count: int, **data) -> None:
    for n in range(count):
        with database.transaction(tenant_id) as session:
            audit.record(session, actor="clerk-1", action="case.registered", object_type="case",
                         object_id=f"ZS-{n}", data={"n": n, **data})


def verify(database: Database, tenant_id: int) -> audit.ChainReport:
    with database.transaction(tenant_id) as session:
        return audit.verify_chain(session)


def test_events_form_one_chain_per_tenant(database: Database) -> None:
    alpha, beta = make_tenant(database, "alpha"), make_tenant(database, "beta")
    append(database, alpha, 3, note="调解成功", nested={"z": 1, "a": [1, 2.5, None]})
    append(database, beta, 2)
    with database.transaction(alpha) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert verify(database, alpha) == audit.ChainReport(True, 3)
    assert verify(database, beta) == audit.ChainReport(True, 2)


def test_recording_needs_a_tenant(database: Database) -> None:
    make_tenant(database, "alpha")
    with pytest.raises(TenantIsolationError):
        with database.transaction() as session:
            audit.record(session, actor="x", action="y", object_type="z", object_id=1)


@pytest.mark.parametrize(
    ("sql", "broken_at"),
    [
        ("UPDATE audit_events SET data = '{\"n\": 99}' WHERE seq = 2", 2),
        ("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2", 2),
        ("UPDATE audit_events SET object_id = 'ZS-X' WHERE seq = 3", 3),
        ("UPDATE audit_events SET hash = (SELECT hash FROM audit_events e WHERE e.seq = 1 "
         "AND e.tenant_id = audit_events.tenant_id) WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 2", 3),
        ("DELETE FROM audit_events WHERE seq = 1", 2),
    ],
    ids=["data", "actor", "object", "hash", "delete-middle", "delete-first"],
)
def test_a_tampered_event_breaks_the_chain(database: Database, owner: Engine, sql: str,
                                           broken_at: int) -> None:
    alpha, beta = make_tenant(database, "alpha"), make_tenant(database, "beta")
    append(database, alpha, 4)
    append(database, beta, 4)
    with owner.begin() as conn:
        conn.execute(text(f"{sql} AND tenant_id = :t"), {"t": alpha})
    report = verify(database, alpha)
    assert (report.ok, report.broken_at) == (False, broken_at)
    assert verify(database, beta).ok  # the other tenant's chain is its own


def test_rewriting_the_tail_consistently_is_still_detected(database: Database,
                                                           owner: Engine) -> None:
    # Editing event 2 and recomputing its own hash still breaks event 3's link.
    alpha = make_tenant(database, "alpha")
    append(database, alpha, 3)
    with database.transaction(alpha) as session:
        second = session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
        session.expunge(second)
    second.data = {"n": 42}
    forged = audit._digest(second.prev_hash, second)
    with owner.begin() as conn:
        conn.execute(text("UPDATE audit_events SET data = :d, hash = :h "
                          "WHERE seq = 2 AND tenant_id = :t"),
                     {"d": '{"n": 42}', "h": forged, "t": alpha})
    assert verify(database, alpha) == audit.ChainReport(False, 3, 3)


@pytest.mark.postgres
def test_concurrent_appends_do_not_collide(pg_url: str) -> None:
    database = Database(pg_url)
    try:
        alpha = make_tenant(database, "alpha")
        threads, per_thread = 4, 15
        start = threading.Barrier(threads)
        errors: list[BaseException] = []

        def worker(index: int) -> None:
            try:
                start.wait()
                for n in range(per_thread):
                    with database.transaction(alpha) as session:
                        audit.record(session, actor=f"worker-{index}", action="case.updated",
                                     object_type="case", object_id=n, data={"w": index})
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        # Two transactions hold their appends open at the same time: the second must wait
        # for the first to commit and then chain onto it.
        first_open, release = threading.Event(), threading.Event()

        def slow_writer() -> None:
            try:
                with database.transaction(alpha) as session:
                    audit.record(session, actor="slow", action="case.updated",
                                 object_type="case", object_id="slow")
                    first_open.set()
                    release.wait(10)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        slow = threading.Thread(target=slow_writer)
        slow.start()
        assert first_open.wait(10)
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        release.set()
        for thread in [slow, *pool]:
            thread.join(60)
        assert errors == []
        report = verify(database, alpha)
        assert report == audit.ChainReport(True, 1 + threads * per_thread)
        with database.transaction(alpha) as session:
            first = session.scalars(select(AuditEvent).where(AuditEvent.seq == 1)).one()
        assert first.actor == "slow"
    finally:
        database.dispose()
