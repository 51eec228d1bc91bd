"""``onedoor plugin new NAME``: start a plugin as its own distribution, ready to install."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("plugin")
def command() -> None:
    """Develop a plugin (``onedoor plugins list`` shows the installed ones)."""


@command.command("new")
@click.argument("name")
@click.option("--path", "path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to create (default: ./onedoor-NAME).")
def new(name: str, path: Path | None) -> None:
    """Write a plugin distribution NAME: entry point, hooks, a case type, a deadline rule, a
    window, catalogs for zh_Hans/zh_Hant/en, a README and tests on the shipped fixtures."""
    from core.cli import fail  # noqa: PLC0415 - core.cli imports this module
    from core.plugins import PluginRegistry  # noqa: PLC0415
    from core.scaffold import ScaffoldError, check_name, write  # noqa: PLC0415

    try:
        scaffold = check_name(name, set(PluginRegistry().infos))
        target = path if path is not None else Path.cwd() / scaffold.distribution
        written = write(scaffold, target)
    except ScaffoldError as exc:
        fail(str(exc))
    click.echo(f"created {scaffold.distribution} in {target} ({len(written)} files)")
    click.echo(f"next: cd {target} && pip install -e . && python -m pytest")
    click.echo(f"then enable it in a tenant.toml with [plugins.{name}]")
