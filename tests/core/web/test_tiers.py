"""The tier browser: roots, a node with its ancestors and children, isolation, pagination."""

from __future__ import annotations

import re

from core.tiers import NodeRow, levels_by_code, plan_tree, sync_tree
from core.web.tiers import PAGE_SIZE

ROWS_PATTERN = re.compile(r'<th scope="row"><a href="/alpha/tiers/\?node=([^"]+)"')


def _children(html: str) -> list[str]:
    return ROWS_PATTERN.findall(html)


def test_roots_then_node_with_ancestors_and_children(site):
    site.tenant("alpha")
    status, html = site.page("/alpha/tiers/?lang=en")
    assert status == 200
    assert _children(html) == ["alpha-root"]
    assert '<td class="num">2</td>' in html  # alpha-c1 and alpha-t1 below the root

    status, html = site.page("/alpha/tiers/?node=alpha-c1&lang=en")
    assert status == 200
    start = html.index('class="breadcrumb"')
    breadcrumb = html[start:html.index("</nav>", start)]
    assert 'href="/alpha/tiers/?node=alpha-root"' in breadcrumb
    assert '<li aria-current="page">county 1</li>' in breadcrumb
    assert _children(html) == ["alpha-t1"]
    assert "<dt>All nodes below</dt><dd>1</dd>" in html

    status, html = site.page("/alpha/tiers/?node=alpha-t1&lang=en")
    assert _children(html) == []
    assert "This node has no children." in html


def test_a_child_of_another_tenant_never_shows(site):
    site.tenant("alpha")
    # Beta reuses alpha's root code, so its paths fall inside alpha's path ranges.
    site.tenant("beta", nodes=[
        NodeRow(code="alpha-root", level="city", name="beta city"),
        NodeRow(code="beta-intruder", level="county", name="intruder", parent="alpha-root"),
        NodeRow(code="beta-deep", level="town", name="deep", parent="beta-intruder"),
    ])
    status, html = site.page("/alpha/tiers/?node=alpha-root&lang=en")
    assert status == 200
    assert "intruder" not in html and "beta" not in html
    assert _children(html) == ["alpha-c1"]
    assert '<td class="num">1</td>' in html  # alpha-c1 has one node below it, not two
    roots = site.page("/alpha/tiers/?lang=en")[1]
    assert '<td class="num">2</td>' in roots
    assert site.page("/alpha/tiers/?node=beta-intruder")[0] == 404


def test_unknown_node_and_bad_pages_are_404(site):
    site.tenant("alpha")
    status, html = site.page("/alpha/tiers/?node=nope&lang=en")
    assert status == 404
    assert "There is no tier node with this code." in html
    assert site.page("/alpha/tiers/?node=" + "x" * 300)[0] == 404
    assert site.page("/alpha/tiers/?page=0")[0] == 404
    assert site.page("/alpha/tiers/?page=abc")[0] == 404
    assert site.page("/alpha/tiers/?page=2")[0] == 404


def test_children_are_paginated(site):
    tenant_id = site.tenant("alpha")
    extra = PAGE_SIZE + 7
    with site.database.transaction(tenant_id) as session:
        levels = levels_by_code(session)
        ranks = {code: level.rank for code, level in levels.items()}
        rows = [
            NodeRow(code="alpha-root", level="city", name="alpha city"),
            NodeRow(code="alpha-c1", level="county", name="county 1", parent="alpha-root"),
            NodeRow(code="alpha-t1", level="town", name="town 1", parent="alpha-c1"),
        ] + [NodeRow(code=f"v{i}", level="village", name=f"village {i}", parent="alpha-t1")
             for i in range(extra)]
        sync_tree(session, plan_tree(rows, ranks), levels)
    first = site.page("/alpha/tiers/?node=alpha-t1&lang=en")[1]
    assert len(_children(first)) == PAGE_SIZE
    assert f"<dt>All nodes below</dt><dd>{extra}</dd>" in first
    assert _children(first)[:3] == ["v0", "v1", "v2"]  # v2 before v10
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = site.page("/alpha/tiers/?node=alpha-t1&page=2&lang=en")[1]
    assert len(_children(second)) == 7
    assert 'rel="prev"' in second
    prev = re.search(r'href="([^"]+)" rel="prev"', second).group(1)
    assert "node=alpha-t1" in prev and "page=1" in prev
    # The county's count of nodes below covers the whole subtree.
    root = site.page("/alpha/tiers/?node=alpha-root&lang=en")[1]
    assert f'<td class="num">{extra + 1}</td>' in root
    assert f"<dt>All nodes below</dt><dd>{extra + 2}</dd>" in root


def test_node_page_links_its_center(site):
    site.tenant("alpha")
    html = site.page("/alpha/tiers/?node=alpha-root&lang=en")[1]
    assert 'href="/alpha/centers/alpha-center"' in html
