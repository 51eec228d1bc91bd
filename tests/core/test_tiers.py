"""The tier tree: planning refuses bad trees, subtree queries are exact, moves stay consistent."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.db import Database
from core.models import Center, TierLevel, TierNode
from core.tiers import (
    DEFAULT_LEVELS,
    NodeRow,
    TierError,
    ancestors_query,
    check_levels,
    current_rows,
    diff_tree,
    get_node,
    levels_by_code,
    move_node,
    plan_tree,
    read_csv,
    subtree_bounds,
    subtree_ids,
    subtree_query,
    sync_levels,
    sync_tree,
    write_csv,
)
from tests.factories import make_tenant

RANKS = {code: rank for rank, code in enumerate(DEFAULT_LEVELS)}


def node(code: str, level: str, parent: str = "", name: str = "") -> NodeRow:
    return NodeRow(code=code, level=level, name=name or f"node {code}", parent=parent)


# --- planning (pure) ---------------------------------------------------------------------


def test_plan_tree_computes_paths_and_depths_parents_first() -> None:
    rows = [node("v1", "village", "t1"), node("t1", "town", "c1"), node("c1", "county", "r"),
            node("r", "city")]
    planned = plan_tree(rows, RANKS)
    assert [p.row.code for p in planned] == ["r", "c1", "t1", "v1"]
    assert {p.row.code: (p.path, p.depth) for p in planned} == {
        "r": ("/r/", 0), "c1": ("/r/c1/", 1), "t1": ("/r/c1/t1/", 2), "v1": ("/r/c1/t1/v1/", 3),
    }


@pytest.mark.parametrize(
    ("rows", "field", "row", "message"),
    [
        ([node("r", "city"), node("a", "county", "r"), node("a", "county", "r")],
         "code", 3, "duplicate node code 'a'"),
        ([node("r", "city"), node("a", "county", "nowhere")], "parent", 2, "unknown parent"),
        ([node("r", "city"), node("a", "province", "r")], "level", 2, "unknown level"),
        ([node("r", "city"), node("a", "county", "b"), node("b", "town", "a")],
         "parent", 2, "cycle: a → b → a"),
        ([node("a", "county", "a")], "parent", 1, "cycle: a → a"),
        ([node("r", "city"), node("a", "city", "r")], "level", 2, "must be at a level below"),
        ([node("r", "town"), node("a", "county", "r")], "level", 2, "must be at a level below"),
        ([node("r", "city"), node("a/b", "county", "r")], "code", 2, "invalid node code"),
        ([node("r", "city"), node("", "county", "r")], "code", 2, "invalid node code"),
        ([NodeRow(code="r", level="city", name="  ")], "name", 1, "has no name"),
    ],
    ids=["duplicate", "unknown-parent", "unknown-level", "cycle", "self-cycle", "same-level",
         "level-above", "slash-in-code", "empty-code", "empty-name"],
)
def test_plan_tree_refuses_bad_trees(rows, field, row, message) -> None:
    with pytest.raises(TierError, match=message) as caught:
        plan_tree(rows, RANKS)
    assert (caught.value.field, caught.value.row) == (field, row)


def test_a_tenant_declares_three_to_six_levels() -> None:
    for count in (3, 4, 5, 6):
        check_levels(DEFAULT_LEVELS[:count])
    for levels in (DEFAULT_LEVELS[:2], (*DEFAULT_LEVELS, "household"), ()):
        with pytest.raises(TierError, match="3 to 6 tier levels") as caught:
            check_levels(levels)
        assert caught.value.field == "tiers.levels"
    with pytest.raises(TierError, match="declared twice") as caught:
        check_levels(("city", "county", "city"))
    assert caught.value.field == "tiers.levels[2].code"


def test_subtree_bounds_are_a_half_open_range_that_no_sibling_enters() -> None:
    lo, hi = subtree_bounds("/r/1/")
    assert (lo, hi) == ("/r/1/", "/r/10")
    inside = ["/r/1/", "/r/1/x/", "/r/1/10/", "/r/1/-/"]
    outside = ["/r/10/", "/r/1-2/", "/r/1.5/", "/r/1_/", "/r/0/", "/r/", "/r/2/"]
    assert all(lo <= p < hi for p in inside)
    assert not any(lo <= p < hi for p in outside)
    with pytest.raises(ValueError):
        subtree_bounds("/r/1")


def test_csv_round_trip_and_errors_name_the_row() -> None:
    rows = [node("r", "city", name="舟山市"),
            NodeRow(code="c1", level="county", name="定海区", parent="r",
                    names={"en": "Dinghai", "zh_Hant": "定海區"})]
    parsed = read_csv(io.StringIO(write_csv(rows)))
    assert [(r.code, r.parent, r.level, r.name, dict(r.names)) for r in parsed] == [
        ("r", "", "city", "舟山市", {}),
        ("c1", "r", "county", "定海区", {"zh_Hant": "定海區", "en": "Dinghai"}),
    ]
    assert [r.row for r in parsed] == [1, 2]
    bad = ("code,parent,level,name\n"
           "r,,city,Root\n"
           "c1,r,county,One\n"
           "c2,r,county,Two\n"
           "c1,r,county,Again\n")
    with pytest.raises(TierError, match="duplicate") as caught:
        plan_tree(read_csv(io.StringIO(bad)), RANKS)
    assert (caught.value.row, caught.value.field, caught.value.code) == (4, "code", "c1")
    orphan = "code,parent,level,name\nr,,city,Root\nc1,r,county,One\nt1,c9,town,Lost\n"
    with pytest.raises(TierError, match="unknown parent 'c9'") as caught:
        plan_tree(read_csv(io.StringIO(orphan)), RANKS)
    assert caught.value.row == 3
    with pytest.raises(TierError, match="lacks column") as caught:
        read_csv(io.StringIO("code,parent,name\nr,,Root\n"))
    assert caught.value.field == "level"


# --- database ------------------------------------------------------------------------------


def snapshot(session) -> dict[str, tuple[str, str, int, str]]:
    """code → (parent code, path, depth, name) for the session tenant's tree."""
    nodes = session.scalars(select(TierNode)).all()
    by_id = {n.id: n for n in nodes}
    return {n.code: (by_id[n.parent_id].code if n.parent_id else "", n.path, n.depth, n.name)
            for n in nodes}


