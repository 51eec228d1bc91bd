"""Cold-chain supervision items: add one, record an inspection (each with its audit event).

An inspection reading above the item's highest allowed temperature puts it under
rectification (限期整改); a reading within it makes it compliant. No Flask here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from core.toolkit import audit_record, msg

from . import schemas
from .models import KINDS, ColdChainItem


class ColdChainInvalid(ValueError):
    """Bad input for a cold-chain item: ``fields`` maps each field to its messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in fields.items()))
        self.fields = fields


def _temperature(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [msg("give a temperature in °C, e.g. -18")]
        return None
    if not Decimal("-99.9") <= number <= Decimal("99.9"):
        errors[field] = [msg("give a temperature from -99.9 to 99.9 °C")]
        return None
    return number.quantize(Decimal("0.1"))


def add_item(session: Any, *, name: str, kind: str, max_temperature: Any, operator: str = "",
             port: str = "", vessel: str = "", by: str, now: datetime) -> ColdChainItem:
    """A new cold-chain supervision item; :class:`ColdChainInvalid` names bad fields."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        errors["name"] = [msg("give a name of 1 to 120 characters")]
    elif session.scalar(select(ColdChainItem.id).where(ColdChainItem.name == name)):
        errors["name"] = [msg("there is already a cold-chain item named %(name)s", name=name)]
    if kind not in KINDS:
        errors["kind"] = [msg("choose one of: %(kinds)s", kinds=", ".join(KINDS))]
    if vessel:
        try:
            schemas.check_vessel_number(vessel)
        except ValidationError as exc:
            errors["vessel"] = list(exc.messages)
    limit = _temperature(max_temperature, "max_temperature", errors)
    if errors:
        raise ColdChainInvalid(errors)
    item = ColdChainItem(name=name, kind=kind, operator=operator.strip()[:120],
                         port=port.strip()[:100], vessel=vessel, max_temperature=limit,
                         status="pending", note="", created_by=by, created_at=now)
    session.add(item)
    session.flush()
    audit_record(session, actor=by, action="maritime.cold_chain_added",
                 object_type="maritime_cold_chain_item", object_id=item.id,
                 data={"name": name, "kind": kind, "max_temperature": str(limit)})
    return item


def record_inspection(session: Any, item_id: int, *, temperature: Any, note: str = "",
                      by: str, now: datetime) -> ColdChainItem:
    """Record an inspection's reading; above the limit puts the item under rectification."""
    item = session.get(ColdChainItem, item_id)
    if item is None:
        raise ColdChainInvalid({"item": [msg("there is no such cold-chain item here")]})
    errors: dict[str, list[str]] = {}
    reading = _temperature(temperature, "temperature", errors)
    if errors:
        raise ColdChainInvalid(errors)
    item.last_temperature = reading
    item.last_inspected_at = now
    item.status = "rectification" if reading > item.max_temperature else "compliant"
    item.note = (note or "").strip()[:2000]
    session.flush()
    audit_record(session, actor=by, action="maritime.cold_chain_inspected",
                 object_type="maritime_cold_chain_item", object_id=item.id,
                 data={"temperature": str(reading), "status": item.status})
    return item
