"""Migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect, text

from core.db import Base
from core.migrate import alembic_config, upgrade


@pytest.fixture
def owner_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """The migrated database of each backend, as the owner of its tables."""
    if database_url.startswith("postgresql"):
        return request.getfixturevalue("pg_urls")["owner"]
    return database_url


def script(registry) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(None, registry))  # type: ignore[arg-type]


def test_schema_matches_the_models(owner_url: str, registry) -> None:
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "compare_server_default": False,
                "render_as_batch": conn.dialect.name == "sqlite",
            })
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "the migrations and the models disagree; add a revision"


def test_database_is_at_every_head_and_upgrading_again_is_a_no_op(owner_url: str,
                                                                  registry) -> None:
    heads = set(script(registry).get_heads())
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            assert set(conn.scalars(text("SELECT version_num FROM alembic_version"))) == heads
            tables = set(inspect(conn).get_table_names())
        upgrade(owner_url, registry)
        with engine.connect() as conn:
            assert set(conn.scalars(text("SELECT version_num FROM alembic_version"))) == heads
            assert set(inspect(conn).get_table_names()) == tables
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_the_comparison_bites(owner_url: str, registry) -> None:
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["tier_nodes"].append_column(Column("extra", Integer))
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert [(d[0], d[2], d[3].name) for d in differences] == [
        ("add_column", "tier_nodes", "extra")]


def test_one_head_per_branch(registry) -> None:
    """Core has one head; each plugin's labelled branch has one head (``alembic heads``)."""
    scripts = script(registry)
    heads_by_branch: dict[frozenset[str], list[str]] = {}
    for head in scripts.get_heads():
        labels = frozenset(_labels(scripts, head)) or frozenset({"core"})
        heads_by_branch.setdefault(labels, []).append(head)
    assert heads_by_branch.get(frozenset({"core"})), "core has no head"
    forked = {"/".join(sorted(k)): v for k, v in heads_by_branch.items() if len(v) > 1}
    assert forked == {}, f"branches with several heads need a merge revision: {forked}"
    assert "0001" in scripts.get_bases()


def _labels(scripts: ScriptDirectory, head: str) -> set[str]:
    """Branch labels on revision ``head`` or any of its ancestors."""
    labels: set[str] = set()
    for rev in scripts.iterate_revisions(head, "base"):
        labels |= set(rev.branch_labels or ())
    return labels


def test_0007_tells_stored_ladders_the_tier_above_their_last_step(tmp_path, registry) -> None:
    """A tenant applied before 0007 gets ``escalation.above`` and a new config version."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, registry, revision="0006")
    steps = [{"level": "community", "min_attempts": 1, "deadline_days": 3},
             {"level": "street", "min_attempts": 3, "deadline_days": 15}]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for tid, slug in ((1, "haizhou"), (2, "flat")):
                conn.execute(text(
                    "INSERT INTO tenants (id, slug, enabled, case_code_prefix, timezone, "
                    "default_locale, config, config_version, created_at, updated_at) VALUES "
                    "(:id, :slug, 1, 'HZ', 'Asia/Shanghai', 'zh_Hans', :config, 4, "
                    "'2026-01-01', '2026-01-01')"),
                    {"id": tid, "slug": slug,
                     "config": json.dumps({"escalation": {"ladder": steps}})})
            levels = [(1, "district", 0), (1, "street", 1), (1, "community", 2),
                      (2, "street", 0), (2, "community", 1)]
            for tid, code, rank in levels:
                conn.execute(text("INSERT INTO tier_levels (tenant_id, code, rank, names) "
                                  "VALUES (:t, :c, :r, '{}')"), {"t": tid, "c": code, "r": rank})
        upgrade(url, registry)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT slug, config FROM tenants")).all())
            versions = set(conn.scalars(text("SELECT config_version FROM tenants")))
    finally:
        engine.dispose()
    assert json.loads(rows["haizhou"])["escalation"]["above"] == "district"
    assert json.loads(rows["flat"])["escalation"]["above"] is None  # the street is the top
    assert versions == {5}


def test_0014_gives_existing_cases_their_last_known_change(tmp_path, registry) -> None:
    """Cases written before 0014 get ``changed_at`` from their latest lifecycle moment, and the
    rollup's stamp no tree digest (so the first refresh afterwards is a full one)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, registry, revision="0013")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO tenants (id, slug, enabled, case_code_prefix, timezone, "
                "default_locale, config, config_version, created_at, updated_at) VALUES "
                "(1, 'old', 1, 'HZ', 'Asia/Shanghai', 'zh_Hans', '{}', 1, "
                "'2026-01-01', '2026-01-01')"))
            conn.execute(text("INSERT INTO tier_levels (id, tenant_id, code, rank, names) "
                              "VALUES (1, 1, 'town', 0, '{}')"))
            conn.execute(text("INSERT INTO tier_nodes (id, tenant_id, code, name, names, "
                              "level_id, path, depth) VALUES (1, 1, 'T', 'T', '{}', 1, '/T/', 0)"))
            for n, closed in ((1, "'2026-03-04 05:06:07'"), (2, "NULL")):
                conn.execute(text(
                    "INSERT INTO cases (id, tenant_id, code, case_type, category, channel, "
                    "demand_type, title, description, location_node_id, node_id, address, "
                    "people_involved, is_group, risk, risk_reasons, status, rung, "
                    "dispatch_count, escalations, reopened, details, window_type, "
                    "registered_by, registered_at, accepted_at, closed_at, overdue, version) "
                    f"VALUES ({n}, 1, 'C{n}', 'general_dispute', 'other', 'walk_in', 'dispute', "
                    "'t', '', 1, 1, '', 1, false, 'blue', '[]', 'closed', 0, 0, 0, 0, '{}', '', "
                    f"'x', '2026-03-01 00:00:00', '2026-03-02 00:00:00', {closed}, false, 1)"))
            conn.execute(text(
                "INSERT INTO indicator_refreshes (tenant_id, as_of, settings, rows, seconds) "
                "VALUES (1, '2026-03-05', 'Asia/Shanghai|x|town', 0, 0)"))
        upgrade(url, registry)
        with engine.connect() as conn:
            changed = dict(conn.execute(text("SELECT code, changed_at FROM cases")).all())
            stamp = conn.execute(text("SELECT tree, scanned_at FROM indicator_refreshes")).one()
    finally:
        engine.dispose()
    moments = {code: str(value)[:19] for code, value in changed.items()}
    assert moments == {"C1": "2026-03-04 05:06:07", "C2": "2026-03-02 00:00:00"}
    assert tuple(stamp) == (None, None)
