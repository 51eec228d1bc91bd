"""Tourist satisfaction, and a tenant without the plugin sees none of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import cases, indicators
from core.models import Case, Evaluation
from tests.plugins.scenic_area.conftest import NAME


def _evaluate(site, code: str, rating: str, slug: str = "on") -> None:
    # The indicator counts evaluations; how a case gets to be evaluated is core's business.
    with site.database.transaction(site.tenant(slug).id) as session:
        case_id = session.scalar(select(Case.id).where(Case.code == code))
        session.add(Evaluation(case_id=case_id, rating=rating, channel="online",
                               recorded_by="test"))


def test_tourist_satisfaction_counts_satisfied_evaluations_of_scenic_cases_only(site) -> None:
    for rating in ("satisfied", "basically_satisfied", "unsatisfied"):
        _evaluate(site, site.register().code, rating)
    other = site.register(case_type="general_dispute", category="neighbor", details={})
    _evaluate(site, other.code, "unsatisfied")
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        figure = indicators.compute(session, tenant)["tourist_satisfaction"]
    assert (figure.numerator, figure.denominator) == (2, 3)
    definition = indicators.definitions(tenant)["tourist_satisfaction"]
    assert definition.name("zh_Hans") == "游客满意率"
    assert definition.name("zh_Hant") == "遊客滿意率"


def test_a_tenant_without_the_plugin_has_none_of_its_types_rules_pages_or_indicator(site):
    off = site.tenant("off")
    assert not {"tourism_complaint", "scenic_emergency"} & set(cases.case_types(off))
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register("off")
    assert list(refused.value.fields) == ["case_type"]
    assert "scenic_response" not in cases.deadline_rules(off)
    assert "tourist_satisfaction" not in indicators.definitions(off)
    with site.database.transaction(off.id) as session:
        assert "tourist_satisfaction" not in indicators.compute(session, off).figures
    client = site.app.test_client()
    for page in ("", "qr", "emergency"):
        assert client.get(f"/off/plugins/{NAME}/{page}").status_code == 404
    # The portal link of "on" does not prefill anything for "off".
    html = client.get("/off/portal/submit?case_type=tourism_complaint"
                      "&detail.scenic_spot=x").get_data(as_text=True)
    assert 'value="tourism_complaint"' not in html and 'name="detail.' not in html


def test_one_tenants_scenic_cases_are_invisible_to_the_other(site) -> None:
    code = site.register().code
    with site.database.transaction(site.tenant("off").id) as session:
        assert session.scalar(select(Case).where(Case.code == code)) is None
        assert session.scalars(select(Evaluation)).all() == []