def assert_consistent(session) -> None:
    """Every path is the parent's path plus the code; depths follow; levels go down."""
    nodes = session.scalars(select(TierNode)).all()
    by_id = {n.id: n for n in nodes}
    for n in nodes:
        parent = by_id.get(n.parent_id)
        if n.parent_id is not None:
            assert parent is not None, n.code
            assert n.level.rank > parent.level.rank, n.code
        assert n.path == f"{parent.path if parent else '/'}{n.code}/", n.code
        assert n.depth == (parent.depth + 1 if parent else 0), n.code


def descendants(session, code: str) -> set[str]:
    """The subtree of ``code`` computed from parent links alone (the reference answer)."""
    children: dict[int | None, list[TierNode]] = {}
    for n in session.scalars(select(TierNode)):
        children.setdefault(n.parent_id, []).append(n)
    root = get_node(session, code)
    found, todo = {root.code}, [root]
    while todo:
        for child in children.get(todo.pop().id, []):
            found.add(child.code)
            todo.append(child)
    return found


PREFIX_TREE = [
    node("r", "city"),
    node("1", "county", "r"), node("10", "county", "r"), node("1-2", "county", "r"),
    node("1.5", "county", "r"), node("11", "county", "r"),
    node("1a", "town", "1"), node("1b", "town", "1"), node("100", "town", "10"),
    node("1a1", "village", "1a"), node("1000", "village", "100"), node("1-2x", "town", "1-2"),
    node("1a1g", "grid", "1a1"), node("1a1gm", "micro_grid", "1a1g"),
]


@pytest.fixture
def prefix_tenants(database: Database) -> tuple[int, int]:
    """Two tenants with the same codes, chosen so that codes are prefixes of each other."""
    return tuple(make_tenant(database, slug, levels=DEFAULT_LEVELS, nodes=PREFIX_TREE)
                 for slug in ("alpha", "beta"))


def test_subtree_query_returns_exactly_the_subtree(database: Database, prefix_tenants) -> None:
    a, _b = prefix_tenants
    with database.transaction(a) as session:
        assert_consistent(session)
        for code in [r.code for r in PREFIX_TREE]:
            root = get_node(session, code)
            expected = descendants(session, code)
            nodes = session.scalars(subtree_query(root)).all()
            assert {n.code for n in nodes} == expected, code
            assert {n.tenant_id for n in nodes} == {a}
            assert [n.path for n in nodes] == sorted(n.path for n in nodes)
            below = session.scalars(subtree_query(root, include_self=False)).all()
            assert {n.code for n in below} == expected - {code}
            assert set(session.scalars(subtree_ids(root))) == {n.id for n in nodes}
        assert {n.code for n in session.scalars(subtree_query(get_node(session, "1")))} == {
            "1", "1a", "1b", "1a1", "1a1g", "1a1gm"}
        deep = get_node(session, "1a1gm")
        assert [n.code for n in session.scalars(ancestors_query(deep))] == [
            "r", "1", "1a", "1a1", "1a1g"]


