"""Rate limits on sign-in: per tenant and address, in memory by default, in Redis when set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import redis_database
from tests.core.web.workbench_support import csrf_of
from tests.factories import make_tenant

REDIS_URL = "redis://127.0.0.1:6379/14"


def _attempts(client, slug: str, n: int) -> list[int]:
    """``n`` wrong sign-ins, each with the form's CSRF token (without it none gets that far)."""
    token = csrf_of(client.get(f"/{slug}/login").get_data(as_text=True))
    return [client.post(f"/{slug}/login", data={"username": "x", "password": "y",
                                                "csrf_token": token}).status_code
            for _ in range(n)]


def test_the_eleventh_sign_in_within_a_minute_is_refused(make_app, sqlite_url):
    app = make_app(sqlite_url)
    make_tenant(app.extensions["onedoor"].database, "alpha")
    make_tenant(app.extensions["onedoor"].database, "beta")
    client = app.test_client()

    statuses = _attempts(client, "alpha", 11)

    assert 429 not in statuses[:10]
    assert statuses[10] == 429
    # Another tenant's sign-in is counted on its own.
    assert _attempts(client, "beta", 1) != [429]
    token = csrf_of(client.get("/alpha/login").get_data(as_text=True))
    refused = client.post("/alpha/login", data={"username": "x", "password": "y",
                                                "csrf_token": token},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert "Retry-After" in refused.headers


@pytest.fixture
def redis_db() -> Iterator[object]:
    """Redis database 14, flushed before and after; skip (fail under CI) without a server."""
    with redis_database(14, "the Redis rate-limit test") as client:
        yield client


def test_with_redis_configured_the_counts_live_in_redis(make_app, sqlite_url, redis_db):
    app = make_app(sqlite_url, ratelimit_storage_url=REDIS_URL)
    make_tenant(app.extensions["onedoor"].database, "alpha")
    client = app.test_client()

    statuses = _attempts(client, "alpha", 11)

    assert statuses[10] == 429
    keys = [k.decode() for k in redis_db.keys("*")]
    assert any("alpha" in k for k in keys), keys  # the counter, keyed by tenant and address
