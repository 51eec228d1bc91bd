"""Schemas of the financial mediation plugin: tenant settings and the details of its case types.

``regulator`` names the supervisor complaints are reported to: the National Financial Regulatory
Administration (banking and insurance, 国家金融监督管理总局), the People's Bank of China (payments,
中国人民银行) or the China Securities Regulatory Commission (securities, 中国证监会).
``complaint_days`` is the banking and insurance complaint period shown on the plugin page (15 days
by default); the clocks themselves are the plugin's deadline rules, adjusted with
``[deadlines.<rule>]``. ``small_claim_limit`` bounds the small-claim fast track and ``stations``
lists the county–town–village network of financial mediation stations (金融纠纷调解工作站).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from core.toolkit import msg


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


#: The regulators a tenant may name, with their display names.
REGULATORS = {
    "nfra": _names("国家金融监督管理总局", "國家金融監督管理總局",
                   "National Financial Regulatory Administration"),
    "pbc": _names("中国人民银行", "中國人民銀行", "People's Bank of China"),
    "csrc": _names("中国证券监督管理委员会", "中國證券監督管理委員會",
                   "China Securities Regulatory Commission"),
}

#: Default bound of the small-claim fast track in yuan: 金发〔2025〕14号 asks for a fast track
#: for small claims without fixing the amount, so this is a local default, not law.
SMALL_CLAIM_LIMIT = 50_000


class StationSchema(Schema):
    """One financial mediation station (金融纠纷调解工作站) at a tier node."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    node = fields.String(
        required=True, validate=validate.Length(min=1, max=64),
        error_messages={"required": "Give the tier node code the station serves."})
    names = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["zh_Hans", "zh_Hant", "en"])),
        values=fields.String(validate=validate.Length(min=1, max=120)), required=True,
        error_messages={"required": "Give the station's names, e.g. {zh_Hans = \"…\"}."})
    department = fields.String(
        load_default="financial_mediation_center", validate=validate.Length(min=1, max=64))
    phone = fields.String(load_default="", validate=validate.Length(max=40))


class FinancialMediationSettings(Schema):
    """Settings a tenant gives for the financial mediation plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; financial_mediation takes regulator, complaint_days, "
        "small_claim_limit and stations."
    }

    regulator = fields.String(
        load_default="nfra",
        validate=validate.OneOf(
            list(REGULATORS), error="Give one of {choices} (got {input!r})."
        ),
        error_messages={"invalid": "Give the regulator's code as text: nfra, pbc or csrc."},
        metadata={"names": _names("监管机构", "監管機構", "Regulator"), "choices": REGULATORS},
    )
    complaint_days = fields.Integer(
        strict=True,
        load_default=15,
        validate=validate.Range(min=1, max=60, error="Give a number of days from {min} to {max}."),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("投诉处理期限（日）", "投訴處理期限（日）",
                                  "Complaint handling period (days)")},
    )
    small_claim_limit = fields.Integer(
        strict=True,
        load_default=SMALL_CLAIM_LIMIT,
        validate=validate.Range(min=1, max=10_000_000,
                                error="Give an amount in yuan from {min} to {max}."),
        error_messages={"invalid": "Give a whole number of yuan."},
        metadata={"names": _names("小额纠纷快速通道上限（元）", "小額糾紛快速通道上限（元）",
                                  "Small-claim fast track limit (yuan)")},
    )
    stations = fields.List(
        fields.Nested(StationSchema), load_default=list,
        metadata={"names": _names("金融纠纷调解工作站", "金融糾紛調解工作站",
                                  "Financial mediation stations")},
    )


# --- case details -----------------------------------------------------------------------------

#: Kinds of financial institution, with labels for forms.
INSTITUTION_TYPES = {
    "bank": _names("银行", "銀行", "Bank"),
    "insurance": _names("保险", "保險", "Insurance"),
    "securities": _names("证券期货", "證券期貨", "Securities and futures"),
    "payment": _names("支付机构", "支付機構", "Payment institution"),
    "lending": _names("小额贷款、消费金融等借贷机构", "小額貸款、消費金融等借貸機構",
                      "Lending (microcredit, consumer finance)"),
}

#: Institutions the banking and insurance complaint rules apply to.
BANKING_AND_INSURANCE = frozenset({"bank", "insurance"})


class FinancialDisputeDetails(Schema):
    """A financial consumer's dispute: which institution, which product, arbitration agreed."""

    institution_type = fields.String(
        required=True,
        validate=validate.OneOf(list(INSTITUTION_TYPES),
                                error=msg("Choose one of the listed values.")),
        error_messages={"required": msg("Choose the kind of financial institution.")},
        metadata={"names": _names("机构类型", "機構類型", "Kind of institution"),
                  "choices": INSTITUTION_TYPES})
    institution = fields.String(
        required=True, validate=validate.Length(min=1, max=120),
        error_messages={"required": msg("Name the financial institution.")},
        metadata={"names": _names("金融机构", "金融機構", "Institution")})
    product = fields.String(
        required=True, validate=validate.Length(min=1, max=120),
        error_messages={"required": msg("Name the product (credit card, wealth management, "
                                        "car insurance, …).")},
        metadata={"names": _names("产品或服务", "產品或服務", "Product or service")})
    arbitration_agreement = fields.Boolean(
        load_default=False,
        metadata={"names": _names("已达成仲裁协议", "已達成仲裁協議",
                                  "The parties agreed to arbitration")})


def station_names(station: dict[str, Any]) -> dict[str, str]:
    """A station's names by locale (zh_Hans first)."""
    return dict(station.get("names") or {})
