"""Per-tenant settings of the financial mediation plugin (``[plugins.financial_mediation]``).

``regulator`` names the supervisor complaints are reported to: the National Financial Regulatory
Administration (banking and insurance, 国家金融监督管理总局), the People's Bank of China (payments,
中国人民银行) or the China Securities Regulatory Commission (securities, 中国证监会). Banking and
insurance complaints are answered within 15 days by default.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


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


class FinancialMediationSettings(Schema):
    """Settings a tenant gives for the financial mediation plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; financial_mediation takes regulator and complaint_days."
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
