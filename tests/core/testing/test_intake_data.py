"""``intake_data`` and ``CaseType.example_intake``: a type's example intake beyond its details."""

from __future__ import annotations

import pytest

from core.casetypes import CaseType
from core.testing.tenants import intake_data

NAMES = {"zh_Hans": "示例", "zh_Hant": "示例", "en": "Example"}


def test_a_code_gives_the_generic_intake_as_before():
    data = intake_data("general_dispute", "t1", details={"a": 1}, title="x")
    assert data["case_type"] == "general_dispute" and data["details"] == {"a": 1}
    assert [p["role"] for p in data["parties"]] == ["applicant", "respondent"]
    assert data["title"] == "x" and "amount" not in data


def test_a_type_brings_its_example_details_and_intake_fields():
    parties = [{"role": "applicant", "name": "王小明", "minor": True}]
    case_type = CaseType("kid", NAMES, example={"school": "s"},
                         example_intake={"parties": parties, "amount": "10"})
    data = intake_data(case_type, "t1")
    assert data["case_type"] == "kid" and data["details"] == {"school": "s"}
    assert data["parties"] == parties and data["amount"] == "10"
    data["parties"][0]["name"] = "changed"  # a copy: the declaration stays as declared
    assert case_type.example_intake["parties"][0]["name"] == "王小明"
    explicit = intake_data(case_type, "t1", details={"school": "t"}, amount="20")
    assert explicit["details"] == {"school": "t"} and explicit["amount"] == "20"


def test_example_intake_cannot_hold_details_or_the_type():
    with pytest.raises(ValueError, match="details"):
        CaseType("bad", NAMES, example_intake={"details": {}})


def test_types_without_example_intake_compare_and_hash_as_before():
    assert CaseType("a", NAMES) == CaseType("a", NAMES, example_intake={"amount": "1"})
    assert hash(CaseType("a", NAMES)) == hash(CaseType("a", NAMES, example_intake={"x": 1}))
