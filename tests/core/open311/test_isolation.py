"""Tenant isolation of Open311, on SQLite and on PostgreSQL as the application role under RLS."""

from __future__ import annotations

from tests.core.open311.conftest import World, json_of, xml_of


def test_a_key_posts_only_to_its_own_tenant_and_lists_show_only_their_own(
        both_world: World) -> None:
    world = both_world
    alpha, beta = world.alpha, world.beta
    a_code = world.created(alpha)
    before = world.count(beta)
    refused = world.submit(beta, key=alpha.key)
    assert refused.status_code == 403 and json_of(refused)[0]["code"] == 403
    assert world.count(beta) == before
    b_code = world.created(beta)

    assert [r["service_request_id"] for r in json_of(world.get(beta, "/requests.json"))] == \
        [b_code]
    root = xml_of(world.get(beta, "/requests.xml"))
    assert [e.text for e in root.iter("service_request_id")] == [b_code]
    assert [r["service_request_id"] for r in json_of(
        world.get(beta, f"/requests.json?service_request_id={a_code},{b_code}"))] == [b_code]
    for path in (f"/requests/{a_code}.json", f"/tokens/{a_code}.json"):
        assert world.get(beta, path).status_code == 404
    assert world.get(alpha, f"/requests/{a_code}.json").status_code == 200
    assert b_code not in world.get(alpha, "/requests.json").get_data(as_text=True)
    # The case is real on both backends: staff of alpha see it, staff of beta do not.
    assert world.api("GET", alpha, f"/cases/{a_code}").status_code == 200
    assert world.api("GET", beta, f"/cases/{a_code}").status_code == 404
