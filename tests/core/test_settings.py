"""Settings layering: default < testing < ONEDOOR_CONFIG file < ONEDOOR_* env < overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings, SettingsError, load_settings


def write(tmp_path: Path, body: str, name: str = "onedoor.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_come_from_config_default_toml() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///onedoor.sqlite3"
    assert settings.session_cookie_secure is True
    assert settings.default_locale == "zh_Hans" and settings.default_timezone == "Asia/Shanghai"
    assert settings.owner_database_url == settings.database_url
    assert settings.tenants_dir == PROJECT_ROOT / "tenants"


def test_each_layer_overrides_the_one_before(tmp_path: Path) -> None:
    testing = load_settings({"ONEDOOR_ENV": "testing"})
    assert (testing.database_url, testing.session_cookie_secure) == ("sqlite://", False)
    assert testing.log_level == "WARNING"
    assert testing.default_locale == "zh_Hans"  # not in testing.toml: the default stays

    config = write(tmp_path, 'database_url = "sqlite:////srv/file.sqlite3"\n'
                             'log_level = "debug"\nsession_cookie_secure = true\n'
                             'tenants_path = "/etc/onedoor/tenants"\n')
    environ = {"ONEDOOR_ENV": "testing", "ONEDOOR_CONFIG": str(config)}
    from_file = load_settings(environ)
    assert from_file.database_url == "sqlite:////srv/file.sqlite3"
    assert from_file.log_level == "DEBUG"
    assert from_file.session_cookie_secure is True
    assert from_file.secret_key == "testing-secret"  # from testing.toml, under the file
    assert from_file.tenants_dir == Path("/etc/onedoor/tenants")

    environ |= {"ONEDOOR_DATABASE_URL": "postgresql+psycopg://app@127.0.0.1:5432/onedoor",
                "ONEDOOR_MIGRATION_DATABASE_URL":
                    "postgresql+psycopg://owner@127.0.0.1:5432/onedoor",
                "ONEDOOR_SESSION_COOKIE_SECURE": "no"}
    from_env = load_settings(environ)
    assert from_env.database_url == "postgresql+psycopg://app@127.0.0.1:5432/onedoor"
    assert from_env.owner_database_url.startswith("postgresql+psycopg://owner@")
    assert from_env.session_cookie_secure is False
    assert from_env.log_level == "DEBUG"  # still the file's

    overridden = load_settings(environ, database_url="sqlite://")
    assert overridden.database_url == "sqlite://"
    assert overridden.with_overrides(secret_key="s").secret_key == "s"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("TRUE", True), ("on", True),
                                            ("0", False), ("False", False), ("off", False)])
def test_boolean_environment_values(raw: str, value: bool) -> None:
    assert load_settings({"ONEDOOR_SESSION_COOKIE_SECURE": raw}).session_cookie_secure is value


def test_unrelated_environment_variables_are_ignored() -> None:
    assert load_settings({"ONEDOOR_NOT_A_SETTING": "x", "DATABASE_URL": "mysql://x"}) == \
        load_settings({})


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('session_cookie_secure = "sometimes"\n', ["session_cookie_secure", "must be bool"]),
        ("secret_key = 42\n", ["secret_key", "must be str"]),
        ('databse_url = "sqlite://"\n', ["unknown setting", "databse_url"]),
        ('database_url = "mysql://u:secret@db/x"\n', ["database_url", "'mysql'"]),
        ('log_level = "LOUD"\n', ["log_level", "LOUD"]),
        ("[database]\nurl = 'sqlite://'\n", ["unknown setting", "database"]),
        ('database_url = "sqlite://\n', ["line 1"]),
    ],
)
def test_bad_values_in_a_file_name_the_file_and_key(tmp_path: Path, body: str,
                                                     words: list[str]) -> None:
    config = write(tmp_path, body)
    with pytest.raises(SettingsError) as caught:
        load_settings({"ONEDOOR_CONFIG": str(config)})
    message = str(caught.value)
    assert str(config) in message
    for word in words:
        assert word in message
    assert "secret" not in message.replace("secret_key", "")  # URLs' passwords stay hidden


@pytest.mark.parametrize(
    ("name", "raw"),
    [("ONEDOOR_SESSION_COOKIE_SECURE", "maybe"), ("ONEDOOR_DATABASE_URL", "not a url"),
     ("ONEDOOR_DATABASE_URL", "oracle://scott:tiger@db"), ("ONEDOOR_LOG_LEVEL", "chatty")],
)
def test_bad_environment_values_name_the_variable(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: raw})
    assert "tiger" not in str(caught.value)


def test_missing_config_file_and_bad_overrides_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(SettingsError, match="nowhere.toml: settings file not found"):
        load_settings({"ONEDOOR_CONFIG": str(missing)})
    with pytest.raises(SettingsError, match="overrides: setting 'log_level' must be str"):
        load_settings({}, log_level=10)
    with pytest.raises(SettingsError, match="overrides: unknown setting 'colour'"):
        Settings().with_overrides(colour="red")
