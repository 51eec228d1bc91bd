"""Every API endpoint declares a permission rule for each of its methods; one without is refused.

"API" covers the REST API (blueprints ``api_*``) and Open311 GeoReport v2 (``open311``).
"""

from __future__ import annotations

from flask import Flask

from core.api.access import PUBLIC, rule_of
from core.authz import PERMISSIONS

API_BLUEPRINTS = ("api_", "open311.")


def api_endpoints(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(API_BLUEPRINTS):
            for method in sorted((rule.methods or set()) - {"OPTIONS"}):
                found.append((rule.rule, rule.endpoint, method))
    return found


def missing_rules(app: Flask) -> list[str]:
    with app.test_request_context():
        return [f"{method} {path} ({endpoint})" for path, endpoint, method in api_endpoints(app)
                if rule_of(endpoint, method) is None]


def test_every_api_endpoint_and_method_has_a_permission_rule(app: Flask) -> None:
    endpoints = api_endpoints(app)
    blueprints = {endpoint.partition(".")[0] for _p, endpoint, _m in endpoints}
    assert {"api_cases", "api_accounts", "api_directory", "api_spec", "open311"} <= blueprints
    assert len(endpoints) > 20
    assert missing_rules(app) == []
    with app.test_request_context():
        for _path, endpoint, method in endpoints:
            assert rule_of(endpoint, method) in {PUBLIC, *PERMISSIONS}


def test_only_the_documentation_is_public(app: Flask) -> None:
    with app.test_request_context():
        public = {path for path, endpoint, method in api_endpoints(app)
                  if rule_of(endpoint, method) == PUBLIC}
    rest = {path for path in public if path.startswith("/<tenant>/api/v1/")}
    assert rest and all("openapi.json" in path or "/docs" in path for path in rest)
    # GeoReport reads without a key; everything else public is under /<tenant>/open311/v2/.
    assert all(path.startswith("/<tenant>/open311/v2/") for path in public - rest)


def test_open311_posts_need_the_open311_action_and_reads_are_public(app: Flask) -> None:
    with app.test_request_context():
        rules = {(path, method): rule_of(endpoint, method)
                 for path, endpoint, method in api_endpoints(app)
                 if endpoint.startswith("open311.") and endpoint != "open311.unknown"}
    assert rules[("/<tenant>/open311/v2/requests.<fmt>", "POST")] == "open311.submit"
    assert {rule for (_p, method), rule in rules.items() if method != "POST"} == {PUBLIC}


def test_an_endpoint_without_a_rule_is_reported_and_refused(make_app, sqlite_url: str) -> None:
    app = make_app(sqlite_url)
    from tests.factories import make_tenant  # noqa: PLC0415

    make_tenant(app.extensions["onedoor"].database, "alpha")

    def forgotten(tenant: str) -> str:
        return "reached a view nobody guards"

    app.add_url_rule("/<tenant>/api/v1/forgotten", endpoint="api_cases.forgotten",
                     view_func=forgotten)
    assert missing_rules(app) == ["GET /<tenant>/api/v1/forgotten (api_cases.forgotten)",
                                  "HEAD /<tenant>/api/v1/forgotten (api_cases.forgotten)"]
    response = app.test_client().get("/alpha/api/v1/forgotten")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "reached" not in response.get_data(as_text=True)
