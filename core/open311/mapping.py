"""Pure mappings between OneDoor and GeoReport v2 (no Flask, no database).

* a case type is a *service* (:func:`service_of`), its marshmallow details schema the service
  definition's *attributes* (:func:`attributes_of`);
* a POSTed *service request* is an intake body (:func:`intake_of`), a case a service request
  (:func:`request_of`) — without any personal data of its parties;
* OneDoor's statuses collapse to ``open`` / ``closed`` (:func:`open311_status`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from core import pii
from core.casetypes import CaseType
from core.workflow import OPEN_STATES

#: The channel an Open311 request is registered under (CHANNELS: 移动应用 "Mobile app").
CHANNEL = "app"
#: The key of ``details`` holding what Open311 sent beyond the case type's own details.
DETAILS_KEY = "open311"
#: The applicant's name when the client sends neither first_name nor last_name.
ANONYMOUS = "匿名"
TITLE_LENGTH = 60
DESCRIPTION_LIMIT = 4000  # GeoReport: "free form text limited to 4,000 characters"
#: GeoReport's default and largest window of GET requests, and its most results.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
LOCALES = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LOCALE = "zh_Hans"

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


class OpenInputError(ValueError):
    """Bad input from a GeoReport client: ``field`` names the parameter (answered 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- locale ---------------------------------------------------------------------------------


def locale_of(tag: str | None) -> str | None:
    """One of :data:`LOCALES` for a language tag (``en-US``, ``zh-TW``, ``zh_Hant``), or None."""
    if not tag:
        return None
    low = tag.strip().replace("_", "-").lower()
    if low == "en" or low.startswith("en-"):
        return "en"
    if low == "zh" or low.startswith("zh-"):
        parts = set(low.split("-")[1:])
        return "zh_Hant" if parts & {"hant", "tw", "hk", "mo"} else "zh_Hans"
    return None


def choose_locale(param: str | None, accept: list[str]) -> str:
    """``?locale=`` first, then the Accept-Language tags in order, then zh_Hans."""
    for tag in [param, *accept]:
        found = locale_of(tag)
        if found:
            return found
    return DEFAULT_LOCALE


def _localized(names: Mapping[str, str] | None, locale: str) -> str:
    names = names or {}
    return names.get(locale) or names.get(DEFAULT_LOCALE) or ""


# --- case type ↔ service --------------------------------------------------------------------


def service_of(case_type: CaseType, locale: str) -> dict[str, Any]:
    """A case type as a GeoReport service (realtime: the case code is answered at once)."""
    return {
        "service_code": case_type.code,
        "service_name": case_type.name(locale),
        "description": _localized(case_type.description, locale),
        "metadata": case_type.details_schema is not None,
        "type": "realtime",
        "keywords": ", ".join(case_type.keywords),
        "group": case_type.group,
    }


def _choices(field: fields.Field) -> tuple[list[Any], list[str]] | None:
    for validator in _validators(field):
        if isinstance(validator, validate.OneOf | validate.ContainsOnly):
            labels = list(validator.labels) if validator.labels else []
            return list(validator.choices), labels
    return None


def _validators(field: fields.Field) -> list[Any]:
    found: list[Any] = []
    for validator in getattr(field, "validators", []) or []:
        if isinstance(validator, validate.And):
            found.extend(validator.validators)
        else:
            found.append(validator)
    return found


def _values(field: fields.Field, locale: str) -> list[dict[str, str]]:
    choices = _choices(field)
    if choices is None:
        return []
    keys, labels = choices
    names = field.metadata.get("choices") or field.metadata.get("value_names") or {}
    values = []
    for i, key in enumerate(keys):
        localized = names.get(str(key))
        name = (_localized(localized, locale) if isinstance(localized, Mapping) else None) \
            or (labels[i] if i < len(labels) else None) or str(key)
        values.append({"key": str(key), "name": name})
    return values


def datatype_of(field: fields.Field) -> str:
    """The GeoReport datatype of a marshmallow field."""
    if isinstance(field, fields.List):
        return "multivaluelist" if _choices(field.inner) or _choices(field) else "text"
    if _choices(field) is not None or isinstance(field, fields.Boolean):
        return "singlevaluelist"
    if isinstance(field, fields.Number):
        return "number"
    if isinstance(field, fields.DateTime | fields.Date):
        return "datetime"
    if isinstance(field, fields.String):
        longest = max((v.max for v in _validators(field)
                       if isinstance(v, validate.Length) and v.max is not None), default=None)
        return "text" if field.metadata.get("multiline") or (longest or 0) > 200 else "string"
    return "string"


def attributes_of(schema: type[Schema] | None, locale: str) -> list[dict[str, Any]]:
    """The service definition's attributes, one per loadable field, in declaration order."""
    if schema is None:
        return []
    attributes = []
    for name, field in schema().load_fields.items():
        datatype = datatype_of(field)
        if datatype == "multivaluelist":
            values = _values(field.inner, locale) or _values(field, locale)  # type: ignore[attr-defined]
        elif isinstance(field, fields.Boolean) and _choices(field) is None:
            values = [{"key": "true", "name": "true"}, {"key": "false", "name": "false"}]
        else:
            values = _values(field, locale)
        description = _localized(field.metadata.get("names"), locale)
        if not description:
            text = field.metadata.get("description")
            description = _localized(text, locale) if isinstance(text, Mapping) else text or ""
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field.data_key or name,
            "datatype": datatype,
            "required": bool(field.required),
            "datatype_description": None,
            "order": len(attributes) + 1,
            "description": description or name,
        }
        if values:
            attribute["values"] = values
        attributes.append(attribute)
    return attributes


