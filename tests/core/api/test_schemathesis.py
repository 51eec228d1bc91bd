"""Schemathesis over a tenant's own OpenAPI document: every operation answers as documented.

The document is loaded from ``/alpha/api/v1/openapi.json`` and the requests go to the Flask app
in-process (WSGI). A ``tenant_admin`` (and leader) token with every scope drives them, on a
tenant with real cases, so that besides random codes the generated requests also reach real
cases, parties, nodes, centers, users and tokens. For each operation, positive and negative
data: no 5xx, a documented status, a documented content type, a body that fits its schema.
Hypothesis runs derandomized with a fixed budget, so a failure reproduces in CI.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from core import accounts
from core.authz import ALL_SCOPES
from tests.core.api.conftest import PASSWORD, World

EXAMPLES = 25  # per operation; the whole test takes well under a minute here
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


def _admin_token(world: World) -> str:
    """A token of a tenant_admin and leader at the root, with every scope."""
    with world.database.transaction(world.alpha.id) as session:
        user = accounts.create_user(session, "alpha-fuzz", PASSWORD)
        accounts.add_membership(session, user, "tenant_admin")
        accounts.add_membership(session, user, "leader")
        _row, secret = accounts.issue_token(session, user, name="schemathesis",
                                            scopes=list(ALL_SCOPES))
    return secret


def _known_values(world: World) -> dict[str, list[dict[str, Any]]]:
    """Real path parameters, by path prefix: a few cases (one with a party), nodes, ...."""
    alpha = world.alpha
    cases = [world.create_case(alpha) for _ in range(2)]
    cases.append(world.create_case(alpha, title="第三件", channel="hotline_12345"))
    return {
        "/cases/{code}/parties/{party_id}": [
            {"code": cases[0]["code"], "party_id": cases[0]["parties"][0]["id"]}],
        "/cases/": [{"code": c["code"]} for c in cases],
        "/tiers/": [{"code": "alpha-root"}, {"code": "alpha-t1"}],
        "/centers/": [{"code": "alpha-center"}],
        "/users/": [{"username": "alpha-auditor"}],
        "/tokens/": [{"token_id": alpha.tokens["plain"]}],
    }


def _with_real_node(case: Any) -> Any:
    """Intake bodies at a real tier node, so that some registrations get through."""
    if isinstance(case.body, dict) and "location_node" in case.body:
        case.body["location_node"] = "alpha-t1"
    return case


def _strategy(operation: Any, headers: dict[str, str],
              known: dict[str, list[dict[str, Any]]]) -> Any:
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode, headers=headers))
        prefix = next((p for p in known if operation.path.startswith(p)), None)
        for values in known.get(prefix, []) if prefix else []:
            if all("{" + name + "}" in operation.path for name in values):
                strategies.append(operation.as_strategy(generation_mode=mode, headers=headers,
                                                        path_parameters=values))
    strategy = st.one_of(strategies)
    if operation.method.upper() == "POST" and operation.path == "/cases":
        strategy = st.one_of(strategy, strategy.map(_with_real_node))
    return strategy


def test_every_operation_answers_as_its_document_says(world: World) -> None:
    headers = {"Authorization": f"Bearer {_admin_token(world)}"}
    known = _known_values(world)
    schema = schemathesis.openapi.from_wsgi(world.alpha.url("/openapi.json"), world.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    failures: dict[str, str] = {}
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large])
        @given(case=_strategy(operation, headers, known))
        def run(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except (AssertionError, FailureGroup) as exc:
            failures[operation.label] = str(exc)
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
