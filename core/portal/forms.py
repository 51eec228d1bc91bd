"""The portal's forms as data: what was typed, the intake it becomes, the errors it gets.

The case service validates (phones, ID numbers, lengths, the node, the case type); the forms
only add what a service call cannot know — that the citizen gave a phone and agreed to the
processing of their data — and turn the service's field paths into the form's fields.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from marshmallow import EXCLUDE, ValidationError

from core.cases import IntakeSchema
from core.cases.errors import flatten_messages
from core.portal.helpers import field_errors

#: The fields of the citizen's form, kept and shown again after an error (never the honeypot).
CITIZEN_FIELDS = ("case_type", "title", "description", "location_node", "address", "name",
                  "phone", "id_number", "other_name", "consent", "form_key")
#: The grid worker's form.
GRID_FIELDS = ("case_type", "title", "description", "location_node", "address",
               "people_involved", "is_group", "applicant_name", "applicant_phone",
               "respondent_name", "respondent_phone", "form_key")
#: The honeypot: a field people never see (hidden by portal.css) and bots fill in.
HONEYPOT = "website"
_FORM_KEY = re.compile(r"^[0-9a-f]{32}$")
#: ``detail.<name>`` fields: details a link fills in (a scenic spot's complaint QR code).
_DETAIL = re.compile(r"^detail\.([a-z][a-z0-9_]{0,40})$")
MAX_PREFILLED_DETAILS = 8
_SCHEMA = IntakeSchema()


def new_form_key() -> str:
    """A random key for one filled-in form: a resent form registers its case only once."""
    return secrets.token_hex(16)


def typed(form: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """What the person typed in the fields ``names``, trimmed."""
    return {name: (form.get(name) or "").strip() for name in names}


def _idempotency_key(prefix: str, values: Mapping[str, str]) -> str | None:
    key = values.get("form_key", "")
    return f"{prefix}:{key}" if _FORM_KEY.match(key) else None


def prefilled_details(form: Mapping[str, str]) -> dict[str, str]:
    """The ``detail.<name>`` values of a link or form: details of the case type it prefills.

    A plugin's link (``?case_type=tourism_complaint&detail.scenic_spot=普陀山``) opens the form
    with them; the case type's schema validates them at intake like any other details.
    """
    found: dict[str, str] = {}
    for key, value in form.items():
        match = _DETAIL.match(key)
        if match and (value or "").strip() and len(found) < MAX_PREFILLED_DETAILS:
            found[match[1]] = value.strip()[:200]
    return found


def citizen_intake(values: Mapping[str, str],
                   details: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The intake a citizen's form asks for: channel ``online``, the applicant, the other party,
    and the details a prefilled link gave."""
    parties: list[dict[str, Any]] = [{
        "role": "applicant", "kind": "person", "name": values["name"],
        "phone": values["phone"] or None, "id_number": values["id_number"] or None,
    }]
    if values["other_name"]:
        parties.append({"role": "respondent", "kind": "person", "name": values["other_name"]})
    return {
        "case_type": values["case_type"], "channel": "online", "title": values["title"],
        "description": values["description"], "location_node": values["location_node"],
        "address": values["address"], "parties": parties, "details": dict(details or {}),
        "idempotency_key": _idempotency_key("portal", values),
    }


def grid_intake(values: Mapping[str, str]) -> dict[str, Any]:
    """The intake of a grid worker's report: channel ``grid_report``, the parties named."""
    parties: list[dict[str, Any]] = [{
        "role": "applicant", "kind": "person", "name": values["applicant_name"],
        "phone": values["applicant_phone"] or None,
    }]
    if values["respondent_name"]:
        parties.append({"role": "respondent", "kind": "person",
                        "name": values["respondent_name"],
                        "phone": values["respondent_phone"] or None})
    return {
        "case_type": values["case_type"], "channel": "grid_report", "title": values["title"],
        "description": values["description"], "location_node": values["location_node"],
        "address": values["address"], "parties": parties,
        "people_involved": values["people_involved"] or 1,
        "is_group": values["is_group"] == "1",
        "idempotency_key": _idempotency_key("grid", values),
    }


