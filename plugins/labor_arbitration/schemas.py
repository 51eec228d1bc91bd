"""Per-tenant settings of the labor arbitration plugin (``[plugins.labor_arbitration]``).

Defaults follow 劳动争议调解仲裁法: mediation that has not produced an agreement within 15 days
may go to arbitration (Art. 14), and an award is due within 45 days of acceptance (Art. 43).
A tenant may shorten or lengthen them within the bounds below.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


class LaborArbitrationSettings(Schema):
    """Settings a tenant gives for the labor arbitration plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; labor_arbitration takes arbitration_commission, "
        "mediation_days and award_days."
    }

    arbitration_commission = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
        error_messages={
            "required": "Give the name of the local labor dispute arbitration commission "
            "(劳动人事争议仲裁委员会).",
            "invalid": "Give the commission's name as text.",
        },
        metadata={"names": _names("劳动人事争议仲裁委员会", "勞動人事爭議仲裁委員會",
                                  "Arbitration commission")},
    )
    mediation_days = fields.Integer(
        strict=True,
        load_default=15,
        validate=validate.Range(min=1, max=60, error="Give a number of days from {min} to {max}."),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("调解期限（日）", "調解期限（日）", "Mediation period (days)")},
    )
    award_days = fields.Integer(
        strict=True,
        load_default=45,
        validate=validate.Range(min=1, max=90, error="Give a number of days from {min} to {max}."),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("仲裁裁决期限（日）", "仲裁裁決期限（日）",
                                  "Award period (days)")},
    )