# --- POSTed service request → intake --------------------------------------------------------


def attribute_values(form: Any) -> dict[str, Any]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&…`` as ``{code: v | [v1, …]}``.

    ``form`` is a MultiDict (``getlist``) or a plain mapping of lists or strings.
    """
    found: dict[str, Any] = {}
    for key in list(form.keys()):
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        values = form.getlist(key) if hasattr(form, "getlist") else form[key]
        values = [values] if isinstance(values, str) else list(values)
        values = [v for v in values if v != ""]
        if not values:
            continue
        code = match[1]
        if match[2]:
            found.setdefault(code, [])
            if isinstance(found[code], list):
                found[code].extend(values)
        else:
            found[code] = values[0]
    return found


def _coordinate(form: Mapping[str, Any], name: str, bound: int) -> Decimal | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise OpenInputError(name, "not a number") from exc
    if not value.is_finite() or not -bound <= value <= bound:
        raise OpenInputError(name, f"must lie between -{bound} and {bound}")
    return value.quantize(Decimal("0.000001"))


def applicant_name(first: str, last: str) -> str:
    """``last + first`` for Chinese names (张 + 三 → 张三), ``first last`` otherwise."""
    first, last = first.strip(), last.strip()
    if not first and not last:
        return ANONYMOUS
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def intake_of(form: Mapping[str, Any], attributes: dict[str, Any], case_type: CaseType,
              location_node: str, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The intake body and the Open311 extras (``details["open311"]``) of a POSTed request.

    Raises :class:`OpenInputError` for a missing location or bad coordinates; everything else
    is validated by the case service, whose field names :data:`INTAKE_FIELDS` maps back.
    """
    latitude = _coordinate(form, "lat", 90)
    longitude = _coordinate(form, "long", 180)
    if (latitude is None) != (longitude is None):
        raise OpenInputError("long" if longitude is None else "lat",
                             "lat and long must be sent together")
    address = (form.get("address_string") or "").strip()
    if latitude is None and not address and not (form.get("address_id") or "").strip():
        raise OpenInputError("lat", "send lat and long, address_string or address_id")
    description = (form.get("description") or "").strip()
    if len(description) > DESCRIPTION_LIMIT:
        raise OpenInputError("description", f"at most {DESCRIPTION_LIMIT} characters")
    title = description.splitlines()[0][:TITLE_LENGTH].strip() if description else ""
    applicant: dict[str, Any] = {
        "role": "applicant", "kind": "person",
        "name": applicant_name(form.get("first_name") or "", form.get("last_name") or ""),
    }
    if (form.get("phone") or "").strip():
        applicant["phone"] = form["phone"].strip()
    # The e-mail is the applicant's personal data: encrypted on the party, masked for staff,
    # revealed only through the audited reveal — never kept in the case details.
    if (form.get("email") or "").strip():
        applicant["email"] = form["email"].strip()
    body = {
        "case_type": case_type.code,
        "channel": CHANNEL,
        "title": title or case_type.name(locale),
        "description": description,
        "location_node": location_node,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "details": attributes,
        "parties": [applicant],
    }
    extras = {k: form.get(k).strip() for k in ("device_id", "account_id", "media_url")
              if (form.get(k) or "").strip()}
    return body, extras


