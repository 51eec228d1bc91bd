"""``onedoor user create`` and ``onedoor token create``: bad input exits 2 naming the option."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core import accounts
from core.cli import build_cli
from core.db import Database
from core.models import ApiToken, User
from tests.factories import make_tenant

PASSWORD = "correct horse battery"


def run(url: str, *args: str):
    return CliRunner().invoke(build_cli(), list(args), env={"ONEDOOR_DATABASE_URL": url})


@pytest.fixture
def tenant(sqlite_url: str) -> tuple[str, int]:
    database = Database(sqlite_url)
    tenant_id = make_tenant(database, "alpha")
    database.dispose()
    return sqlite_url, tenant_id


def count(url: str, tenant_id: int, model) -> int:
    database = Database(url)
    with database.transaction(tenant_id) as session:
        n = session.scalar(select(func.count()).select_from(model))
    database.dispose()
    return n


def test_user_and_token_create_print_the_secret_once(tenant) -> None:
    url, tenant_id = tenant
    made = run(url, "user", "create", "--tenant", "alpha", "--username", "ada",
               "--role", "clerk", "--node", "alpha-t1", "--password", PASSWORD)
    assert made.exit_code == 0, made.output
    issued = run(url, "token", "create", "--tenant", "alpha", "--user", "ada",
                 "--scope", "cases:read")
    assert issued.exit_code == 0, issued.output
    secrets = [w for w in issued.output.split() if w.startswith(accounts.TOKEN_PREFIX)]
    assert len(secrets) == 1
    database = Database(url)
    with database.transaction(tenant_id) as session:
        principal = accounts.authenticate_token(session, secrets[0])
        assert principal is not None and principal.name == "ada"
        assert principal.scopes == {"cases:read"}
    database.dispose()


@pytest.mark.parametrize(("args", "option"), [
    (["--role", "pope"], "--role"),
    (["--role", "clerk", "--node", "nowhere"], "--node"),
    (["--role", "clerk", "--password", "short"], "--password"),
])
def test_bad_user_input_exits_2_naming_the_option_and_creates_nothing(tenant, args,
                                                                      option) -> None:
    url, tenant_id = tenant
    full = ["user", "create", "--tenant", "alpha", "--username", "ada", *args]
    if "--password" not in args:
        full += ["--password", PASSWORD]
    result = run(url, *full)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert count(url, tenant_id, User) == 0


def test_a_token_for_an_unknown_user_exits_2_and_issues_nothing(tenant) -> None:
    url, tenant_id = tenant
    result = run(url, "token", "create", "--tenant", "alpha", "--user", "ghost")
    assert result.exit_code == 2 and "--user" in result.output
    assert count(url, tenant_id, ApiToken) == 0
