"""Names come from tenant configuration and data: they are always escaped."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Center, TierNode

EVIL = '<script>alert("x")</script>'


def test_tenant_center_node_and_department_names_are_escaped(site):
    tenant_id = site.tenant("alpha", config={
        "names": {"zh_Hans": EVIL, "en": EVIL},
        "motto": {"zh_Hans": EVIL},
        "branding": {"hotline": '"><script>alert(1)</script>'},
    })
    with site.database.transaction(tenant_id) as session:
        center = session.scalar(select(Center))
        center.names = {"zh_Hans": EVIL}
        center.address = EVIL
        node = session.scalar(select(TierNode).where(TierNode.code == "alpha-c1"))
        node.name = EVIL
    site.station(tenant_id, "alpha-center", "evil", names={"zh_Hans": EVIL},
                 schedule={"days": [EVIL], "hours": EVIL, "note": EVIL})
    for path in ("/", "/alpha/", "/alpha/tiers/?node=alpha-root", "/alpha/tiers/?node=alpha-c1",
                 "/alpha/centers/", "/alpha/centers/alpha-center", "/alpha/nothing"):
        status, html = site.page(path)
        assert status in (200, 404), path
        assert "<script" not in html, path
        assert "&lt;script&gt;" in html, path


def test_query_values_are_escaped_in_the_search_box_and_language_links(site):
    site.tenant("alpha")
    status, html = site.page('/alpha/tiers/?node="><script>alert(1)</script>')
    assert status == 404
    assert "<script" not in html
