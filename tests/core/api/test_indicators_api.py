"""The indicators endpoint: the dashboard's figures with their definitions, in scope only."""

from __future__ import annotations

from core import accounts
from tests.core.api.conftest import World


def _token(world: World, tenant, role: str, node: str | None = None,
           scopes=("indicators:read", "cases:read")) -> str:
    with world.database.transaction(tenant.id) as session:
        user = accounts.create_user(session, f"{role}-{node or 'root'}", None)
        accounts.add_membership(session, user, role, node)
        _row, secret = accounts.issue_token(session, user, scopes=list(scopes))
    return secret


def _figures(body) -> dict[str, dict]:
    return {f["code"]: f for f in body["figures"]}


def test_a_leader_sees_every_indicator_with_its_definition_in_the_readers_language(world):
    token = _token(world, world.alpha, "leader")
    world.create_case(world.alpha)
    world.create_case(world.alpha, category="labor")
    world.create_case(world.beta)  # another tenant's case never counts

    english = world.call("GET", world.alpha, "/indicators?lang=en", token)
    assert english.status_code == 200, english.get_json()
    figures = _figures(english.get_json())
    assert figures["intake"]["value"] == 2
    assert figures["intake"]["name"] == "Intake"
    assert "÷" in figures["resolution_rate"]["definition"]
    assert figures["resolution_rate"]["value"] is None  # nothing accepted yet: no 0 ÷ 0

    chinese = _figures(world.call("GET", world.alpha, "/indicators?lang=zh_Hans",
                                  token).get_json())
    assert chinese["intake"]["name"] == "登记量"


def test_a_breakdown_groups_by_category(world):
    token = _token(world, world.alpha, "leader")
    world.create_case(world.alpha)
    world.create_case(world.alpha, category="labor")
    world.create_case(world.alpha, category="labor")

    body = world.call("GET", world.alpha, "/indicators/breakdown?by=category",
                      token).get_json()
    intake = {g["key"]: _figures(g)["intake"]["value"] for g in body["groups"]}
    assert intake == {"labor": 2, "neighbor": 1}


def test_bad_queries_name_the_field(world):
    token = _token(world, world.alpha, "leader")
    bad_by = world.call("GET", world.alpha, "/indicators/breakdown?by=colour", token)
    assert bad_by.status_code == 422
    assert bad_by.mimetype == "application/problem+json"
    assert [e["field"] for e in bad_by.get_json()["errors"]] == ["by"]
    unknown = world.call("GET", world.alpha, "/indicators?node=nowhere", token)
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.get_json()["errors"]] == ["node"]


def test_figures_stay_inside_the_principals_subtree(world):
    town = _token(world, world.alpha, "leader", "alpha-t1")
    # A leader of the town may not ask for the whole city.
    assert world.call("GET", world.alpha, "/indicators?node=alpha-root", town).status_code == 403
    assert world.call("GET", world.alpha, "/indicators?node=alpha-t1", town).status_code == 200
    # Without a node, the figures are for the town, the broadest subtree the leader reaches.
    assert world.call("GET", world.alpha, "/indicators", town).get_json()["node"] == "alpha-t1"


def test_roles_and_scopes_that_may_not_read_indicators_are_refused(world):
    clerk = _token(world, world.alpha, "clerk")
    assert world.call("GET", world.alpha, "/indicators", clerk).status_code == 403
    no_scope = _token(world, world.alpha, "leader", scopes=("cases:read",))
    assert world.call("GET", world.alpha, "/indicators", no_scope).status_code == 403
    assert world.call("GET", world.alpha, "/indicators").status_code == 401
