"""Placeholder replaced by the demo command module."""

import click


@click.group("demo")
def command() -> None:
    """Not yet available."""
