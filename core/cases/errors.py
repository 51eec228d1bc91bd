"""Errors of the case service; interfaces map them to 422, 404, 409/412 and 403."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class CaseError(Exception):
    """Base of the service's errors; interfaces map them to 404/409/412/422."""


class CaseInvalid(CaseError):
    """Input failed validation; ``fields`` maps each field path to its messages."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = dict(fields)


class CaseNotFound(CaseError):
    """No case of this tenant has this code."""


class CaseConflict(CaseError):
    """The case changed since the caller read it (stale version): reload and retry."""


class TransitionRefused(CaseError):
    """A guard, the ladder or a plugin refused the transition; ``reasons`` says why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"parties.0.phone": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat
