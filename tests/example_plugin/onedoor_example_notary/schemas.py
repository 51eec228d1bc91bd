"""Marshmallow schemas of the notary plugin: the tenant's settings and an application's details."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

#: The notarial matters (公证事项) an application may be about, with their names.
MATTERS = {
    "inheritance": {"zh_Hans": "继承", "zh_Hant": "繼承", "en": "Inheritance"},
    "contract": {"zh_Hans": "合同", "zh_Hant": "合同", "en": "Contract"},
    "power_of_attorney": {"zh_Hans": "委托书", "zh_Hant": "委託書", "en": "Power of attorney"},
    "preservation_of_evidence": {"zh_Hans": "保全证据", "zh_Hant": "保全證據",
                                 "en": "Preservation of evidence"},
}


class Settings(Schema):
    """``[plugins.example_notary]`` of a tenant.toml."""

    class Meta:
        """Refuse unknown keys."""

        unknown = RAISE  # a misspelt key is an error, not silently ignored

    office = fields.String(
        load_default="公证处", validate=validate.Length(min=1, max=80),
        metadata={"names": {"zh_Hans": "公证机构", "zh_Hant": "公證機構",
                            "en": "Notary office"}})


class Details(Schema):
    """What a notarization application carries besides core's fields."""

    class Meta:
        """Refuse unknown keys."""

        unknown = RAISE

    matter = fields.String(
        required=True, validate=validate.OneOf(sorted(MATTERS)),
        metadata={"names": {"zh_Hans": "公证事项", "zh_Hant": "公證事項", "en": "Matter"},
                  "choices": MATTERS})
    documents = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(min=0, max=200),
        metadata={"names": {"zh_Hans": "提交材料份数", "zh_Hant": "提交材料份數",
                            "en": "Documents submitted"}})
