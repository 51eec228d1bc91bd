"""公证服务 (notary services): the example of a third-party OneDoor plugin.

It lives in OneDoor's tests as its own distribution, ``onedoor-example-notary``, installed
through its entry point like any plugin from PyPI; it imports only ``core.toolkit`` and
``core.hookspecs``. Its hooks are in :mod:`onedoor_example_notary.plugin`.
"""

__version__ = "0.1.0"
