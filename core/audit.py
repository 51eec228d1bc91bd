"""Tamper-evident audit trail: every state change writes one event in its own transaction.

Events are chained per tenant: ``hash = sha256(prev_hash | seq | at | actor | action | object |
data)``. Changing, inserting or deleting any past event breaks every later hash, which
:func:`verify_chain` reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from core.db import TenantIsolationError, TenantSession, tenant_sql
from core.models import AuditEvent
from core.models.tenant import utcnow

GENESIS = "0" * 64
#: Every column an event row is written with (the id comes from the database).
_COLUMNS = ("tenant_id", "seq", "at", "actor", "action", "object_type", "object_id", "data",
            "prev_hash", "hash")
_INSERT = insert(AuditEvent.__table__)
_HEAD_SQL = ("SELECT seq, hash FROM audit_events WHERE tenant_id = :tenant_id "
             "ORDER BY seq DESC LIMIT 1")
#: PostgreSQL: the tenant's chain lock and then its head, in one round trip (migration 0013).
_LOCKED_HEAD_SQL = "SELECT seq, hash FROM onedoor_audit_head(:tenant_id)"


def _utc_text(moment: datetime) -> str:
    # SQLite hands timestamps back naive, PostgreSQL in the session's zone: hash one form.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [prev_hash, event.seq, _utc_text(event.at), event.actor, event.action,
         event.object_type, event.object_id, event.data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session: TenantSession,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the session tenant's chain (written now, committed with the caller).

    Returns the event as written (a transient object: it is not in the session). The caller's
    pending changes are flushed too, so a constraint they break fails here, not at commit.

    On PostgreSQL a transaction-level advisory lock per tenant serializes appends, so two
    concurrent transactions never take the same ``seq``; on SQLite the write lock does it. The
    lock and the read of the head that must follow it are one call of the database function
    ``onedoor_audit_head`` (migration 0013 says why it sees the head committed while it waited).
    """
    if session.tenant_id is None:
        raise TenantIsolationError("audit events belong to a tenant")
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        session.flush()  # an event added by hand must be in the table before the head is read
    # The chain head is the only thing read, and nothing else pending affects it: the rows of
    # the caller's change (a case being registered) go out with the event in the one flush
    # below instead of an autoflush of their own. Plain SQL with the tenant bound
    # (tenant_sql; row-level security applies too) costs a fraction of the ORM's statement
    # machinery, and every state change reads the head.
    with session.no_autoflush:
        postgresql = session.get_bind().dialect.name == "postgresql"
        last = tenant_sql(session, _LOCKED_HEAD_SQL if postgresql else _HEAD_SQL).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = AuditEvent(
        seq=seq, at=utcnow().replace(microsecond=0), actor=actor, action=action,
        object_type=object_type, object_id=str(object_id), data=data or {}, prev_hash=prev_hash,
        tenant_id=session.tenant_id,
    )
    event.hash = _digest(prev_hash, event)
    # The row goes in as one Core INSERT on the session's connection (its transaction, its
    # row-level-security setting; the tenant is stamped above): events are append-only and
    # never read back in the transaction that writes them, so the unit of work would only add
    # its bookkeeping, on every state change. The caller's pending rows are flushed with it.
    # The statement is built once and given the row as parameters: ``.values(row)`` would
    # build and key a new statement on every call, which cost as much as executing it.
    session.connection().execute(_INSERT, {column: getattr(event, column) for column in _COLUMNS})
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`: ``ok`` and, if not, the first broken ``seq``."""

    ok: bool
    events: int
    broken_at: int | None = None


def verify_chain(session: TenantSession) -> ChainReport:
    """Recompute the session tenant's chain from the start."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        count += 1
        if (event.seq != expected_seq or event.prev_hash != prev_hash
                or event.hash != _digest(prev_hash, event)):
            return ChainReport(False, count, event.seq)
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return ChainReport(True, count)