def test_move_node_moves_the_whole_subtree(database: Database, prefix_tenants) -> None:
    a, b = prefix_tenants
    with database.transaction(b) as session:
        before_b = snapshot(session)
    with database.transaction(a) as session:
        moved = move_node(session, get_node(session, "1a"), get_node(session, "10"))
        assert moved == 4  # 1a, 1a1, 1a1g, 1a1gm
        assert_consistent(session)
        tree = snapshot(session)
        assert tree["1a"][:3] == ("10", "/r/10/1a/", 2)
        assert tree["1a1gm"][1:3] == ("/r/10/1a/1a1/1a1g/1a1gm/", 5)
        assert descendants(session, "10") == {"10", "100", "1000", "1a", "1a1", "1a1g", "1a1gm"}
        assert {n.code for n in session.scalars(subtree_query(get_node(session, "1")))} == {
            "1", "1b"}
        # A village can be moved up to hang directly under the city, and back down.
        move_node(session, get_node(session, "1a1"), get_node(session, "r"))
        assert snapshot(session)["1a1g"][1:3] == ("/r/1a1/1a1g/", 2)
        move_node(session, get_node(session, "1a1"), get_node(session, "1b"))
        assert_consistent(session)
        # A subtree can become a root of its own.
        move_node(session, get_node(session, "1-2"), None)
        assert snapshot(session)["1-2x"][:3] == ("1-2", "/1-2/1-2x/", 1)
        assert_consistent(session)
    with database.transaction(b) as session:
        assert snapshot(session) == before_b


@pytest.mark.parametrize(
    ("code", "new_parent", "message"),
    [
        ("1", "1a1", "inside its own subtree"),
        ("1", "1", "inside its own subtree"),
        ("1a", "1a1gm", "inside its own subtree"),
        ("1a", "1b", "is not above"),       # same level (town under town)
        ("1", "1000", "is not above"),      # a county under a village
    ],
)
def test_move_node_refuses_cycles_and_wrong_levels(database: Database, prefix_tenants, code,
                                                   new_parent, message) -> None:
    a, _b = prefix_tenants
    with database.transaction(a) as session:
        before = snapshot(session)
        with pytest.raises(TierError, match=message) as caught:
            move_node(session, get_node(session, code), get_node(session, new_parent))
        assert caught.value.field == "parent"
        assert snapshot(session) == before


def csv_tree(counties: int = 10, towns: int = 20, villages: int = 99) -> str:
    """City → counties → towns → villages as CSV (20,011 nodes with the defaults)."""
    lines = ["code,parent,level,name,name_en", "330900,,city,舟山市,Zhoushan"]
    for c in range(1, counties + 1):
        county = f"3309{c:02d}"
        lines.append(f"{county},330900,county,县区{c},County {c}")
        for t in range(1, towns + 1):
            town = f"{county}{t:03d}"
            lines.append(f"{town},{county},town,乡镇{t},Town {t}")
            lines.extend(f"{town}{v:03d},{town},village,村{v}," for v in range(1, villages + 1))
    return "\n".join(lines) + "\n"


def load_levels(session, levels=("city", "county", "town", "village")) -> dict[str, TierLevel]:
    sync_levels(session, [{"code": c} for c in levels])
    return levels_by_code(session)


def test_csv_loads_a_20000_node_tree_and_syncs_idempotently(database: Database) -> None:
    tenant = make_tenant(database, "big", nodes=[node("330900", "city", name="舟山市")])
    rows = read_csv(io.StringIO(csv_tree()))
    assert len(rows) == 20_011
    with database.transaction(tenant) as session:
        levels = load_levels(session)
        planned = plan_tree(rows, {c: lv.rank for c, lv in levels.items()})
        diff = sync_tree(session, planned, levels)
    assert (len(diff.added), diff.removed) == (20_010, [])
    assert [(n.row.code, fields) for n, fields in diff.changed] == [("330900", ["names"])]
    with database.transaction(tenant) as session:
        assert session.scalar(select(TierNode).where(TierNode.code == "330901001001")).path == \
            "/330900/330901/330901001/330901001001/"
        county = get_node(session, "330901")
        assert len(session.scalars(subtree_ids(county)).all()) == 1 + 20 + 20 * 99
        assert len(session.scalars(subtree_ids(get_node(session, "330910020"))).all()) == 100
        assert get_node(session, "330901001001").names == {}
        assert get_node(session, "330901").names == {"en": "County 1"}
        # The same CSV again changes nothing.
        again = sync_tree(session, plan_tree(read_csv(io.StringIO(csv_tree())), {
            c: lv.rank for c, lv in levels_by_code(session).items()}), levels_by_code(session))
        assert not again and again.summary() == "+0 ~0 -0 nodes"


