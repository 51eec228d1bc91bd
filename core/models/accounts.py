"""Staff accounts: users, their memberships (role × tier node), login sessions and API tokens.

Everything here is tenant-scoped: a user of 舟山 does not exist for 杭州, so neither do its
sessions or tokens — they are looked up through the tenant-bound session, under row-level
security on PostgreSQL. Secrets are never stored: passwords as argon2 hashes, session and API
tokens as SHA-256 digests (they are long random strings, so a fast digest is enough and keeps
the per-request lookup cheap).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TenantScoped
from core.models.tenant import utcnow
from core.models.tiers import TierNode


class User(TenantScoped, Base):
    """A member of staff of one tenant."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id",
        lazy="selectin",
    )


class Membership(TenantScoped, Base):
    """A role a user holds at a tier node; it reaches that node's whole subtree.

    A department liaison's membership also names its department: the liaison acts only on
    cases assigned to that department.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "role", "node_id"),
        Index("ix_memberships_tenant_id_user_id", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT")
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    node: Mapped[TierNode] = relationship(lazy="joined")


class LoginSession(TenantScoped, Base):
    """A signed-in browser: created at login (a new one every time), ended at logout or expiry.

    The cookie carries only the random token; its digest finds this row. Ending the row ends
    the session everywhere at once, which a signed cookie alone could not do.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_login_sessions_tenant_id_user_id", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(TenantScoped, Base):
    """A revocable token for an integration (12345 hotline, 110, courts, Open311 clients).

    It acts as its user, narrowed to its scopes. ``prefix`` (the first characters of the token)
    is shown in lists so that people can tell tokens apart without the secret.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_api_tokens_tenant_id_user_id", "tenant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class IdempotencyRecord(TenantScoped, Base):
    """The first response to a POST carrying an ``Idempotency-Key`` (replayed on retries).

    Keys are per tenant and per principal: two integrations may pick the same key without
    seeing each other's responses.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("tenant_id", "principal", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