def schema_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The intake schema's own errors (formats, lengths) without registering anything."""
    try:
        _SCHEMA.load(dict(data), unknown=EXCLUDE)
    except ValidationError as exc:
        return flatten_messages(exc.messages)
    return {}


CITIZEN_NAMES = {
    "parties.0.name": "name", "parties.0.phone": "phone", "parties.0.id_number": "id_number",
    "parties.1.name": "other_name",
}
GRID_NAMES = {
    "parties.0.name": "applicant_name", "parties.0.phone": "applicant_phone",
    "parties.1.name": "respondent_name", "parties.1.phone": "respondent_phone",
}


def _phone_message() -> str:
    return gettext("Enter a mobile number of 11 digits, or a landline number with its "
                   "area code.")


def citizen_messages() -> dict[str, str]:
    """Plain-words messages for the citizen's fields, in the reader's language."""
    return {
        "case_type": gettext("Choose what kind of matter this is."),
        "title": gettext("Say in a few words what happened (at most 200 characters)."),
        "description": gettext("The account is too long (at most 20,000 characters)."),
        "location_node": gettext("Choose where it happened."),
        "address": gettext("The address is too long (at most 300 characters)."),
        "name": gettext("Enter your name (at most 120 characters)."),
        "phone": _phone_message(),
        "id_number": gettext("This ID number is not valid: check its 18 characters."),
        "other_name": gettext("The other party's name is too long (at most 120 characters)."),
    }


def grid_messages() -> dict[str, str]:
    """Messages for the grid worker's fields, in the reader's language."""
    return {
        "case_type": gettext("Choose what kind of matter this is."),
        "title": gettext("Say in a few words what happened (at most 200 characters)."),
        "description": gettext("The account is too long (at most 20,000 characters)."),
        "location_node": gettext("Choose a place inside the area you work for."),
        "address": gettext("The address is too long (at most 300 characters)."),
        "people_involved": gettext("Enter how many people are involved (a whole number "
                                   "from 1)."),
        "applicant_name": gettext("Enter the applicant's name (at most 120 characters)."),
        "applicant_phone": _phone_message(),
        "respondent_name": gettext("The name is too long (at most 120 characters)."),
        "respondent_phone": _phone_message(),
    }


def citizen_errors(values: Mapping[str, str], service: Mapping[str, list[str]]
                   ) -> dict[str, list[str]]:
    """Every error of the citizen's form: the service's, the phone and the consent."""
    errors = field_errors(service, CITIZEN_NAMES, citizen_messages())
    if not values["phone"]:
        errors["phone"] = [gettext("Enter your phone number: you need it to track the case.")]
    if values["consent"] != "1":
        errors["consent"] = [gettext("To submit online, agree to the use of your data for "
                                     "handling this case.")]
    return _ordered(errors, CITIZEN_FIELDS)


def grid_errors(values: Mapping[str, str], service: Mapping[str, list[str]]
                ) -> dict[str, list[str]]:
    """Every error of the grid worker's form: the service's and the applicant's phone."""
    errors = field_errors(service, GRID_NAMES, grid_messages())
    if not values["applicant_phone"]:
        errors["applicant_phone"] = [gettext("Enter the applicant's phone number.")]
    if values["respondent_phone"] and not values["respondent_name"]:
        errors["respondent_name"] = [gettext("Name the party whose phone you entered.")]
    return _ordered(errors, GRID_FIELDS)


def _ordered(errors: dict[str, list[str]], order: tuple[str, ...]) -> dict[str, list[str]]:
    # The summary lists errors in the order of the fields on the page.
    rank = {name: index for index, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], -1)))
