"""Application settings: ``config/default.toml`` overlaid by testing, ``ONEDOOR_CONFIG`` and env.

Settings are a plain frozen dataclass so that pure code (CLI, benchmarks, migrations) can use them
without Flask.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
ENV_PREFIX = "ONEDOOR_"


class SettingsError(ValueError):
    """A settings file or variable is malformed; the message names the source and the key."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///onedoor.sqlite3"
    migration_database_url: str = ""
    app_role: str = ""
    instance_path: str = "instance"
    tenants_path: str = "tenants"
    secret_key: str = "change-me-in-production"
    default_locale: str = "zh_Hans"
    default_timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    session_cookie_secure: bool = True
    broker_url: str = ""
    pii_key: str = ""
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    ratelimit_storage_url: str = ""

    @property
    def pii_secret(self) -> str:
        """Secret for encrypting personal data and its blind indexes.

        Falls back to ``secret_key`` so that the demo works out of the box; production sets a
        separate ``pii_key``, because rotating the session secret must not make stored ID
        numbers unreadable.
        """
        return self.pii_key or f"pii:{self.secret_key}"

    @property
    def owner_database_url(self) -> str:
        """URL for migrations: the table owner's, falling back to the application's."""
        return self.migration_database_url or self.database_url

    @property
    def tenants_dir(self) -> Path:
        """Absolute folder holding ``<slug>/tenant.toml``."""
        path = Path(self.tenants_path)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with some keys replaced (validated like a settings file)."""
        return replace(self, **_validated(values, "overrides"))


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}


def _validated(values: dict[str, Any], source: str) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key not in _FIELD_TYPES:
            raise SettingsError(f"{source}: unknown setting {key!r}")
        expected = {"bool": bool, "int": int}.get(_FIELD_TYPES[key], str)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(
                f"{source}: setting {key!r} must be {expected.__name__}, got {value!r}"
            )
        out[key] = _checked(key, value, source)
    return out


_DATABASE_BACKENDS = ("sqlite", "postgresql")
# Celery brokers OneDoor documents; "" runs background work in-process (core.tasks).
_BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def _checked(key: str, value: Any, source: str) -> Any:
    """Values that have a shape: database and broker URLs, the log level."""
    if key in ("database_url", "migration_database_url") and value:
        # The URL may hold a password: messages show its scheme only.
        scheme = value.split("://", 1)[0] if "://" in value else "(none)"
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            backend = None
        if backend not in _DATABASE_BACKENDS:
            raise SettingsError(
                f"{source}: setting {key!r} must be a sqlite:/// or postgresql+psycopg:// URL, "
                f"got scheme {scheme!r}"
            )
    if key == "broker_url" and value:
        # Like database URLs, the broker URL may hold a password: show the scheme only.
        scheme = value.split("://", 1)[0] if "://" in value else "(none)"
        if scheme not in _BROKER_SCHEMES:
            raise SettingsError(
                f"{source}: setting 'broker_url' must be empty (run in-process) or a "
                f"redis:// (or amqp://) URL, got scheme {scheme!r}"
            )
    if key in ("session_idle_minutes", "session_absolute_hours") and value < 1:
        raise SettingsError(f"{source}: setting {key!r} must be at least 1, got {value}")
    if key == "ratelimit_storage_url" and value and value.split("://", 1)[0] not in (
            "memory", "redis", "rediss"):
        raise SettingsError(f"{source}: setting 'ratelimit_storage_url' must be empty "
                            "(in memory), memory:// or a redis:// URL")
    if key == "log_level":
        if value.upper() not in _LOG_LEVELS:
            raise SettingsError(
                f"{source}: setting 'log_level' must be one of {', '.join(_LOG_LEVELS)}, "
                f"got {value!r}"
            )
        return value.upper()
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: settings file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def _env_value(key: str, raw: str) -> Any:
    if _FIELD_TYPES[key] == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{ENV_PREFIX}{key.upper()}: expected true or false, got {raw!r}")
    if _FIELD_TYPES[key] == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}{key.upper()}: expected a whole number, "
                                f"got {raw!r}") from None
    return raw


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the layered sources described in ``config/default.toml``."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    values.update(_validated(_read_toml(CONFIG_DIR / "default.toml"), "config/default.toml"))
    if environ.get("ONEDOOR_ENV") == "testing":
        values.update(_validated(_read_toml(CONFIG_DIR / "testing.toml"), "config/testing.toml"))
    if environ.get("ONEDOOR_CONFIG"):
        path = Path(environ["ONEDOOR_CONFIG"])
        values.update(_validated(_read_toml(path), str(path)))
    for key in _FIELD_TYPES:
        name = f"{ENV_PREFIX}{key.upper()}"
        if name in environ:
            values.update(_validated({key: _env_value(key, environ[name])}, name))
    values.update(_validated(overrides, "overrides"))
    return Settings(**values)