def test_sync_tree_handles_moves_renames_removals_and_additions(database: Database) -> None:
    tenant = make_tenant(database, "zs", levels=DEFAULT_LEVELS, nodes=PREFIX_TREE)
    desired = {r.code: r for r in PREFIX_TREE}
    desired["1a"] = node("1a", "town", "10")                      # move a subtree
    desired["1b"] = node("1b", "town", "1", name="renamed")       # rename
    desired["1.5"] = node("1.5", "town", "11")                    # change level and parent
    del desired["1-2x"]                                           # remove a leaf…
    del desired["1-2"]                                            # …and then its parent
    desired["new"] = node("new", "county", "r")                   # add, and move under it
    desired["1000"] = node("1000", "village", "nt")
    desired["nt"] = node("nt", "town", "new")
    desired["ng"] = node("ng", "grid", "1a1")                      # add under a moved node
    with database.transaction(tenant) as session:
        levels = levels_by_code(session)
        plan = plan_tree(list(desired.values()), RANKS)
        diff = sync_tree(session, plan, levels)
        assert sorted(n.row.code for n in diff.added) == ["new", "ng", "nt"]
        assert {n.row.code: fields for n, fields in diff.changed} == {
            "1a": ["parent"], "1b": ["name"], "1.5": ["parent", "level"], "1000": ["parent"]}
        assert diff.removed == ["1-2x", "1-2"]
        assert_consistent(session)
        tree = snapshot(session)
        assert set(tree) == set(desired)
        assert tree["1a1gm"][1] == "/r/10/1a/1a1/1a1g/1a1gm/"
        assert tree["ng"][:2] == ("1a1", "/r/10/1a/1a1/ng/")
        assert tree["1000"][:2] == ("nt", "/r/new/nt/1000/")
        assert tree["1b"][3] == "renamed"
        assert get_node(session, "1.5").level.code == "town"
        assert {(r.code, r.parent, r.level, r.name) for r in current_rows(session)} == {
            (r.code, r.parent, r.level, r.name) for r in desired.values()}
    with database.transaction(tenant) as session:
        assert not sync_tree(session, plan, levels_by_code(session))
        assert not diff_tree(current_rows(session), plan)


def test_removing_a_node_used_by_a_center_fails_and_applies_nothing(database: Database) -> None:
    tenant = make_tenant(database, "zs", levels=DEFAULT_LEVELS, nodes=PREFIX_TREE)
    with database.transaction(tenant) as session:
        before = snapshot(session)
        center_node = session.scalar(select(Center)).node.code
        assert center_node == "r"
        session.add(Center(code="county-center", node_id=get_node(session, "10").id, names={}))
    keep = [r for r in PREFIX_TREE if r.code not in {"10", "100", "1000", "1-2x"}]
    with pytest.raises(TierError, match="still in use") as caught:
        with database.transaction(tenant) as session:
            sync_tree(session, plan_tree(keep, RANKS), levels_by_code(session))
    assert caught.value.field == "tiers.nodes"
    with database.transaction(tenant) as session:
        assert snapshot(session) == before
        # With delete_missing=False the nodes stay and nothing fails.
        diff = sync_tree(session, plan_tree(keep, RANKS), levels_by_code(session),
                         delete_missing=False)
        assert diff.removed == [] and snapshot(session) == before


def test_sync_levels_refuses_too_few_or_too_many(database: Database) -> None:
    tenant = make_tenant(database, "zs")
    for levels in (("city", "county"), (*DEFAULT_LEVELS, "household")):
        with pytest.raises(TierError, match="3 to 6"):
            with database.transaction(tenant) as session:
                sync_levels(session, [{"code": c} for c in levels])
    with database.transaction(tenant) as session:
        assert [lv.code for lv in levels_by_code(session).values()] == [
            "city", "county", "town", "village"]
        # Six levels are fine, and renumber the existing ones.
        sync_levels(session, [{"code": c} for c in ("province", *DEFAULT_LEVELS[:5])])
        assert {c: lv.rank for c, lv in levels_by_code(session).items()} == {
            "province": 0, "city": 1, "county": 2, "town": 3, "village": 4, "grid": 5}
