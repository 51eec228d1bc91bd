"""Staff accounts: users, passwords, login sessions with timeouts, hashed scoped API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import accounts
from core.db import Database
from core.models import ApiToken, LoginSession
from tests.factories import make_tenant

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
POLICY = accounts.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


@pytest.fixture
def tenant(database: Database) -> tuple[Database, int]:
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, "ada", PASSWORD)
        accounts.add_membership(session, user, "clerk", "alpha-t1")
    return database, tenant_id


def test_a_username_is_taken_once_and_a_short_password_refused(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session, \
            pytest.raises(accounts.AccountError) as error:
        accounts.create_user(session, "ada", PASSWORD)
    assert error.value.field == "username"
    with database.transaction(tenant_id) as session, \
            pytest.raises(accounts.AccountError) as error:
        accounts.create_user(session, "bob", "short")
    assert error.value.field == "password"
    with database.transaction(tenant_id) as session, \
            pytest.raises(accounts.AccountError) as error:
        accounts.add_membership(session, accounts.get_user(session, "ada"), "pope")
    assert error.value.field == "role"


def test_check_password(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session:
        user = accounts.check_password(session, "ada", PASSWORD)
        assert user is not None and user.username == "ada"
        assert user.password_hash.startswith("$argon2id$")
        assert accounts.check_password(session, "ada", "wrong password!") is None
        assert accounts.check_password(session, "nobody", PASSWORD) is None
        accounts.set_active(session, user, False, actor="test")
        assert accounts.check_password(session, "ada", PASSWORD) is None


def test_a_session_resumes_until_idle_or_absolute_timeout(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session:
        user = accounts.get_user(session, "ada")
        idle = accounts.start_session(session, user, now=NOW)
        long = accounts.start_session(session, user, now=NOW)
    with database.transaction(tenant_id) as session:
        assert accounts.resume_session(session, idle, POLICY, now=NOW + timedelta(minutes=5))
        assert accounts.resume_session(session, "made-up", POLICY, now=NOW) is None
    with database.transaction(tenant_id) as session:
        assert accounts.resume_session(session, idle, POLICY,
                                       now=NOW + timedelta(minutes=50)) is None
        moment = NOW
        for _ in range(26):  # active every half hour, never idle
            moment += timedelta(minutes=29)
            if moment - NOW > POLICY.absolute:
                break
            assert accounts.resume_session(session, long, POLICY, now=moment), moment
        assert accounts.resume_session(session, long, POLICY,
                                       now=NOW + timedelta(hours=12, minutes=1)) is None
    with database.transaction(tenant_id) as session:
        reasons = {row.token_hash: row.end_reason for row in session.scalars(
            select(LoginSession))}
        assert reasons == {accounts.digest(idle): "idle_timeout",
                           accounts.digest(long): "absolute_timeout"}
        assert accounts.resume_session(session, idle, POLICY, now=NOW) is None


def test_logout_and_disabling_end_sessions_and_revoke_tokens(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session:
        user = accounts.get_user(session, "ada")
        first = accounts.start_session(session, user, now=NOW)
        second = accounts.start_session(session, user, now=NOW)
        _row, secret = accounts.issue_token(session, user)
        accounts.end_session(session, first, now=NOW)
        assert accounts.resume_session(session, first, POLICY, now=NOW) is None
        assert accounts.resume_session(session, second, POLICY, now=NOW) is not None
        accounts.set_active(session, user, False, actor="test", now=NOW)
    with database.transaction(tenant_id) as session:
        assert accounts.resume_session(session, second, POLICY, now=NOW) is None
        assert accounts.authenticate_token(session, secret) is None
        reasons = sorted(r.end_reason for r in session.scalars(select(LoginSession)))
        assert reasons == ["logout", "user_disabled"]
        assert all(t.revoked_at is not None for t in session.scalars(select(ApiToken)))


def test_a_token_is_shown_once_and_stored_as_a_digest(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session:
        user = accounts.get_user(session, "ada")
        row, secret = accounts.issue_token(session, user, scopes=["cases:read"])
        token_id = row.id
        assert secret.startswith(accounts.TOKEN_PREFIX)
    with database.transaction(tenant_id) as session:
        stored = session.get(ApiToken, token_id)
        assert stored.token_hash == accounts.digest(secret) and secret not in repr(
            {c.key: getattr(stored, c.key) for c in ApiToken.__table__.columns})
        principal = accounts.authenticate_token(session, secret)
        assert principal is not None and principal.name == "ada"
        assert principal.scopes == {"cases:read"} and principal.token_id == token_id
        assert accounts.authenticate_token(session, secret + "x") is None
        assert accounts.authenticate_token(session, "not-a-token") is None
        accounts.revoke_token(session, token_id, actor="test")
        assert accounts.authenticate_token(session, secret) is None


def test_expired_tokens_and_unknown_scopes_are_refused(tenant) -> None:
    database, tenant_id = tenant
    with database.transaction(tenant_id) as session:
        user = accounts.get_user(session, "ada")
        _row, secret = accounts.issue_token(session, user, expires_at=NOW)
        assert accounts.authenticate_token(session, secret, now=NOW - timedelta(seconds=1))
        assert accounts.authenticate_token(session, secret, now=NOW) is None
        with pytest.raises(accounts.AccountError) as error:
            accounts.issue_token(session, user, scopes=["everything"])
        assert error.value.field == "scope"


def test_another_tenants_token_does_not_authenticate(tenant) -> None:
    database, tenant_id = tenant
    other = make_tenant(database, "beta")
    with database.transaction(tenant_id) as session:
        _row, secret = accounts.issue_token(session, accounts.get_user(session, "ada"))
    with database.transaction(other) as session:
        assert accounts.authenticate_token(session, secret) is None
