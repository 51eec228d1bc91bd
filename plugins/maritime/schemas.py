"""Per-tenant settings of the maritime plugin (``[plugins.maritime]``).

``ports`` lists the fishing ports and harbours the window serves; ``fishery_mediation`` says
whether fishery disputes go to the fishery dispute mediation committee (渔事纠纷调解委员会); the
routing that reads it arrives with the domain rules of issue 6.
"""

from __future__ import annotations

from collections.abc import Sequence

from marshmallow import RAISE, Schema, ValidationError, fields, validate


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(f"Each port may be listed once; repeated: {', '.join(repeated)}.")


class MaritimeSettings(Schema):
    """Settings a tenant gives for the maritime plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {"unknown": "Unknown setting; maritime takes ports and fishery_mediation."}

    ports = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each port's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["沈家门渔港"].'},
        metadata={"names": _names("港口", "港口", "Ports")},
    )
    fishery_mediation = fields.Boolean(
        load_default=True,
        # Strings such as "no" or "off" are refused: in a configuration file they are more
        # likely a slip than a choice, so only TOML's true and false are taken.
        truthy={True},
        falsy={False},
        error_messages={"invalid": "Give true or false."},
        metadata={"names": _names("渔事纠纷调解", "漁事糾紛調解", "Fishery dispute mediation")},
    )
