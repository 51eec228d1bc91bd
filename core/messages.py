"""Messages that domain code raises and interfaces translate: no Flask needed to raise one.

Domain code (``core.cases``, ``core.accounts``, plugins) says ``msg("unknown tier node:
%(code)s", code=code)``: a :class:`Message` is a ``str`` (its English text, so logs, tests and
``str(exc)`` read as before) that also remembers its message id and parameters, so that the API
and the web pages can show it in the reader's language with :func:`translate`. Babel extracts
``msg(...)`` calls like ``gettext(...)`` (see babel.cfg).

The lifecycle refuses with stable codes (``state:closed``, ``role``, ``scope``,
``missing:reason``, ``ladder:attempts:1/2``); :func:`explain_reason` turns each into a sentence.

marshmallow's (and webargs') own messages are plain English strings, some filled in by the
validator that produced them ("Must be one of: a, b.", "Length must be between 1 and 200.").
They are translated at the boundary, without touching any schema: :data:`MARSHMALLOW_MESSAGES`
lists them as message ids, the variable parts as ``%(name)s`` (``"Must be one of:
%(choices)s."``); :func:`translate` looks a plain string up as it is and, failing that, matches
it against these templates, translates the template and fills the values back in. So every
schema — core's, a plugin's details schema — and every validator parameter is covered, and a
message no catalog knows stays as it is. When marshmallow adds or rewords a message, add it
here and to the three catalogs (tests/core/test_messages.py checks marshmallow's own list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any


class Message(str):
    """A translatable message: the English text, plus ``msgid`` and ``params`` to translate."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        params = dict(params or {})
        text = msgid % params if params else msgid
        self = super().__new__(cls, text)
        self.msgid, self.params = msgid, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, dict(self.params)))


def msg(msgid: str, **params: Any) -> Message:
    """A :class:`Message`; ``msgid`` uses ``%(name)s`` placeholders filled from ``params``."""
    return Message(msgid, params)


