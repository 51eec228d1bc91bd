"""The example plugin's tests run in OneDoor's suite, whose root conftest.py loads the shipped
fixtures (``pytest_plugins = ["core.testing.plugins"]``); here they are pointed at the plugin.

A plugin's own repository would load them itself (see what ``onedoor plugin new`` writes).
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

import pytest

NAME = "example_notary"


@pytest.fixture
def onedoor_plugin() -> str:
    """The example plugin, which must have been installed through its entry point."""
    if not entry_points(group="onedoor.plugins", name=NAME):
        message = ("the example plugin is not installed: run "
                   "`pip install -e tests/example_plugin` (as tox and .ci/run do)")
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return NAME
