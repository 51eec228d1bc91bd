"""Placeholder replaced by the tenant command module."""

import click


@click.group("tenant")
def command() -> None:
    """Not yet available."""
