"""海事渔事矛盾化解率: core's resolution rate over the maritime case types, only where enabled."""

from __future__ import annotations

from sqlalchemy import select, update

from core import indicators
from core.models import Case
from core.testing.web import sign_in
from tests.plugins.maritime.conftest import NOW, PASSWORD


def _set(site, code: str, status: str, *, accepted: bool = True, resolved: bool = False,
         slug: str = "on") -> None:
    # How a case gets accepted and resolved is core's business (tests/core/test_cases.py);
    # the indicator only reads the outcome.
    with site.database.transaction(site.tenant(slug).id) as session:
        session.execute(update(Case).where(Case.code == code).values(
            status=status, accepted_at=NOW if accepted else None,
            resolved_at=NOW if resolved else None))


def test_it_is_resolved_over_accepted_of_the_maritime_case_types_only(site) -> None:
    _set(site, site.register().code, "resolved", resolved=True)
    _set(site, site.register().code, "archived", resolved=True)
    _set(site, site.register().code, "in_mediation")
    _set(site, site.register().code, "registered", accepted=False)  # not in the denominator
    other = site.register(case_type="general_dispute", category="neighbor", details={},
                          latitude=None, longitude=None)
    _set(site, other.code, "in_mediation")  # a core case type: not in the figure
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        figure = indicators.compute(session, tenant)["maritime_resolution_rate"]
    assert (figure.numerator, figure.denominator) == (2, 3)
    definition = indicators.definitions(tenant)["maritime_resolution_rate"]
    assert definition.name("zh_Hans") == "海事渔事矛盾化解率"
    assert definition.name("zh_Hant") == "海事漁事矛盾化解率"
    assert definition.name("en") == "Maritime and fishery resolution rate"


def test_a_tenant_without_the_plugin_has_no_such_indicator(site) -> None:
    site.register()
    off = site.tenant("off")
    assert "maritime_resolution_rate" not in indicators.definitions(off)
    with site.database.transaction(off.id) as session:
        assert "maritime_resolution_rate" not in indicators.compute(session, off).figures
        assert session.scalars(select(Case)).all() == []


def test_the_dashboard_shows_it_with_its_definition(site) -> None:
    _set(site, site.register().code, "resolved", resolved=True)
    site.staff(role="leader")
    client = site.app.test_client()
    sign_in(client, "on", "duty", PASSWORD)
    html = client.get("/on/dashboard/?lang=zh_Hans").get_data(as_text=True)
    assert "海事渔事矛盾化解率" in html
