"""My queue: open cases by deadline (nulls last), flags in words, filters, keyset pages, index."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from core.models import Case
from core.web.workbench import queue as queue_module
from tests.core.web.workbench_support import add_staff, build_world, move, sign_in


@pytest.fixture
def world(make_app, database_url):
    """Order, filters and cursors are pinned on SQLite and on PostgreSQL alike."""
    world = build_world(make_app(database_url))
    add_staff(world)
    return world


def _set(world, code, **values):
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case).where(Case.code == code))
        for key, value in values.items():
            setattr(case, key, value)


def _codes(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/alpha/workbench/cases/([^"]+)">', html)


def _three(world):
    now = datetime.now(UTC)
    late, soon, never = (world.create_case(world.alpha, title=t)["code"]
                         for t in ("late", "soon", "never"))
    _set(world, late, due_at=now - timedelta(hours=2), risk="red")
    _set(world, soon, due_at=now + timedelta(days=2))
    _set(world, never, due_at=None)
    return late, soon, never


def test_the_queue_lists_open_cases_nearest_deadline_first_with_no_deadline_last(world):
    late, soon, never = _three(world)
    sign_in(world, "alpha", "alpha-dispatcher")

    html = world.client.get("/alpha/workbench/?lang=en").get_data(as_text=True)

    assert _codes(html) == [late, soon, never]


def test_overdue_and_red_risk_are_flagged_in_words_not_colour_alone(world):
    late, soon, _never = _three(world)
    sign_in(world, "alpha", "alpha-dispatcher")

    html = world.client.get("/alpha/workbench/?lang=en").get_data(as_text=True)
    rows = html.split('<tr class="')[1:]

    late_row = next(r for r in rows if late in r)
    soon_row = next(r for r in rows if soon in r)
    assert "Overdue" in late_row and "Red (major)" in late_row
    assert "row-overdue" in late_row and "row-red" in late_row
    assert "Overdue</span>" not in soon_row and "Red (major)" not in soon_row


def test_filters_by_status_risk_overdue_and_case_type(world):
    late, soon, never = _three(world)
    move(world, soon, "accept")
    sign_in(world, "alpha", "alpha-dispatcher")

    def listed(query: str) -> list[str]:
        return _codes(world.client.get(f"/alpha/workbench/?lang=en&{query}")
                      .get_data(as_text=True))

    assert listed("status=accepted") == [soon]
    assert listed("status=registered") == [late, never]
    assert listed("risk=red") == [late]
    assert listed("overdue=yes") == [late]
    assert listed("overdue=no") == [soon, never]
    assert listed("case_type=petition") == []
    assert listed("case_type=general_dispute") == [late, soon, never]
    # Unknown values are ignored rather than failing the page.
    assert listed("status=bogus&risk=purple") == [late, soon, never]


def test_closed_cases_are_not_in_the_queue(world):
    _late, soon, _never = _three(world)
    move(world, soon, "withdraw", reason="当事人撤回")
    sign_in(world, "alpha", "alpha-dispatcher")

    assert soon not in _codes(world.client.get("/alpha/workbench/").get_data(as_text=True))


def test_pages_follow_a_keyset_cursor_without_repeating_or_skipping(world, monkeypatch):
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 2)
    late, soon, never = _three(world)
    sign_in(world, "alpha", "alpha-dispatcher")

    first = world.client.get("/alpha/workbench/?lang=en").get_data(as_text=True)
    assert _codes(first) == [late, soon]
    next_url = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = world.client.get(next_url).get_data(as_text=True)
    assert _codes(second) == [never]
    assert 'rel="next"' not in second
    # A cursor that is not ours shows the first page with a note.
    bad = world.client.get("/alpha/workbench/?lang=en&cursor=nonsense").get_data(as_text=True)
    assert "not valid any more" in bad and _codes(bad) == [late, soon]


def _queue_statement(world, user="alpha-dispatcher"):
    sign_in(world, "alpha", user)
    statements = []
    engine = world.database.engine

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "UNION ALL" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        world.client.get("/alpha/workbench/")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements[0]


def test_the_node_id_plus_zero_join_is_sqlites_only(world):
    """SQLite's planner trick ("node_id + 0" for a viewer of the whole tree) made PostgreSQL
    loop over every open case at a million cases; PostgreSQL gets the plain join."""
    _three(world)
    statement = _queue_statement(world)
    if world.database.engine.dialect.name == "sqlite":
        assert "node_id + " in statement
    else:
        assert "node_id + " not in statement and "tier_nodes.id = cases.node_id" in statement


def test_each_branch_of_the_queue_query_reads_the_status_due_at_index(world):
    if world.database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    _three(world)
    sign_in(world, "alpha", "alpha-dispatcher")
    statements = []
    engine = world.database.engine

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "UNION ALL" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        world.client.get("/alpha/workbench/")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                          parameters).all()
    details = [row[-1] for row in plan]
    scans = [d for d in details if " cases" in d or d.startswith("SEARCH cases")
             or d.startswith("SCAN cases")]
    assert scans and all("ix_cases_tenant_id_status_due_at" in d for d in scans), details
    # Each branch is read in index order: no sort of all open cases per branch.
    assert not any("USE TEMP B-TREE FOR ORDER BY" in d and "cases" in d for d in details)


def test_the_queue_needs_sign_in(world):
    response = world.client.get("/alpha/workbench/")
    assert response.status_code == 302 and "/alpha/login" in response.headers["Location"]
