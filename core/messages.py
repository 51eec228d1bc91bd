"""Messages that domain code raises and interfaces translate: no Flask needed to raise one.

Domain code (``core.cases``, ``core.accounts``, plugins) says ``msg("unknown tier node:
%(code)s", code=code)``: a :class:`Message` is a ``str`` (its English text, so logs, tests and
``str(exc)`` read as before) that also remembers its message id and parameters, so that the API
and the web pages can show it in the reader's language with :func:`translate`. Babel extracts
``msg(...)`` calls like ``gettext(...)`` (see babel.cfg).

The lifecycle refuses with stable codes (``state:closed``, ``role``, ``scope``,
``missing:reason``, ``ladder:attempts:1/2``); :func:`explain_reason` turns each into a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def translate(text: str) -> str:
    """``text`` in the current request's language (English outside a request).

    A :class:`Message` is looked up by its id and then filled in; a plain string (marshmallow's
    standard messages, a plugin's own) is looked up as it is and left alone when no catalog
    has it.
    """
    from flask_babel import gettext  # noqa: PLC0415 - only interfaces translate

    if isinstance(text, Message):
        translated = gettext(text.msgid)
        try:
            return translated % dict(text.params) if text.params else translated
        except (KeyError, ValueError, TypeError):
            return str(text)  # a broken translation must not hide the message
    return gettext(text) if text else text


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
