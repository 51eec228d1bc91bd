"""``onedoor audit verify`` reports each tenant's chain and the first broken link."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from core import audit
from core.cli import build_cli
from core.db import Database
from tests.factories import make_tenant


def run(url: str, *args: str):
    return CliRunner().invoke(build_cli(), ["audit", "verify", *args],
                              env={"ONEDOOR_DATABASE_URL": url})


def test_verify_reports_every_tenant_and_the_first_broken_event(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    for slug in ("alpha", "beta"):
        tenant_id = make_tenant(database, slug)
        with database.transaction(tenant_id) as session:
            for n in range(3):
                audit.record(session, actor="clerk", action="case.accept", object_type="case",
                             object_id=n)
    database.dispose()
    result = run(sqlite_url)
    assert result.exit_code == 0, result.output
    assert "alpha: ok (3 events)" in result.output and "beta: ok (3 events)" in result.output

    owner = create_engine(sqlite_url)
    with owner.begin() as conn:  # someone edits history behind the application's back
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' "
                          "WHERE seq = 2 AND tenant_id = (SELECT id FROM tenants "
                          "WHERE slug = 'beta')"))
    owner.dispose()
    result = run(sqlite_url)
    assert result.exit_code == 1
    assert "alpha: ok" in result.output and "beta: BROKEN at event 2" in result.output
    assert run(sqlite_url, "--tenant", "alpha").exit_code == 0


def test_an_unknown_tenant_is_bad_input(sqlite_url: str) -> None:
    result = run(sqlite_url, "--tenant", "nowhere")
    assert result.exit_code == 2
    assert "--tenant" in result.output
