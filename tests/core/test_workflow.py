"""The lifecycle state machine, the escalation ladder and the dispatch catalog, as pure rules."""

from __future__ import annotations

from core.escalation import (
    DEFAULT_LADDER,
    AttemptSummary,
    decide_escalation,
    ladder_from_config,
    level_above,
    starting_rung,
)
from core.routing import match_dispatch, must_designate
from core.workflow import TRANSITIONS, Actor, CaseState, Status, available, decide

CLERK = Actor("c", frozenset({"clerk"}), "/d/")
STATE = CaseState(Status.REGISTERED, "/d/t/v/")


def test_a_transition_lists_every_reason_it_is_refused() -> None:
    closed = CaseState(Status.CLOSED, "/x/")
    decision = decide(closed, "reject", Actor("m", frozenset({"mediator"}), "/d/"), {})
    assert not decision.allowed
    assert decision.reasons == ("state:closed", "role", "scope", "missing:reason",
                                "missing:statutory_route")
    assert decide(STATE, "teleport", CLERK, {}).reasons == ("unknown:teleport",)


def test_buttons_offered_are_the_transitions_allowed_now() -> None:
    assert available(STATE, CLERK) == ["accept", "reject", "withdraw", "merge"]
    assert available(CaseState(Status.ARCHIVED, "/d/"), CLERK) == []


def test_final_states_have_no_way_out() -> None:
    for final in (Status.ARCHIVED, Status.MERGED, Status.WITHDRAWN):
        assert not [t for t in TRANSITIONS.values() if final in t.sources]


def test_the_default_ladder_is_1_2_3() -> None:
    assert [(r.level, r.min_attempts, r.leader_required) for r in DEFAULT_LADDER] == [
        ("village", 1, False), ("village", 2, True), ("town", 3, True), ("county", 1, True)]
    assert starting_rung(DEFAULT_LADDER, "town") == 2


def test_escalation_needs_the_attempts_and_the_leader_unless_red() -> None:
    two = [AttemptSummary(1, False), AttemptSummary(1, False)]
    assert decide_escalation(DEFAULT_LADDER, 1, two).reasons == ("leader",)
    with_leader = [*two, AttemptSummary(1, True)]
    assert decide_escalation(DEFAULT_LADDER, 1, with_leader).target_rung == 2
    assert decide_escalation(DEFAULT_LADDER, 0, [], jump=True).reasons == ("jump", "attempts:0/1")
    assert decide_escalation(DEFAULT_LADDER, 0, [], risk="red", jump=True).target_rung == 2
    assert decide_escalation(DEFAULT_LADDER, 3, [], risk="red").reasons == ("top",)


HAIZHOU_STEPS = [
    {"level": "community", "min_attempts": 1, "leader_required": False, "deadline_days": 3},
    {"level": "community", "min_attempts": 2, "leader_required": True, "deadline_days": 7},
    {"level": "street", "min_attempts": 3, "leader_required": True, "deadline_days": 15},
]


def test_after_a_tenants_last_step_the_dispute_goes_to_the_tier_above() -> None:
    above = level_above(["district", "street", "community"], HAIZHOU_STEPS)
    assert above == "district"
    ladder = ladder_from_config(HAIZHOU_STEPS, above)
    assert [r.level for r in ladder] == ["community", "community", "street", "district"]
    three = [AttemptSummary(2, True), AttemptSummary(2, False), AttemptSummary(2, False)]
    assert decide_escalation(ladder, 2, three[:1]).reasons == ("attempts:1/3",)
    assert decide_escalation(ladder, 2, three).target_rung == 3
    assert decide_escalation(ladder, 3, [], risk="red").reasons == ("top",)


def test_a_ladder_ending_at_the_top_tier_has_nothing_above() -> None:
    assert level_above(["street", "community"], HAIZHOU_STEPS) is None
    ladder = ladder_from_config(HAIZHOU_STEPS, None)
    assert len(ladder) == 3
    assert decide_escalation(ladder, 2, [AttemptSummary(2, True)] * 3).reasons == ("top",)


def test_the_most_specific_dispatch_entry_wins() -> None:
    catalog = [{"lead": "justice"}, {"category": "labor", "lead": "hr"},
               {"category": "labor", "level": "town", "lead": "town_hr"}]
    pick = lambda **facts: match_dispatch(catalog, **facts).lead  # noqa: E731
    assert pick(case_type="t", category="labor", level="town") == "town_hr"
    assert pick(case_type="t", category="labor", level="city") == "hr"
    assert pick(case_type="t", category="neighbor", level="city") == "justice"
    assert match_dispatch([{"category": "labor", "lead": "hr"}], case_type="t",
                          category="x", level="y") is None
    assert not must_designate(2) and must_designate(3)
