"""``Idempotency-Key`` on POST: a retried request gets the first response, never a second write.

The first response (status, body, ``Location``/``ETag``) to a key is stored with a digest of
the request (method, path, body); the same key with the same request replays it, with
``Idempotent-Replayed: true``; the same key with a different request is a 422 naming the
header. Keys belong to the principal within the tenant: another integration's key of the same
spelling is another key. Intake also passes the key to the case service, whose unique index
guarantees one case even when two first attempts race.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from flask_babel import gettext
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEPT_HEADERS = ("Location", "ETag")


def _fingerprint() -> str:
    raw = b"\n".join([request.method.encode(), request.path.encode(), request.get_data()])
    return hashlib.sha256(raw).hexdigest()


def _database():
    from core.app import onedoor  # noqa: PLC0415 - core.app imports core.api

    return onedoor().database


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a POST view (outside flask-smorest's decorators, so it sees the final response)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        from core.api.access import principal  # noqa: PLC0415

        key = key.strip()
        if not key or len(key) > 200:
            abort(422, message=gettext("Some fields are not valid."),
                  errors=[{"field": HEADER, "pointer": "#",
                           "detail": gettext("Give a key of 1 to 200 characters.")}])
        who = principal().name
        fingerprint = _fingerprint()
        with _database().transaction(g.tenant.id) as session:
            earlier = session.scalar(select(IdempotencyRecord).where(
                IdempotencyRecord.principal == who, IdempotencyRecord.key == key))
            if earlier is not None:
                if earlier.fingerprint != fingerprint:
                    abort(422, message=gettext("This Idempotency-Key was already used for a "
                                               "different request."),
                          errors=[{"field": HEADER, "pointer": "#", "detail": gettext(
                              "Use a new key for a new request.")}])
                return _replay(earlier)
        # The case service keys intake on this (unique per tenant), so racing first attempts
        # still make one case; 80 characters is the column's size.
        g.idempotency_case_key = "api:" + hashlib.sha256(f"{who}\n{key}".encode()).hexdigest()[:60]
        result = view(*args, **kwargs)
        return _remember(result, who, key, fingerprint)

    return wrapper


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status, mimetype="application/json")
    for name, value in (record.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(result: Any, who: str, key: str, fingerprint: str) -> Any:
    """Store a successful response under the key (errors are not kept: a retry may succeed)."""
    from flask import current_app  # noqa: PLC0415

    response = current_app.make_response(result)
    if response.status_code >= 400:
        return response
    headers = {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
    try:
        with _database().transaction(g.tenant.id) as session:
            session.add(IdempotencyRecord(principal=who, key=key, method=request.method,
                                          path=request.path[:300], fingerprint=fingerprint,
                                          status=response.status_code,
                                          body=response.get_data(as_text=True),
                                          headers=headers))
    except IntegrityError:
        pass  # a racing first attempt stored its response first; ours is equivalent
    return response
