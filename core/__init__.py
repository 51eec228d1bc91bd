"""OneDoor core: tenants, tiers, centers, plugins and the services every interface calls.

Plugins need only two names from here: ``hookimpl`` to mark their hook implementations, and the
``core.toolkit`` module for everything else.
"""

import pluggy

__version__ = "0.1.0"

PROJECT_NAME = "onedoor"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = ["__version__", "hookimpl", "hookspec", "PROJECT_NAME"]
