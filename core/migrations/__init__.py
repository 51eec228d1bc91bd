"""Alembic migrations of core; plugins add version locations through ``onedoor_migration_dirs``."""
