"""The one authorization decision: deny by default, roles, subtrees, departments, token scopes."""

from __future__ import annotations

import pytest

from core.authz import (
    PERMISSIONS,
    SCOPES,
    TENANT,
    Grant,
    Principal,
    Resource,
    authorize,
    visibility,
)

ROOT = "/r/"
COUNTY = "/r/c1/"
TOWN = "/r/c1/t1/"
SIBLING_TOWN = "/r/c1/t2/"
VILLAGE = "/r/c1/t1/v1/"
COURT, POLICE = 7, 8


def person(*grants: Grant, scopes: set[str] | None = None) -> Principal:
    return Principal("someone", tuple(grants),
                     scopes=frozenset(scopes) if scopes is not None else None)


def at(*paths: str, departments: tuple[int, ...] = ()) -> Resource:
    return Resource(paths, frozenset(departments))


def test_nobody_is_allowed_anything_without_a_principal() -> None:
    decision = authorize(None, "case.read", at(TOWN))
    assert not decision and decision.reason == "anonymous"
    assert visibility(None, "case.read").nothing


def test_an_action_nobody_declared_is_refused_even_to_an_administrator() -> None:
    admin = person(Grant("tenant_admin", ROOT))
    decision = authorize(admin, "case.delete_everything", at(TOWN))
    assert not decision and decision.reason == "unknown"
    assert visibility(admin, "case.delete_everything").nothing


def test_every_action_needs_a_token_scope_and_roles() -> None:
    assert set(PERMISSIONS) == set(SCOPES)
    assert all(PERMISSIONS.values())


def test_a_role_that_may_not_take_the_action_is_refused() -> None:
    auditor = person(Grant("auditor", ROOT))
    assert authorize(auditor, "case.read", at(TOWN))
    decision = authorize(auditor, "case.create", at(TOWN))
    assert not decision and decision.reason == "role"


def test_a_grant_reaches_its_subtree_and_nothing_beside_it() -> None:
    clerk = person(Grant("clerk", TOWN))
    assert authorize(clerk, "case.create", at(TOWN))
    assert authorize(clerk, "case.create", at(VILLAGE))
    refused = authorize(clerk, "case.create", at(SIBLING_TOWN))
    assert not refused and refused.reason == "tier"
    assert not authorize(clerk, "case.create", at(COUNTY))  # not upwards either
    assert not authorize(clerk, "case.create", at(ROOT))


def test_a_case_is_reached_through_any_of_its_nodes() -> None:
    clerk = person(Grant("clerk", TOWN))
    assert authorize(clerk, "case.read", at(SIBLING_TOWN, VILLAGE))


def test_a_similar_prefix_is_not_a_subtree() -> None:
    clerk = person(Grant("clerk", "/r/c1/t1/"))
    assert not authorize(clerk, "case.read", at("/r/c1/t10/"))


def test_a_department_liaison_sees_only_what_its_department_holds() -> None:
    liaison = person(Grant("department_liaison", ROOT, COURT))
    assert authorize(liaison, "case.read", at(TOWN, departments=(COURT,)))
    assert authorize(liaison, "case.attempt", at(TOWN, departments=(POLICE, COURT)))
    refused = authorize(liaison, "case.read", at(TOWN, departments=(POLICE,)))
    assert not refused and refused.reason == "department"
    assert not authorize(liaison, "case.read", at(TOWN))


def test_a_liaison_outside_its_subtree_is_refused_for_the_tier_first() -> None:
    liaison = person(Grant("department_liaison", SIBLING_TOWN, COURT))
    decision = authorize(liaison, "case.read", at(TOWN, departments=(COURT,)))
    assert not decision and decision.reason == "tier"


def test_a_token_is_narrowed_to_its_scopes() -> None:
    grant = Grant("clerk", ROOT)
    token = person(grant, scopes={"cases:read", "cases:write"})
    assert authorize(token, "case.read", at(TOWN))
    assert authorize(token, "case.create", at(TOWN))
    decision = authorize(token, "party.reveal", at(TOWN))
    assert not decision and decision.reason == "token_scope"
    assert authorize(person(grant, scopes={"pii:reveal"}), "party.reveal", at(TOWN))
    assert authorize(person(grant), "party.reveal", at(TOWN))  # a session has every scope
    assert visibility(person(grant, scopes={"directory:read"}), "case.read").nothing


def test_a_scope_never_widens_what_the_roles_allow() -> None:
    clerk_token = person(Grant("clerk", ROOT), scopes={"admin"})
    assert not authorize(clerk_token, "user.manage")


@pytest.mark.parametrize("action", ["user.manage", "token.manage", "tenant.manage", "user.read"])
def test_tenant_wide_actions_need_a_grant_at_the_root(action: str) -> None:
    assert authorize(person(Grant("tenant_admin", ROOT)), action, TENANT)
    decision = authorize(person(Grant("tenant_admin", COUNTY)), action, TENANT)
    assert not decision and decision.reason == "tier"


def test_visibility_keeps_the_outermost_subtrees() -> None:
    many = person(Grant("clerk", VILLAGE), Grant("mediator", TOWN), Grant("clerk", SIBLING_TOWN),
                  Grant("leader", TOWN))
    seen = visibility(many, "case.read")
    assert seen.subtrees == (TOWN, SIBLING_TOWN) and not seen.department_subtrees
    assert visibility(person(Grant("clerk", ROOT), Grant("clerk", TOWN)),
                      "case.read").subtrees == (ROOT,)


def test_visibility_only_counts_roles_that_may_take_the_action() -> None:
    mixed = person(Grant("auditor", ROOT), Grant("clerk", TOWN))
    assert visibility(mixed, "case.read").subtrees == (ROOT,)
    assert visibility(mixed, "case.create").subtrees == (TOWN,)
    assert visibility(person(Grant("auditor", ROOT)), "case.create").nothing


def test_visibility_of_a_liaison_is_by_department_unless_a_subtree_covers_it() -> None:
    liaison = person(Grant("department_liaison", COUNTY, COURT))
    seen = visibility(liaison, "case.read")
    assert seen.subtrees == () and seen.department_subtrees == ((COUNTY, COURT),)
    covered = person(Grant("department_liaison", TOWN, COURT), Grant("mediator", COUNTY))
    seen = visibility(covered, "case.read")
    assert seen.subtrees == (COUNTY,) and seen.department_subtrees == ()


def test_the_actor_has_the_roles_that_reach_the_node_and_the_broadest_scope() -> None:
    who = person(Grant("clerk", TOWN), Grant("mediator", COUNTY), Grant("leader", SIBLING_TOWN),
                 Grant("auditor", ROOT))
    actor = who.actor(VILLAGE)
    assert actor.roles == {"clerk", "mediator"}
    assert actor.scope_path == COUNTY
    everywhere = who.actor()
    assert everywhere.roles == {"clerk", "mediator", "leader"}  # auditors never act
    assert everywhere.scope_path == COUNTY


def test_an_actor_without_a_reaching_grant_can_do_nothing_anywhere() -> None:
    actor = person(Grant("clerk", SIBLING_TOWN), Grant("auditor", ROOT)).actor(TOWN)
    assert actor.roles == frozenset()
    assert not actor.covers(ROOT) and not actor.covers(TOWN)
