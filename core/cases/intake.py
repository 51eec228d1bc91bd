"""Registration (登记): validation, the code, parties with encrypted identities, first clocks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from stdnum.cn import uscc

from core import audit, codes, escalation, pii, sla
from core.cases.catalogs import (
    assess_risk,
    case_types,
    check_vetoes,
    deadline_rules,
    ladder,
    tier_node,
)
from core.cases.errors import CaseInvalid, flatten_messages
from core.casetypes import CaseType
from core.categories import CHANNELS, DEMAND_TYPES, tenant_categories
from core.db import TenantSession, insert_now, tenant_sql
from core.messages import msg
from core.models import Case, Center, Deadline, Party
from core.tenancy import TenantContext
from core.workflow import TRANSITIONS, Actor, Status

PARTY_ROLES = ("applicant", "respondent", "third_party")
PARTY_KINDS = ("person", "organization")


class PartySchema(Schema):
    """A party as given at intake; identity numbers are checked, then encrypted."""

    role = fields.String(required=True, validate=validate.OneOf(PARTY_ROLES))
    kind = fields.String(load_default="person", validate=validate.OneOf(PARTY_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    id_number = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    address = fields.String(load_default="", validate=validate.Length(max=300))
    #: A minor (未成年人保护法 第二条): the name is kept encrypted and shown masked (第一百零三条).
    #: A personal ID number showing an age under 18 sets it as well.
    minor = fields.Boolean(load_default=False)

    @validates_schema
    def _identity(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        number = data.get("id_number")
        if number:
            try:
                if data.get("kind") == "organization":
                    data["id_number"] = uscc.validate(number)
                else:
                    data["id_number"] = pii.validate_id_number(number)
            except (pii.PIIError, ValueError) as exc:
                errors["id_number"] = [exc.message if isinstance(exc, pii.PIIError)
                                       else msg("not a valid unified social credit code")]
        if data.get("phone"):
            try:
                data["phone"] = pii.validate_phone(data["phone"])
            except pii.PIIError as exc:
                errors["phone"] = [exc.message]
        if errors:
            raise ValidationError(errors)


class IntakeSchema(Schema):
    """Registration (登记) of a case at a window, by phone, online or from a grid worker."""

    case_type = fields.String(required=True)
    category = fields.String(load_default=None)
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    demand_type = fields.String(load_default=None,
                                validate=validate.OneOf(list(DEMAND_TYPES)), allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    location_node = fields.String(required=True)
    address = fields.String(load_default="", validate=validate.Length(max=300))
    latitude = fields.Decimal(load_default=None, allow_none=True,
                              validate=validate.Range(min=-90, max=90))
    longitude = fields.Decimal(load_default=None, allow_none=True,
                               validate=validate.Range(min=-180, max=180))
    amount = fields.Decimal(load_default=None, allow_none=True, places=2,
                            validate=validate.Range(min=0, max=Decimal("999999999999")))
    people_involved = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    is_group = fields.Boolean(load_default=None, allow_none=True)
    details = fields.Dict(load_default=dict)
    parties = fields.List(fields.Nested(PartySchema), required=True,
                          validate=validate.Length(min=1, max=50))
    intake_center = fields.String(load_default=None, allow_none=True)
    window_type = fields.String(load_default="", validate=validate.Length(max=64))
    idempotency_key = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=80))

    @validates_schema
    def _has_applicant(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not any(p.get("role") == "applicant" for p in data.get("parties", [])):
            raise ValidationError({"parties": [msg("at least one party must be the applicant")]})


# What intake needs of the location node, as one row: plain SQL through tenant_sql (which
# binds the session's tenant, filtered on both tables) instead of an entity with its
# eager-loaded level and the ORM's per-statement machinery, on every intake.
# The next number of a tenant's year; the same upsert reads alike on SQLite and PostgreSQL.
_NEXT_NUMBER_SQL = (
    "INSERT INTO case_sequences (tenant_id, year, last) VALUES (:tenant_id, :year, 1) "
    "ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_sequences.last + 1 "
    "RETURNING last"
)

# Building a schema (fields, nested party schema) costs more than loading with it; a schema
# instance keeps no state between loads, so one serves every intake.
_INTAKE_SCHEMA = IntakeSchema()


@dataclass(frozen=True)
class IntakeResult:
    """The registered case and whether this call created it (False: idempotent replay)."""

    case: Case
    created: bool


def _fingerprint(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def register(
    session: TenantSession,
    tenant: TenantContext,
    data: Mapping[str, Any],
    actor: Actor,
    *,
    vault: pii.Vault,
    now: datetime | None = None,
    extra_details: Mapping[str, Any] | None = None,
) -> IntakeResult:
    """Register a case (登记): validate, give it its code, parties, clocks, risk and audit event.

    With an ``idempotency_key`` already used in this tenant, the existing case is returned
    (``created=False``) when the input is the same, and :class:`CaseInvalid` is raised naming
    ``idempotency_key`` when it differs — so a retried request creates exactly one case.

    ``extra_details`` are what the interface itself adds to ``details`` next to the validated
    ones (e.g. Open311's ``device_id`` under ``"open311"``); they are not checked against the
    case type's schema and must not use its field names.
    """
    now = now or datetime.now(UTC)
    try:
        loaded = _INTAKE_SCHEMA.load(dict(data), unknown=EXCLUDE)
    except ValidationError as exc:
        raise CaseInvalid(flatten_messages(exc.messages)) from exc
    fingerprint = _fingerprint(data)
    if loaded["idempotency_key"]:
        existing = session.scalar(
            select(Case).where(Case.idempotency_key == loaded["idempotency_key"])
        )
        if existing is not None:
            if existing.details.get("_intake_fingerprint") != fingerprint:
                raise CaseInvalid({"idempotency_key": [
                    msg("this key was already used for a different request")]})
            return IntakeResult(existing, False)

    errors: dict[str, list[str]] = {}
    types = case_types(tenant)
    case_type = types.get(loaded["case_type"])
    if case_type is None:
        errors["case_type"] = [msg("unknown case type for this tenant: %(case_type)s",
                                      case_type=loaded["case_type"])]
    details: dict[str, Any] = {}
    if case_type is not None:
        try:
            details = case_type.load_details(loaded["details"])
        except ValidationError as exc:
            errors.update(flatten_messages(exc.messages, "details"))
    category = loaded["category"] or (case_type.category if case_type else "other")
    if category not in tenant_categories(tenant.config):
        errors["category"] = [msg("unknown category: %(category)s", category=category)]
    node = tier_node(session, tenant, loaded["location_node"])
    if node is None:
        errors["location_node"] = [msg("unknown tier node: %(code)s",
                                          code=loaded["location_node"])]
    elif not actor.covers(node.path):
        errors["location_node"] = [msg("outside the tiers you work for")]
    center = None
    if loaded["intake_center"]:
        center = session.scalar(select(Center).where(Center.code == loaded["intake_center"]))
        if center is None:
            errors["intake_center"] = [msg("unknown center: %(code)s",
                                              code=loaded["intake_center"])]
    if errors:
        raise CaseInvalid(errors)
    assert case_type is not None and node is not None  # for type checkers: errors raised above

    for party in loaded["parties"]:
        if (party.get("kind") == "person" and party.get("id_number")
                and pii.id_number_shows_minor(party["id_number"], now.date())):
            party["minor"] = True
    warnings = _statutory_checks(tenant, case_type, {**loaded, "details": details}, now)
    check_vetoes(tenant, None, "register", actor, loaded)
    if center is not None:
        responsible_id, responsible_code = center.node.id, center.node.code
        level_code = center.node.level.code
    else:
        responsible_id, responsible_code, level_code = node.id, node.code, node.level
    case = Case(
        code=_next_code(session, tenant, now),
        case_type=case_type.code,
        category=category,
        channel=loaded["channel"],
        demand_type=loaded["demand_type"] or case_type.demand_type,
        title=loaded["title"].strip(),
        description=loaded["description"],
        location_node_id=node.id,
        node_id=responsible_id,
        address=loaded["address"],
        latitude=loaded["latitude"],
        longitude=loaded["longitude"],
        amount=loaded["amount"],
        people_involved=loaded["people_involved"],
        is_group=bool(loaded["is_group"]) if loaded["is_group"] is not None else False,
        status=Status.REGISTERED.value,
        rung=escalation.starting_rung(ladder(tenant), level_code),
        details={**(extra_details or {}), **details, "_intake_fingerprint": fingerprint},
        warnings=warnings,
        idempotency_key=loaded["idempotency_key"],
        intake_center_id=center.id if center is not None else None,
        window_type=loaded["window_type"] or case_type.window,
        registered_by=actor.name,
        registered_at=now,
    )
    for party in loaded["parties"]:
        case.parties.append(_party(tenant, party, vault))
    session.add(case)
    # The first clocks and the due date are set on the pending case, so that the case's one
    # INSERT already carries its due date.
    sla.on_event(session, case, Status.REGISTERED.value, now, sla.calendar_for(tenant),
                 deadline_rules(tenant), case_type.deadlines)
    # Graded before its row is written: the repeat-party query cannot count the case itself
    # (the session must not autoflush it here), so its risk goes into the INSERT as well.
    with session.no_autoflush:
        assess_risk(session, tenant, case)
    # The case, its parties and its first clocks go in as three INSERTs on the session's
    # connection, read back whole (RETURNING): the unit of work's flush of the same rows cost
    # a third of intake's time (bench/intake.py).
    clocks = [obj for obj in session.new if isinstance(obj, Deadline) and obj.case is case]
    insert_now(session, [case, *case.parties, *clocks])
    audit.record(session, actor=actor.name, action="case.registered", object_type="case",
                 object_id=case.code, data={"case_type": case.case_type, "channel": case.channel,
                                            "node": responsible_code, "risk": case.risk,
                                            **({"warnings": warnings} if warnings else {})})
    tenant.hooks.onedoor_after_transition(
        tenant=tenant, case=case, transition=TRANSITIONS["register"], actor=actor,
        payload=dict(loaded), session=session,
    )
    return IntakeResult(case, True)


def _statutory_checks(tenant: TenantContext, case_type: CaseType, data: dict[str, Any],
                      now: datetime) -> list[dict[str, Any]]:
    """Run the plugins' ``onedoor_check_intake``: refuse on a blocking finding, else return
    the warnings to keep on the case."""
    findings = [f for batch in tenant.hooks.onedoor_check_intake(
        tenant=tenant, case_type=case_type, data=data, now=now) for f in batch or []]
    blocking: dict[str, list[str]] = {}
    for finding in findings:
        if finding.blocking:
            blocking.setdefault(finding.field, []).append(finding.message)
    if blocking:
        raise CaseInvalid(blocking)
    return [finding.stored() for finding in findings]


def _party(tenant: TenantContext, data: Mapping[str, Any], vault: pii.Vault) -> Party:
    # Every column is given, present or not, so that all parties of a case have the same
    # columns and go out in one multi-row INSERT instead of one INSERT each.
    name = data["name"].strip()
    party = Party(role=data["role"], kind=data["kind"], name=name,
                  address=data["address"], tenant_id=tenant.id, name_encrypted=None,
                  id_encrypted=None, id_index=None, id_masked="",
                  phone_encrypted=None, phone_index=None, phone_masked="",
                  email_encrypted=None, email_masked="")
    if data.get("minor") and data["kind"] == "person":
        # 未成年人保护法 第一百零三条: a minor's name is not disclosed. Every page, export and
        # API shows ``name`` (the mask); the name itself only comes back through reveal_party.
        party.name_encrypted = vault.encrypt(name, context=f"{tenant.id}:party.name")
        party.name = pii.mask_name(name)
    if data.get("id_number"):
        number = data["id_number"]
        party.id_encrypted = vault.encrypt(number, context=f"{tenant.id}:party.id_number")
        party.id_index = vault.blind_index(number, tenant_id=tenant.id, kind="id_number")
        party.id_masked = pii.mask_id_number(number)
    if data.get("phone"):
        phone = data["phone"]
        party.phone_encrypted = vault.encrypt(phone, context=f"{tenant.id}:party.phone")
        party.phone_index = vault.blind_index(phone, tenant_id=tenant.id, kind="phone")
        party.phone_masked = pii.mask_phone(phone)
    if data.get("email"):
        email = data["email"]
        party.email_encrypted = vault.encrypt(email, context=f"{tenant.id}:party.email")
        party.email_masked = pii.mask_email(email)
    return party


def _next_code(session: TenantSession, tenant: TenantContext, now: datetime) -> str:
    """Allocate the next number of the tenant's year atomically (upsert … RETURNING).

    The row lock taken by the upsert serializes concurrent intakes of one tenant; a rolled-back
    intake returns its number with its transaction, so numbers are dense in practice and unique
    always (a gap would be harmless: the code only has to be unique).
    """
    year = now.astimezone(sla.calendar_for(tenant).tz).year
    # Plain SQL through tenant_sql (which binds the session's tenant) skips the ORM statement
    # machinery on every intake.
    sequence = tenant_sql(session, _NEXT_NUMBER_SQL, {"year": year}).scalar_one()
    return codes.format_code(tenant.case_code_prefix, year, sequence)
