"""A plugin ships its own Alembic branch; `onedoor db upgrade` applies it beside core's."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from core.migrate import alembic_config, upgrade
from core.plugins import PluginRegistry
from core.toolkit import hookimpl

REVISION = '''"""notes of the test plugin"""
import sqlalchemy as sa
from alembic import op

from core.toolkit import enable_rls

revision = "tp0001"
down_revision = None
branch_labels = ("testplug",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "testplug_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    enable_rls(op, "testplug_notes")


def downgrade() -> None:
    op.drop_table("testplug_notes")
'''


def test_a_plugin_branch_is_migrated_with_core(tmp_path: Path, sqlite_url: str) -> None:
    versions = tmp_path / "testplug_versions"
    versions.mkdir()
    (versions / "tp0001_notes.py").write_text(REVISION, encoding="utf-8")

    class TestPlug:
        @hookimpl
        def onedoor_migration_dirs(self):
            return [str(versions)]

    registry = PluginRegistry()
    registry.register(TestPlug(), "testplug")
    upgrade(sqlite_url, registry)
    upgrade(sqlite_url, registry)  # a second run changes nothing
    engine = create_engine(sqlite_url)
    try:
        assert "testplug_notes" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            heads = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
        # Core's head, the plugin's, and those of the installed plugins with tables.
        script = ScriptDirectory.from_config(alembic_config(None, registry))
        assert "tp0001" in heads and heads == set(script.get_heads())
    finally:
        engine.dispose()
