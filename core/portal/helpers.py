"""What the portal's views share: the system actor, the vault, dates, nodes, field errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import g
from flask_babel import format_date
from marshmallow import ValidationError
from sqlalchemy import select

from core import pii
from core.cases import case_types
from core.casetypes import CaseType
from core.db import TenantSession
from core.messages import translate
from core.models import TierNode
from core.web import current_locale
from core.workflow import Actor

#: Who registers and evaluates on behalf of a citizen: intake rights at the root of the tree.
PORTAL_ACTOR = Actor("portal", frozenset({"clerk"}), scope_path="/")

#: At most this many nodes in a location select (trees may hold 100,000 nodes).
MAX_NODE_OPTIONS = 300


def vault() -> pii.Vault:
    """The personal-data vault of this installation."""
    from core.app import onedoor  # noqa: PLC0415

    return pii.Vault(onedoor().settings.pii_secret)


def local_date(moment: datetime | None) -> str:
    """``moment`` as a date in the tenant's time zone and the reader's language ("" if None)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite gives naive datetimes back; they are stored in UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    zone = ZoneInfo(g.tenant.timezone or "Asia/Shanghai")
    return format_date(moment.astimezone(zone).date(), format="long")


def form_case_types(tenant: Any) -> list[CaseType]:
    """The tenant's case types a form without plugin details can register.

    A type whose details schema needs fields (a 12345 order number, a court case number) is
    for staff with those papers at hand, not for a citizen's or a grid worker's short form.
    """
    usable = []
    for case_type in case_types(tenant).values():
        try:
            case_type.load_details({})
        except ValidationError:
            continue
        usable.append(case_type)
    return sorted(usable, key=lambda t: t.code)


def prefilled_case_type(tenant: Any, code: str, details: Mapping[str, str]
                        ) -> tuple[str, str, list[tuple[str, str, str, str]]] | None:
    """A case type a link chose with some of its details: ``(code, name, details)``.

    ``details`` come back as ``(key, label, value, shown value)`` rows for the form to show
    and carry, labelled by the schema field's ``metadata["names"]`` in the reader's language
    (a value by its ``metadata["choices"]`` names). None when
    the tenant has no such type, or the given details alone are not enough to register it
    (then the link cannot prefill a form the citizen could send).
    """
    case_type = case_types(tenant).get(code) if code else None
    if case_type is None:
        return None
    try:
        case_type.load_details(dict(details))
    except ValidationError:
        return None
    locale = current_locale()
    fields = case_type.details_schema().fields if case_type.details_schema else {}
    rows = []
    for key, value in details.items():
        metadata = getattr(fields.get(key), "metadata", {}) or {}
        names = metadata.get("names") or {}
        label = names.get(locale) or names.get("zh_Hans") or key
        choice = (metadata.get("choices") or {}).get(value) or {}
        rows.append((key, label, value, choice.get(locale) or choice.get("zh_Hans") or value))
    return case_type.code, case_type.name(locale), rows


def case_type_options(tenant: Any) -> list[tuple[str, str]]:
    """``(code, name)`` pairs of :func:`form_case_types` in the reader's language."""
    locale = current_locale()
    return [(t.code, t.name(locale)) for t in form_case_types(tenant)]


def top_node_options(session: TenantSession) -> list[tuple[str, str]]:
    """The roots and the two levels below them, indented; bounded, whatever the tree's size.

    Three indexed reads on ``parent_id``; each level stops at :data:`MAX_NODE_OPTIONS`.
    """
    roots = session.scalars(select(TierNode).where(TierNode.parent_id.is_(None))
                            .order_by(TierNode.path).limit(MAX_NODE_OPTIONS)).all()
    levels = [list(roots)]
    for _depth in range(2):
        parents = [n.id for n in levels[-1]]
        children = session.scalars(select(TierNode).where(TierNode.parent_id.in_(parents))
                                   .order_by(TierNode.path).limit(MAX_NODE_OPTIONS)).all() \
            if parents else []
        levels.append(list(children))
    nodes = sorted((n for level in levels for n in level), key=lambda n: n.path)
    return _indented(nodes)


def nodes_below(session: TenantSession, paths: Iterable[str]) -> list[tuple[str, str]]:
    """The nodes at ``paths`` and their children (a grid worker's own area), indented."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        return []
    own = session.scalars(select(TierNode).where(TierNode.path.in_(paths))).all()
    children = session.scalars(select(TierNode).where(
        TierNode.parent_id.in_([n.id for n in own])).order_by(TierNode.path)
        .limit(MAX_NODE_OPTIONS)).all() if own else []
    seen: dict[int, TierNode] = {n.id: n for n in [*own, *children]}
    return _indented(sorted(seen.values(), key=lambda n: n.path))


def _indented(nodes: list[TierNode]) -> list[tuple[str, str]]:
    locale = current_locale()
    if not nodes:
        return []
    top = min(n.depth for n in nodes)
    return [(n.code, "\u3000" * (n.depth - top) + n.display_name(locale)) for n in nodes]


def node_code_of(path: str) -> str:
    """The code of the node with materialized path ``path`` (its last segment)."""
    return [part for part in path.split("/") if part][-1]


def field_errors(raw: Mapping[str, list[str]], names: Mapping[str, str],
                 friendly: Mapping[str, str]) -> dict[str, list[str]]:
    """The service's field errors as the form's fields, in the reader's language.

    ``names`` maps a service path (``parties.0.phone``) to a form field (``phone``); paths
    without a field go under ``_form``. ``friendly`` gives a plainer message for a form
    field than the service's own; otherwise the service's message is translated.
    """
    errors: dict[str, list[str]] = {}
    for path, messages in raw.items():
        name = names.get(path, path if path in friendly else "_form")
        if name in friendly:
            texts = [friendly[name]]
        else:
            texts = [translate(m) for m in messages]
        for text in texts:
            if text not in errors.setdefault(name, []):
                errors[name].append(text)
    return errors
