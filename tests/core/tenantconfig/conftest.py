"""Helpers for the tenant-configuration tests: editable copies of the demo tenants, the CLI,
and a snapshot of everything a tenant owns (to prove that bad input applied nothing)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from core.cli.tenant import command as tenant_cli
from core.db import Database
from core.models import (
    AuditEvent,
    Center,
    CenterWindow,
    Department,
    Stationing,
    Tenant,
    TenantPlugin,
    TierLevel,
    TierNode,
)
from core.settings import PROJECT_ROOT

TENANTS_DIR = PROJECT_ROOT / "tenants"
DEMO_TENANTS = ("zhoushan", "hangzhou", "haizhou")
TENANT_TABLES = (TenantPlugin, TierLevel, TierNode, Department, Center, CenterWindow,
                 Stationing, AuditEvent)


@pytest.fixture
def tenant_copy(tmp_path: Path) -> Callable[[str], Path]:
    """``tenant_copy("haizhou")``: an editable copy of a demo tenant's folder."""

    def copy(slug: str) -> Path:
        target = tmp_path / slug
        shutil.copytree(TENANTS_DIR / slug, target)
        return target

    return copy


@pytest.fixture
def run_cli(database_url: str) -> Callable[..., Result]:
    """``run_cli("apply", path)``: ``onedoor tenant …`` against this test's database."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(tenant_cli, [str(a) for a in args],
                             env={"ONEDOOR_DATABASE_URL": database_url})

    return run


def snapshot(database: Database) -> dict[str, Any]:
    """Every tenant with its version and config, and the row count of each tenant table."""
    state: dict[str, Any] = {}
    with database.transaction() as session:
        tenants = [(t.id, t.slug, t.config_version, t.config, t.enabled, t.case_code_prefix)
                   for t in session.scalars(select(Tenant).order_by(Tenant.id))]
    state["tenants"] = tenants
    for tenant_id, slug, *_ in tenants:
        with database.transaction(tenant_id) as session:
            for model in TENANT_TABLES:
                count = session.scalar(select(func.count()).select_from(model))
                state[f"{slug}.{model.__tablename__}"] = count
    return state


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1
