"""``onedoor plugin new``: a plugin distribution that installs, registers, passes its own tests
and exists for the tenant that enables it only.

Installing is done the way ``pip install -e`` does it, without pip (which would need a build
backend and the network): a ``dist-info`` folder with the generated ``entry_points`` and the
distribution's folder on ``sys.path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.app import create_app
from core.cases import case_types
from core.cli import EXIT_BAD_INPUT, build_cli
from core.plugins import PluginRegistry
from core.scaffold import check_name, render
from core.settings import load_settings
from core.testing.imports import private_core_imports
from core.testing.tenants import make_tenant

ROOT = Path(__file__).resolve().parents[3]


def install_like_pip(distribution: Path, site: Path) -> None:
    """Make ``distribution`` importable and its entry points visible, as an editable install."""
    project = tomllib.loads((distribution / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    lines = []
    for group, points in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{k} = {v}" for k, v in points.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines))
    (site / f"{project['name']}.pth").write_text(f"{distribution}\n")


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    """``onedoor plugin new notary --path <tmp>/onedoor-notary``, then installed."""
    target = tmp_path / "onedoor-notary"
    result = CliRunner().invoke(build_cli(), ["plugin", "new", "notary", "--path", str(target)])
    assert result.exit_code == 0, result.output
    assert "created onedoor-notary" in result.output
    install_like_pip(target, tmp_path / "site")
    return target


def test_the_scaffold_is_a_complete_distribution(scaffolded: Path) -> None:
    files = {p.relative_to(scaffolded).as_posix() for p in scaffolded.rglob("*") if p.is_file()}
    assert {"pyproject.toml", "README.md", "conftest.py", "tests/test_plugin.py",
            "onedoor_notary/plugin.py", "onedoor_notary/schemas.py"} <= files
    for locale in ("zh_Hans", "zh_Hant", "en"):
        assert f"onedoor_notary/translations/{locale}/LC_MESSAGES/messages.po" in files
    project = tomllib.loads((scaffolded / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["onedoor.plugins"] == {"notary": "onedoor_notary.plugin"}
    assert private_core_imports(scaffolded / "onedoor_notary") == []


def test_the_generated_plugin_passes_its_generated_tests(scaffolded: Path, tmp_path: Path
                                                         ) -> None:
    # PYTHONPATH reads no .pth file, so the distribution's folder goes on it directly.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(scaffolded),
                                                          str(tmp_path / "site")])}
    env.pop("ONEDOOR_ENV", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=scaffolded, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_the_generated_plugin_exists_for_the_tenant_that_enables_it_only(
        scaffolded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.syspath_prepend(str(scaffolded))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        registry = PluginRegistry()  # discovered from entry points, as at start-up
        assert registry.infos["notary"].distribution == "onedoor-notary"
        app = create_app(load_settings(), registry=registry, database_url=sqlite_url)
        onedoor = app.extensions["onedoor"]
        make_tenant(onedoor.database, "on",
                    plugins={"notary": registry.load_settings("notary", {})})
        make_tenant(onedoor.database, "off")
        assert "notary_case" in case_types(onedoor.directory.get("on"))
        assert "notary_case" not in case_types(onedoor.directory.get("off"))
        assert "notary" in onedoor.directory.get("on").window_types()
        client = app.test_client()
        assert client.get("/on/plugins/notary/?lang=en").status_code == 200
        assert client.get("/off/plugins/notary/").status_code == 404
        onedoor.database.dispose()
    finally:
        for name in [m for m in sys.modules if m.startswith("onedoor_notary")]:
            del sys.modules[name]


def test_the_generated_code_passes_the_project_lint(scaffolded: Path) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras)")
    done = subprocess.run([ruff, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                           str(scaffolded)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_bad_or_taken_name_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    runner = CliRunner()
    for name, says in (("Notary", "lower-case"), ("1x", "starting with a letter"),
                       ("maritime", "already installed")):
        result = runner.invoke(build_cli(), ["plugin", "new", name, "--path",
                                             str(tmp_path / name)])
        assert result.exit_code == EXIT_BAD_INPUT, result.output
        assert says in result.output
        assert not (tmp_path / name).exists()


def test_an_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(build_cli(), ["plugin", "new", "notary", "--path",
                                              str(tmp_path / "taken")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "not an empty folder" in result.output
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]


def test_every_template_placeholder_is_filled() -> None:
    for path, text in render(check_name("notary")).items():
        assert "${" not in text, path
