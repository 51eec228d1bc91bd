"""Open311 GeoReport v2 (``/<tenant>/open311/v2/``): citizens' apps report and track cases.

The tenant is the jurisdiction (``jurisdiction_id`` = its slug); its case types are the
services; a POSTed service request registers a real case (channel ``app``) through the case
service, and the public reading methods show only cases that came in through Open311, never
their parties. :mod:`~core.open311.mapping` holds the pure mappings,
:mod:`~core.open311.formats` the XML and JSON rendering, :mod:`~core.open311.views` the
blueprint. See docs/admin-guide.md, "Open311 GeoReport v2".
"""

from __future__ import annotations

from flask import Flask


def register_open311(app: Flask) -> None:
    """Mount the GeoReport v2 blueprint on ``app``."""
    from core.open311.views import bp  # noqa: PLC0415 - views import core.app helpers

    app.register_blueprint(bp)
