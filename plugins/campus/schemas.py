"""Per-tenant settings of the campus plugin (``[plugins.campus]``).

``schools`` lists the schools whose disputes come through the campus window;
``notify_education_bureau`` says whether the education bureau is told of each new campus case
(the notification itself arrives with the domain rules of issue 6).
"""

from __future__ import annotations

from collections.abc import Sequence

from marshmallow import RAISE, Schema, ValidationError, fields, validate


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(f"Each school may be listed once; repeated: {', '.join(repeated)}.")


class CampusSettings(Schema):
    """Settings a tenant gives for the campus plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; campus takes schools and notify_education_bureau."
    }

    schools = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each school's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["舟山中学"].'},
        metadata={"names": _names("学校", "學校", "Schools")},
    )
    notify_education_bureau = fields.Boolean(
        load_default=True,
        # Strings such as "no" or "off" are refused: in a configuration file they are more
        # likely a slip than a choice, so only TOML's true and false are taken.
        truthy={True},
        falsy={False},
        error_messages={"invalid": "Give true or false."},
        metadata={"names": _names("通报教育局", "通報教育局", "Notify the education bureau")},
    )
