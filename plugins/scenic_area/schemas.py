"""Per-tenant settings of the scenic area plugin (``[plugins.scenic_area]``).

Tourism complaints are accepted or refused within 5 working days by default (旅游投诉处理办法);
``scenic_spots`` lists the spots whose visitors complain through this window.
"""

from __future__ import annotations

from collections.abc import Sequence

from marshmallow import RAISE, Schema, ValidationError, fields, validate


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    # Each spot will get its own complaint QR code, so a repeated name is a mistake.
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(
            f"Each scenic spot may be listed once; repeated: {', '.join(repeated)}."
        )


class ScenicAreaSettings(Schema):
    """Settings a tenant gives for the scenic area plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; scenic_area takes scenic_spots and acceptance_working_days."
    }

    scenic_spots = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each scenic spot's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["普陀山", "桃花岛"].'},
        metadata={"names": _names("景区景点", "景區景點", "Scenic spots")},
    )
    acceptance_working_days = fields.Integer(
        strict=True,
        load_default=5,
        validate=validate.Range(
            min=1, max=30, error="Give a number of working days from {min} to {max}."
        ),
        error_messages={"invalid": "Give a whole number of working days."},
        metadata={"names": _names("受理期限（工作日）", "受理期限（工作日）",
                                  "Acceptance period (working days)")},
    )
