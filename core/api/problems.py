"""Errors of the API as ``application/problem+json`` (RFC 9457), in the request's language.

Field messages travel as ``errors``: a list of ``{"field", "pointer", "detail"}``, where
``field`` is the dotted path (``parties.0.phone``), ``pointer`` the JSON Pointer into the
request body (``#/parties/0/phone``) and ``detail`` the message translated for the reader.
Messages from the domain (:class:`core.messages.Message`), from marshmallow's standard set and
the lifecycle's refusal codes (``state:closed``, ``ladder:attempts:0/1``) are all translated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext
from marshmallow import INCLUDE, Schema, fields

from core.cases.errors import flatten_messages
from core.messages import explain_reason, translate


class FieldErrorSchema(Schema):
    """One member of a problem's ``errors``: which field, where in the body, what is wrong."""

    class Meta:
        """Members beyond these are allowed (RFC 9457 extensions)."""

        unknown = INCLUDE

    field = fields.String(required=True, metadata={
        "description": "dotted path (parties.0.phone), _schema for the whole body, "
                       "_transition for a refused lifecycle step"})
    pointer = fields.String(required=True, metadata={
        "description": "JSON Pointer into the request body (#/parties/0/phone)"})
    detail = fields.String(required=True, metadata={
        "description": "the message, in the request's language"})
    code = fields.String(metadata={"description": "a lifecycle refusal code (state:closed)"})


class ProblemSchema(Schema):
    """An error as ``application/problem+json`` (RFC 9457); extension members may follow."""

    class Meta:
        """Members beyond these are allowed (RFC 9457 extensions)."""

        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"description": "the status, for people"})
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "what went wrong, in the request's "
                                                   "language"})
    errors = fields.List(fields.Nested(FieldErrorSchema))


#: webargs nests validation messages under the location they came from.
_LOCATIONS = ("json", "form", "query", "querystring", "headers", "files", "view_args", "path")


def field_errors(messages: Mapping[str, Any] | list[str] | None) -> list[dict[str, str]]:
    """``{"parties.0.phone": ["…"]}`` (or webargs' nesting) as RFC 9457 ``errors`` members."""
    if not messages:
        return []
    if len(messages) == 1 and next(iter(messages)) in _LOCATIONS:
        messages = next(iter(messages.values()))
    # A bare list (webargs' "Invalid JSON body.") is about the whole body.
    flat = messages if isinstance(messages, Mapping) and _is_flat(messages) \
        else flatten_messages(messages)
    out = []
    for field, texts in flat.items():
        pointer = "#/" + "/".join(field.split(".")) if field != "_schema" else "#"
        for text in texts if isinstance(texts, list | tuple) else [texts]:
            out.append({"field": field, "pointer": pointer, "detail": translate(text)})
    return out


def _is_flat(messages: Mapping[str, Any]) -> bool:
    return all(isinstance(v, list | tuple) and all(isinstance(i, str) for i in v)
               for v in messages.values())


def refusal_errors(reasons: Iterable[str]) -> list[dict[str, str]]:
    """The lifecycle's refusal codes as ``errors`` members, each explained for people.

    A missing or invalid payload field is named as the field (``missing:reason`` → ``reason``);
    every other refusal is about the transition itself (``_transition``).
    """
    out = []
    for reason in reasons:
        head, _sep, rest = reason.partition(":")
        field = rest if head in ("missing", "invalid") and rest else "_transition"
        out.append({"field": field, "pointer": f"#/{field}" if field != "_transition" else "#",
                    "code": reason, "detail": explain_reason(reason)})
    return out


def refusal_status(reasons: Iterable[str]) -> int:
    """403 when the role or tier forbids it, 422 when only fields are missing, else 409."""
    heads = {r.partition(":")[0] for r in reasons}
    if heads & {"role", "scope", "department"}:
        return 403
    if heads and heads <= {"missing", "invalid"}:
        return 422
    return 409


def conflict_detail() -> str:
    """What a stale write is told."""
    return gettext("The case was changed by someone else since you read it. Reload it, then "
                   "try again.")