def _(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it (babel's ``N_``)."""
    return msgid


#: marshmallow's standard messages (fields, validators, schemas) and webargs', as message ids;
#: ``%(name)s`` stands for what the validator filled in.
MARSHMALLOW_MESSAGES = (
    # fields.Field, Schema, webargs
    _("Missing data for required field."),
    _("Field may not be null."),
    _("Invalid value."),
    _("Invalid input type."),
    _("Unknown field."),
    _("Invalid type."),
    _("Invalid JSON body."),
    # fields.*
    _("Not a valid string."),
    _("Not a valid utf-8 string."),
    _("Not a valid integer."),
    _("Not a valid number."),
    _("Number too large."),
    _("Special numeric values (nan or infinity) are not permitted."),
    _("Not a valid boolean."),
    _("Not a valid list."),
    _("Not a valid tuple."),
    _("Not a valid mapping type."),
    _("Not a valid datetime."),
    _("Not a valid aware datetime."),
    _("Not a valid naive datetime."),
    _("Not a valid date."),
    _("Not a valid time."),
    _("Not a valid period of time."),
    _("Not a valid UUID."),
    _("Not a valid URL."),
    _("Not a valid email address."),
    _("Not a valid IP address."),
    _("Not a valid IPv4 address."),
    _("Not a valid IPv6 address."),
    # validate.Length
    _("Shorter than minimum length %(min)s."),
    _("Longer than maximum length %(max)s."),
    _("Length must be between %(min)s and %(max)s."),
    _("Length must be %(equal)s."),
    # validate.Range (inclusive and exclusive bounds)
    _("Must be greater than or equal to %(min)s."),
    _("Must be greater than %(min)s."),
    _("Must be less than or equal to %(max)s."),
    _("Must be less than %(max)s."),
    _("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    _("Must be greater than or equal to %(min)s and less than %(max)s."),
    _("Must be greater than %(min)s and less than or equal to %(max)s."),
    _("Must be greater than %(min)s and less than %(max)s."),
    # validate.OneOf, ContainsOnly, ContainsNoneOf, Equal, Regexp, And/Predicate
    _("Must be one of: %(choices)s."),
    _("One or more of the choices you made was not in: %(choices)s."),
    _("One or more of the choices you made was in: %(values)s."),
    _("Must be equal to %(other)s."),
    _("String does not match expected pattern."),
    _("Invalid input."),
)
_PLACEHOLDER = re.compile(r"%\\\(([a-z_]+)\\\)s")


@cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The templated ids of :data:`MARSHMALLOW_MESSAGES` as anchored patterns.

    The most specific (longest fixed text) come first, so that "Must be greater than or equal
    to 1." is read as that template and not as "Must be greater than %(min)s.".
    """
    templated = [m for m in MARSHMALLOW_MESSAGES if "%(" in m]
    templated.sort(key=lambda m: len(re.sub(r"%\([a-z_]+\)s", "", m)), reverse=True)
    return tuple((re.compile("^" + _PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(m)) + "$",
                             re.DOTALL), m) for m in templated)


def template_of(text: str) -> tuple[str, dict[str, str]] | None:
    """The marshmallow template ``text`` was filled from, and the values; None if none."""
    for pattern, msgid in _templates():
        match = pattern.match(text)
        if match:
            return msgid, match.groupdict()
    return None


def translate(text: str) -> str:
    """``text`` in the current request's language (English outside a request).

    A :class:`Message` is looked up by its id and then filled in. A plain string (marshmallow's
    standard messages, a plugin's own) is looked up as it is; failing that, a message filled
    from one of marshmallow's templates is translated as its template and filled back in
    (:data:`MARSHMALLOW_MESSAGES`); anything else is left alone.
    """
    from flask_babel import gettext  # noqa: PLC0415 - only interfaces translate

    if isinstance(text, Message):
        return _filled(gettext(text.msgid), text.params, str(text))
    if not text:
        return text
    translated = gettext(text)
    if translated != text:
        return translated
    found = template_of(text)
    if found is None:
        return translated
    msgid, params = found
    return _filled(gettext(msgid), params, text)


def _filled(translated: str, params: Mapping[str, Any], fallback: str) -> str:
    try:
        return translated % dict(params) if params else translated
    except (KeyError, ValueError, TypeError):
        return fallback  # a broken translation must not hide the message


def explain_reason(reason: str) -> str:
    """A lifecycle refusal code as a sentence in the request's language."""
    from flask_babel import gettext  # noqa: PLC0415

    head, _sep, rest = reason.partition(":")
    if head == "state":
        return gettext("This action is not possible while the case is %(status)s.",
                       status=status_name(rest))
    if head == "missing":
        return gettext("This action needs the field %(field)s.", field=rest)
    if head == "invalid":
        return gettext("The field %(field)s has a value this action does not accept.",
                       field=rest)
    if head == "unknown":
        return gettext("There is no action called %(name)s.", name=rest)
    if head == "ladder":
        return _ladder(rest)
    fixed = {
        "role": gettext("Your role may not take this action."),
        "scope": gettext("The case lies outside the tiers you work for."),
        "department": gettext("The case is not assigned to your department."),
        "plugin": gettext("A rule of this tenant refused the action."),
    }
    if head in fixed:
        return fixed[head]
    return translate(reason)


def _ladder(rest: str) -> str:
    from flask_babel import gettext  # noqa: PLC0415

    kind, _sep, detail = rest.partition(":")
    if kind == "attempts":
        done, _slash, needed = detail.partition("/")
        return gettext("The escalation ladder needs %(needed)s mediation attempts at this tier "
                       "before the case goes up; %(done)s so far.", needed=needed, done=done)
    if kind == "leader":
        return gettext("The escalation ladder needs the tier's leader to take part in a "
                       "mediation attempt before the case goes up.")
    if kind == "top":
        return gettext("The case is already at the top of the escalation ladder.")
    if kind == "jump":
        return gettext("Only a red-risk case may skip a tier of the escalation ladder.")
    if kind.startswith("no "):
        return gettext("There is no higher tier to escalate to from here.")
    return gettext("The escalation ladder does not allow this yet (%(rule)s).", rule=rest)


def status_name(status: str) -> str:
    """A case status in the request's language."""
    from flask_babel import gettext  # noqa: PLC0415

    names = {
        "registered": gettext("registered"),
        "accepted": gettext("accepted"),
        "not_accepted": gettext("not accepted"),
        "assigned": gettext("assigned"),
        "in_mediation": gettext("in mediation"),
        "resolved": gettext("resolved"),
        "mediation_failed": gettext("mediation failed"),
        "escalated": gettext("escalated"),
        "referred": gettext("referred"),
        "closed": gettext("closed"),
        "archived": gettext("archived"),
        "withdrawn": gettext("withdrawn"),
        "merged": gettext("merged"),
        "reopened": gettext("reopened"),
    }
    return names.get(status, status)
