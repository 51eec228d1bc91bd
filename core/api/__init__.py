"""The REST API: ``/<tenant>/api/v1/`` with flask-smorest, marshmallow and OpenAPI 3.

Every integration (the 12345 hotline, 110 referrals, courts, apps) and the web UI's dynamic
parts use it. Modules: :mod:`~core.api.access` (authentication, the permission rule of every
endpoint), :mod:`~core.api.cases`, :mod:`~core.api.directory` (tiers, centers, departments),
:mod:`~core.api.accounts` (users, memberships, tokens), :mod:`~core.api.spec` (the per-tenant
OpenAPI document and its interactive docs), :mod:`~core.api.problems` (RFC 9457 errors) and
:mod:`~core.api.idempotency`.
"""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api

from core.api.problems import ProblemSchema
from core.errors import PROBLEM_JSON
from core.plugins import PluginRegistry

API_PREFIX = "/<tenant>/api/v1"
#: The error statuses an operation of the API can answer (each problem+json): every
#: operation lists these, writes also :data:`WRITE_ERRORS` (see core.api.spec).
COMMON_ERRORS = (400, 401, 403, 404, 422, 429)
WRITE_ERRORS = (409, 412)


class OneDoorApi(Api):
    """flask-smorest's Api, leaving error pages to :mod:`core.errors` (problem+json there).

    Its error responses are documented as they are sent: ``application/problem+json`` with
    the ``Problem`` schema, one component per status (``NOT_FOUND``…), and no catch-all
    ``default`` — :func:`core.api.spec.tenant_document` lists on every operation the error
    statuses it can answer, so a client (and schemathesis) knows each one.
    """

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """core.errors renders every HTTP error, for the API as problem+json."""

    def _register_responses(self) -> None:
        """A component response per status; errors are problem+json (flask-smorest: JSON)."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_JSON: {"schema": ProblemSchema}}
            # The statuses every operation lists are always there; others when referenced.
            self.spec.components.response(status.name, response,
                                          lazy=status not in (*COMMON_ERRORS, *WRITE_ERRORS))


def register_api(app: Flask, registry: PluginRegistry) -> OneDoorApi:
    """Build the API on ``app``: blueprints, security schemes, the check before every view."""
    from core.api import accounts, cases, directory, indicators, spec  # noqa: PLC0415
    from core.api.access import check_request  # noqa: PLC0415
    from core.cases.intake import IntakeSchema  # noqa: PLC0415

    app.config.update(
        API_TITLE="OneDoor",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=None,  # served per tenant by core.api.spec
        API_SPEC_OPTIONS={
            "info": {"description": "OneDoor (一扇门) REST API of one tenant. Errors are "
                                    "application/problem+json (RFC 9457)."},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "An API token: onedoor token create"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "A signed-in staff session (send "
                                                 "X-CSRFToken on writes)"},
            }},
            "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        },
    )
    api = OneDoorApi(app)
    from core.app import RowIdConverter  # noqa: PLC0415 - core.app builds the API

    api.register_converter(RowIdConverter, lambda _converter: {
        "type": "integer", "minimum": 1, "maximum": RowIdConverter.MAX})
    api.spec.components.schema("CaseIn", schema=IntakeSchema)
    for module in (cases, directory, accounts, indicators):
        api.register_blueprint(module.blp)
        app.before_request_funcs.setdefault(module.blp.name, []).append(check_request)
    app.register_blueprint(spec.bp)
    app.before_request_funcs.setdefault(spec.bp.name, []).append(check_request)
    app.extensions["onedoor_api"] = api
    return api
