"""A tenant without the maritime plugin has none of its case types, rules or checks."""

from __future__ import annotations

import pytest

from core import cases
from tests.plugins.maritime.conftest import fishery


def test_a_tenant_without_the_plugin_knows_none_of_its_types_rules_or_checks(site) -> None:
    off = site.tenant("off")
    assert not {"fishery_dispute", "crew_rights", "maritime_commercial"} & set(
        cases.case_types(off))
    assert "fishery_dispute_mediation" not in cases.deadline_rules(off)
    assert not {r.name for r in cases.risk_rules(off)} & {"fishery_collision",
                                                           "crew_group_claim"}
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register("off")
    assert list(refused.value.fields) == ["case_type"]
    # The same position on a general dispute of "off" is no business of the plugin.
    general = site.register("off", **{**fishery("off"), "case_type": "general_dispute",
                                      "category": "neighbor", "details": {},
                                      "latitude": "10", "longitude": "10"})
    assert general.warnings == []