#: Intake's field paths → the GeoReport parameter a client sent.
INTAKE_FIELDS = {
    "case_type": "service_code",
    "title": "description",
    "description": "description",
    "location_node": "address_id",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "parties.0.name": "first_name",
    "parties.0.phone": "phone",
    "parties.0.email": "email",
}


def open311_field(path: str) -> str:
    """The GeoReport parameter behind an intake field path (``details.x`` → ``attribute[x]``)."""
    if path.startswith("details."):
        return f"attribute[{path.split('.', 2)[1]}]"
    if path == "details":
        return "attribute"
    return INTAKE_FIELDS.get(path, path)


# --- case → service request -----------------------------------------------------------------


def open311_status(status: str) -> str:
    """``open`` while OneDoor still works on the case (:data:`OPEN_STATES`), else ``closed``.

    Closed covers resolved, closed and archived, and also the cases OneDoor stopped working
    on: not accepted, referred to another legal route, withdrawn and merged as a duplicate.
    """
    return "open" if status in {s.value for s in OPEN_STATES} else "closed"


def scrub(text: str) -> str:
    """Mask mobile numbers and ID numbers a citizen may have typed into a public text."""
    text = _ID_NUMBER.sub(lambda m: pii.mask_id_number(m[0]), text or "")
    return _MOBILE.sub(lambda m: pii.mask_phone(m[0]), text)


def aware(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """``moment`` in ``tz`` (SQLite gives naive datetimes; every stored moment is UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        from datetime import UTC  # noqa: PLC0415

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def w3c(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the tenant's offset, to the second: ``2026-05-04T09:30:00+08:00``."""
    local = aware(moment, tz)
    return local.isoformat(timespec="seconds") if local is not None else None


def parse_w3c(name: str, raw: str | None, tz: ZoneInfo) -> datetime | None:
    """A W3C-note date or datetime; without an offset it is read in the tenant's zone."""
    raw = (raw or "").strip()
    if not raw:
        return None
    # A "+" left unescaped in a query string arrives as a space: "…T00:00:00 08:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(), tz)
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError as exc:
        raise OpenInputError(name, "not a W3C datetime such as 2026-01-01T00:00:00+08:00") \
            from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def date_window(start: datetime | None, end: datetime | None,
                now: datetime) -> tuple[datetime, datetime]:
    """GeoReport's window of requested_datetime: at most 90 days, the latest 90 by default."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise OpenInputError("end_date", "end_date is before start_date")
    if end - start > WINDOW:
        raise OpenInputError("end_date", "the range may not span more than 90 days")
    return start, end


def request_of(case: Any, *, service_name: str, status_notes: str, agency: str | None,
               updated: datetime | None, location_code: str | None,
               tz: ZoneInfo) -> dict[str, Any]:
    """A case as a public GeoReport service request: no party, no phone, no ID number."""
    return {
        "service_request_id": case.code,
        "status": open311_status(case.status),
        "status_notes": status_notes,
        "service_name": service_name,
        "service_code": case.case_type,
        "description": scrub(case.description),
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(case.registered_at, tz),
        "updated_datetime": w3c(updated or case.registered_at, tz),
        "expected_datetime": w3c(case.due_at, tz),
        "address": case.address or None,
        "address_id": location_code,
        "zipcode": None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": None,
    }
