"""Placeholder replaced by the plugins command module."""

import click


@click.group("plugins")
def command() -> None:
    """Not yet available."""
