"""Random lifecycles of cases in two tenants, checked against a model after every step.

A hypothesis :class:`RuleBasedStateMachine` registers cases in two tenants whose case codes
collide on purpose (both prefixes are ``HA``, so ``HA-2026-000001-…`` exists in each), moves
them through every transition with plausible and implausible payloads and actors, records
mediation attempts and evaluations, pauses and resumes clocks, runs the deadline sweep and
advances a fake clock. Every call either succeeds or raises one of the case service's errors
(anything else fails the test), and each outcome is compared with what the pure state machine,
the ladder and the model predict.

Checked after every step, for both tenants:

(a) an escalation moves a case up exactly one rung unless its risk was red at that moment
    (then at most two), and a non-red case only climbs after its rung's attempts (and leader);
(b) exactly one audit event per successful state change (a sweep: one per batch that changed
    something); refused calls, conflicts and invalid input add none and change nothing;
(c) ``audit.verify_chain`` is ok;
(d) each case's ``due_at`` is the earliest of its running/breached clocks (None without any);
    a clock's ``due_at`` never moves earlier and ``started_at`` never changes (the calendar does
    not change here, so nothing is recomputed); a finished clock never changes again; closed and
    final cases have no open clock;
(e) no row of one tenant is visible through the other's session: per tenant-owned table, the
    count through each tenant's session equals the owner's count of that tenant's rows, and no
    row references a row of another tenant;
(f) every status is a :class:`Status` value, the database agrees with the model (status, rung,
    attempts, the set of codes), and final states (archived, merged, withdrawn) never change.

SQLite always; PostgreSQL (as the application role, row-level security on) when the server on
127.0.0.1:5432 answers. Each example starts from a fresh copy of the same two-tenant world.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from core import audit, cases, codes, sla
from core.db import Base, Database, TenantScoped
from core.escalation import AttemptSummary, decide_escalation
from core.models import (
    Assignment,
    AuditEvent,
    Case,
    Deadline,
    Department,
    MediationAttempt,
    TierNode,
)
from core.pii import Vault
from core.plugins import PluginRegistry
from core.sweep import sweep as run_sweep
from core.tenancy import TenantContext, TenantDirectory
from core.tiers import NodeRow
from core.workflow import (
    ALL_STAFF,
    FINAL_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Actor,
    CaseState,
    Referral,
    Status,
    decide,
)
from tests.factories import make_tenant

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
VAULT = Vault("test-secret-for-pii-0123456789")
# Both slugs give the case-code prefix "HA": every code exists in both tenants.
SLUGS = ("haizhou", "hangzhou")
LEVELS = ("county", "town", "village")
NODES = [
    NodeRow("D1", "county", "海州区"),
    NodeRow("T1", "town", "新南街道", parent="D1"),
    NodeRow("V1", "village", "东风社区", parent="T1"),
    NodeRow("T2", "town", "朐阳街道", parent="D1"),
    NodeRow("V2", "village", "西湖村", parent="T2"),
]
LEVEL_OF = {n.code: n.level for n in NODES}
# make_tenant gives each tenant "court"; each gets one department the other lacks.
DEPARTMENTS = ({"court", "labor"}, {"court", "petition_office"})
DEPARTMENT_CHOICES = ("court", "court", "labor", "petition_office", "no_such_department")

STAFF = Actor("staff", ALL_STAFF)
ACTORS = (STAFF,) * 6 + (
    Actor("village-mediator", frozenset({"mediator"}), "/D1/T1/V1/"),
    Actor("t2-clerk", frozenset({"clerk"}), "/D1/T2/"),
)
ATTEMPT_ROLES = frozenset({"mediator", "leader", "department_liaison", "dispatcher"})
CLOSED_OR_FINAL = frozenset({Status.CLOSED.value, *(s.value for s in FINAL_STATES)})
FINAL = frozenset(s.value for s in FINAL_STATES)
OPEN = frozenset(s.value for s in OPEN_STATES)
OPEN_CLOCKS = frozenset(sla.OPEN_CLOCK_STATES)
DUE_CLOCKS = frozenset(sla.DUE_CLOCK_STATES)
FINISHED_CLOCKS = frozenset({sla.MET, sla.LATE, sla.STOPPED})
NAMES = tuple(n for n in TRANSITIONS if n != "register")
HOURS = (0, 0, 0, 0, 0.5, 3, 16, 24, 72, 24 * 8, 24 * 31)


def id_number(body: str) -> str:
    """A GB 11643 identity number: ``body`` (17 digits) and its check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


# A small pool, so repeat parties (found through the blind index) happen.
PEOPLE = (
    ("张三", id_number("11010519491231002"), "13812345678"),
    ("李四", id_number("32070219800101123"), "13900001111"),
    ("王五", id_number("32070319750505456"), None),
    ("赵六", None, "0518-85821234"),
)
DEFECTS = {  # a defect of the input → the field the error must name
    "phone": "parties.0.phone",
    "id_number": "parties.0.id_number",
    "case_type": "case_type",
    "location_node": "location_node",
    "applicant": "parties",
    "channel": "channel",
}
LOOKED_UP = frozenset({"case_type", "location_node"})  # checked against the tenant's catalogs
DETAILS = {
    "general_dispute": {},
    "legal_consultation": {},
    "petition": {"content_class": "appeal", "visitors": 2},
    "hotline_order": {"order_number": "12345-0001"},
    "court_delegated": {"court_case_number": "(2026)苏0706民诉前调1号"},
}


def red_signals(data: dict[str, Any]) -> bool:
    """True when the intake says red by itself: extreme words, a crowd or a huge amount."""
    return ("跳楼" in data["description"] or data.get("people_involved", 1) >= 50
            or float(data.get("amount") or 0) >= 5_000_000)


def utc(moment: datetime | None) -> datetime | None:
    """A stored moment as aware UTC (SQLite hands them back naive, in UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- strategies ----------------------------------------------------------------------------------


@st.composite
def intakes(draw: st.DrawFn) -> tuple[dict[str, Any], str | None, bool]:
    """(intake data, the field its defect must be named by or None, whether it signals red)."""
    case_type = draw(st.sampled_from(["general_dispute"] * 3 + sorted(DETAILS)))
    signal = draw(st.sampled_from(["none"] * 3 + ["words_red", "words_orange", "amount", "crowd"]))
    description = "多次协商未果"
    if signal == "words_red":
        description += "，当事人扬言跳楼"
    elif signal == "words_orange":
        description += "，扬言组织拉横幅"
    applicant, respondent = draw(st.permutations(PEOPLE))[:2]
    parties = []
    for role, (name, number, phone) in (("applicant", applicant), ("respondent", respondent)):
        party: dict[str, Any] = {"role": role, "name": name}
        if number and draw(st.booleans()):
            party["id_number"] = number
        if phone:
            party["phone"] = phone
        parties.append(party)
    data: dict[str, Any] = {
        "case_type": case_type,
        "channel": draw(st.sampled_from(["walk_in", "hotline_12345", "grid_report", "online"])),
        "title": draw(st.sampled_from(["楼上漏水引发邻里纠纷", "拖欠工资", "土地承包纠纷"])),
        "description": description,
        "location_node": draw(st.sampled_from(["V1", "V1", "V2", "T1", "T2", "D1"])),
        "parties": parties,
        "people_involved": 60 if signal == "crowd" else draw(st.integers(1, 5)),
    }
    if DETAILS[case_type]:
        data["details"] = dict(DETAILS[case_type])
    if signal == "amount":
        data["amount"] = "6000000.00"
    if draw(st.integers(0, 3)) == 0:
        data["idempotency_key"] = draw(st.sampled_from(["hotline-1", "hotline-2"]))
    defect = draw(st.sampled_from([None] * 10 + sorted(DEFECTS)))
    if defect == "phone":
        data["parties"][0]["phone"] = "12345"
    elif defect == "id_number":
        data["parties"][0]["id_number"] = "110105194912310021"  # wrong check digit
    elif defect == "case_type":
        data["case_type"] = "no_such_type"
    elif defect == "location_node":
        data["location_node"] = "NOPE"
    elif defect == "applicant":
        data["parties"] = [p for p in data["parties"] if p["role"] != "applicant"]
    elif defect == "channel":
        data["channel"] = "carrier_pigeon"
    return data, DEFECTS.get(defect), signal in ("words_red", "amount", "crowd")


def payloads(name: str, codes_known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Plausible payloads of transition ``name`` (sometimes missing a field or pointing nowhere).
    """
    reason = st.sampled_from(["当事人不愿调解", "不属于本单位职责", "群众不满意", ""])
    if name == "reject":
        return st.fixed_dictionaries({"reason": reason,
                                      "statutory_route": st.sampled_from(["向法院起诉", ""])})
    if name == "assign":
        return st.fixed_dictionaries(
            {"department": st.sampled_from(DEPARTMENT_CHOICES)},
            optional={"assisting": st.lists(st.sampled_from(DEPARTMENT_CHOICES), max_size=2)},
        )
    if name in ("return", "fail_mediation", "withdraw", "reopen"):
        return st.fixed_dictionaries({"reason": reason})
    if name == "resolve":
        return st.fixed_dictionaries({"outcome": st.sampled_from(["达成调解协议", ""])})
    if name == "escalate":
        return st.fixed_dictionaries({"reason": reason, "jump": st.booleans()})
    if name == "refer":
        routes = [r.value for r in Referral] + ["bogus", ""]
        return st.fixed_dictionaries({"route": st.sampled_from(routes),
                                      "institution": st.just("海州区人民法院")})
    if name == "merge":
        nowhere = codes.format_code("HA", 2026, 999_999)
        return st.fixed_dictionaries({"into": st.sampled_from([*codes_known, nowhere])})
    return st.just({})


#: How much more often ``advance`` takes a transition that moves a case on.
FORWARD = {"accept": 6, "assign": 6, "start_mediation": 6, "close": 6, "archive": 4,
           "reopen": 2}


def plausible(name: str, t: int, others: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Complete payloads: every needed field, departments of tenant ``t``, a valid route."""
    reason = st.sampled_from(["当事人不愿调解", "不属于本单位职责", "群众不满意"])
    if name == "reject":
        return st.fixed_dictionaries({"reason": reason, "statutory_route": st.just("向法院起诉")})
    if name == "assign":
        return st.fixed_dictionaries({"department": st.sampled_from(sorted(DEPARTMENTS[t]))})
    if name in ("return", "fail_mediation", "withdraw", "reopen"):
        return st.fixed_dictionaries({"reason": reason})
    if name == "resolve":
        return st.just({"outcome": "达成调解协议"})
    if name == "escalate":
        return st.fixed_dictionaries({"reason": reason, "jump": st.booleans()})
    if name == "refer":
        return st.fixed_dictionaries({"route": st.sampled_from([r.value for r in Referral])})
    if name == "merge":
        return st.fixed_dictionaries({"into": st.sampled_from(others or ["HA"])})
    return st.just({})


# --- the model -----------------------------------------------------------------------------------


@dataclass
class CaseModel:
    """What the test knows of one case, kept from the calls that succeeded."""

    tenant: int
    code: str
    data: dict[str, Any]
    status: str = Status.REGISTERED.value
    rung: int = 0
    attempts: list[tuple[int, bool]] = field(default_factory=list)
    closed_at: datetime | None = None
    evaluations: list[tuple[str, datetime]] = field(default_factory=list)
    final_version: int | None = None  # the row's version when it reached a final state


@dataclass(frozen=True)
class Snap:
    """A case as the database has it, read through its tenant's session."""

    id: int
    status: str
    rung: int
    risk: str
    version: int
    node_id: int
    node_code: str
    node_path: str
    due_at: datetime | None
    merged_into_id: int | None
    lead_active: bool
    lead_designated: bool

    def unchanged(self) -> tuple[Any, ...]:
        """What a refused call must leave as it was."""
        return (self.status, self.rung, self.risk, self.version, self.node_id, self.due_at,
                self.merged_into_id, self.lead_active)


@dataclass(frozen=True)
class Clock:
    """A deadline row as last seen."""

    case_id: int
    state: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None


@dataclass(frozen=True)
class Expect:
    """What a call should do: succeed, or fail with ``error`` (and exactly ``reasons``)."""

    error: type[Exception] | None = None
    reasons: list[str] | None = None


# --- the worlds each example starts from ----------------------------------------------------------


def tenant_models() -> list[type]:
    """Every mapped tenant-owned class (core's and the installed plugins')."""
    classes = {m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)}
    return sorted(classes, key=lambda cls: cls.__name__)


def build_tenants(database: Database) -> None:
    """The two tenants, their trees and departments (as make_tenant builds them)."""
    for slug, departments in zip(SLUGS, DEPARTMENTS, strict=True):
        tenant_id = make_tenant(database, slug, levels=LEVELS, nodes=NODES)
        with database.transaction(tenant_id) as session:
            for code in sorted(departments - {"court"}):
                session.add(Department(code=code, names={"zh_Hans": code}))


class Backend:
    """Hands each example a fresh two-tenant database and an owner's engine that sees all rows."""

    def fresh(self) -> tuple[Database, Engine]:
        raise NotImplementedError

    def discard(self, database: Database, owner: Engine) -> None:
        database.dispose()
        owner.dispose()


class SQLiteBackend(Backend):
    """Copies of one migrated file in which the two tenants were built once."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.folder = folder
        self.world = folder / "world.sqlite3"
        shutil.copy(template, self.world)
        database = Database(f"sqlite:///{self.world}")
        try:
            build_tenants(database)
        finally:
            database.dispose()

    def fresh(self) -> tuple[Database, Engine]:
        path = self.folder / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copy(self.world, path)
        url = f"sqlite:///{path}"
        database = Database(url)
        # A throw-away file: no fsync per commit (the suite's speed, not durability, matters).
        sa_event.listen(database.engine, "connect",
                        lambda conn, _record: conn.execute("PRAGMA synchronous=OFF"))
        return database, create_engine(url)

    def discard(self, database: Database, owner: Engine) -> None:
        super().discard(database, owner)
        path = Path(str(database.url.database))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


class PostgresBackend(Backend):
    """One database: the tenants are built once; each example empties the case tables."""

    CASE_TABLES = "cases, case_sequences, audit_events, notice_sequences, risk_files"

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        owner = create_engine(urls["owner"])
        with owner.begin() as conn:
            conn.execute(text("TRUNCATE tenants RESTART IDENTITY CASCADE"))
        owner.dispose()
        database = Database(urls["app"])
        try:
            build_tenants(database)
        finally:
            database.dispose()

    def fresh(self) -> tuple[Database, Engine]:
        owner = create_engine(self.urls["owner"])
        with owner.begin() as conn:
            conn.execute(text(f"TRUNCATE {self.CASE_TABLES} RESTART IDENTITY CASCADE"))
        return Database(self.urls["app"]), owner


# --- the state machine ---------------------------------------------------------------------------


class Lifecycles(RuleBasedStateMachine):
    """Cases of two tenants driven at random; the model and the invariants say what must hold."""

    registered = Bundle("cases")

    def __init__(self, backend: Backend, registry: PluginRegistry) -> None:
        super().__init__()
        self.backend = backend
        self.database, self.owner = backend.fresh()
        directory = TenantDirectory(self.database, registry)
        self.tenants: list[TenantContext] = [directory.get(slug) for slug in SLUGS]
        self.ladder = cases.ladder(self.tenants[0])
        self.now = START
        self.model: dict[tuple[int, str], CaseModel] = {}
        self.keys: dict[tuple[int, str], tuple[dict[str, Any], str]] = {}
        self.clocks: dict[tuple[int, int], Clock] = {}
        self.events = []
        for tenant in self.tenants:
            with self.database.transaction(tenant.id) as session:
                self.events.append(audit.verify_chain(session).events)
        self.models = tenant_models()
        self._raw_counts = self._raw_counts_sql()
        self._cross_refs = self._cross_refs_sql()
        # One statement: the ORM's tenant criteria reach into each scalar subquery.
        self._session_counts = select(*(
            select(func.count()).select_from(m).scalar_subquery().label(m.__table__.name)
            for m in self.models))

    def teardown(self) -> None:
        self.backend.discard(self.database, self.owner)

    # --- helpers ---------------------------------------------------------------------------------

    def call(self, t: int, fn: Callable[[Any], Any]) -> tuple[Any, cases.CaseError | None]:
        """``fn(session)`` in one transaction of tenant ``t``: its result, or the service error.

        Anything that is not a service error propagates and fails the test.
        """
        try:
            with self.database.transaction(self.tenants[t].id) as session:
                return fn(session), None
        except cases.CaseError as exc:
            return None, exc

    def snap(self, t: int, code: str) -> Snap:
        """The case with this code in tenant ``t``, its node and active lead (one query)."""
        lead = aliased(Assignment)
        with self.database.transaction(self.tenants[t].id) as session:
            row = session.execute(
                select(Case.id, Case.status, Case.rung, Case.risk, Case.version, Case.node_id,
                       TierNode.code, TierNode.path, Case.due_at, Case.merged_into_id,
                       lead.id, lead.designated)
                .join(TierNode, TierNode.id == Case.node_id)
                .outerjoin(lead, (lead.case_id == Case.id) & lead.active.is_(True)
                           & (lead.role == "lead"))
                .where(Case.code == code)
            ).all()
        assert len(row) == 1, f"{code}: {len(row)} rows (at most one active lead)"
        (case_id, status, rung, risk, version, node_id, node_code, path, due_at, merged,
         lead_id, designated) = row[0]
        return Snap(case_id, status, rung, risk, version, node_id, node_code, path, utc(due_at),
                    merged, lead_id is not None, bool(designated))

    def last_event(self, t: int) -> AuditEvent:
        with self.database.transaction(self.tenants[t].id) as session:
            return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))

    def outcome(self, expect: Expect, error: Exception | None, what: str) -> bool:
        """Compare an outcome with the expectation; True when the call succeeded."""
        if expect.error is None:
            assert error is None, f"{what}: expected success, got {error!r}"
            return True
        assert isinstance(error, expect.error), f"{what}: expected {expect.error.__name__}, " \
            f"got {'success' if error is None else repr(error)}"
        if expect.reasons is not None:
            assert error.reasons == expect.reasons, what
        return False

    # --- rules -----------------------------------------------------------------------------------

    @initialize(target=registered)
    def first_cases(self):
        """One plain case in each tenant: both get the code HA-2026-000001-…"""
        data = {"case_type": "general_dispute", "channel": "walk_in", "title": "邻里纠纷",
                "description": "楼上漏水", "location_node": "V1", "people_involved": 2,
                "parties": [{"role": "applicant", "name": PEOPLE[0][0], "phone": PEOPLE[0][2]},
                            {"role": "respondent", "name": PEOPLE[1][0]}]}
        first = [self._register(t, data, None, False) for t in (0, 1)]
        assert first[0][1] == first[1][1], "both tenants' first code should be the same"
        return multiple(*first)

    @rule(target=registered, t=st.integers(0, 1), intake=intakes(), data=st.data())
    def register(self, t: int, intake: tuple[dict[str, Any], str | None, bool],
                 data: st.DataObject):
        """A new intake, or now and then the input of an earlier case again: an idempotent
        replay when it had a key, a second case of the same parties (repeat risk) otherwise.
        A new case may then make a few plausible moves at once."""
        self._tick(data)
        if data.draw(st.integers(0, 3), label="again") == 0:
            t, code = data.draw(st.sampled_from(sorted(self.model)), label="again of")
            earlier = self.model[(t, code)].data
            return self._register(t, earlier, None, red_signals(earlier))
        given, defect, red = intake
        made = self._register(t, given, defect, red)
        if isinstance(made, tuple):
            self._advance(*made, data, fewest=0)
        return made

    def _register(self, t: int, data: dict[str, Any], defect: str | None, red: bool):
        tenant = self.tenants[t]
        key = data.get("idempotency_key")
        prior = self.keys.get((t, key)) if key else None
        result, error = self.call(t, lambda s: (lambda r: (r.case.code, r.created))(
            cases.register(s, tenant, data, STAFF, vault=VAULT, now=self.now)))
        reused = prior is not None and prior[0] != data
        if defect is not None:
            # The schema's fields are checked before the key; the catalogs (type, node) after.
            if reused and defect in LOOKED_UP:
                defect = "idempotency_key"
            assert isinstance(error, cases.CaseInvalid) and defect in error.fields, (defect, error)
            return multiple()
        if reused:
            assert isinstance(error, cases.CaseInvalid) and "idempotency_key" in error.fields
            return multiple()
        assert error is None, f"register: {error!r}"
        code, created = result
        if prior is not None:
            assert (code, created) == (prior[1], False), "an idempotent replay made a new case"
            return multiple()
        assert created and (t, code) not in self.model
        self.events[t] += 1
        snap = self.snap(t, code)
        assert snap.status == Status.REGISTERED.value
        level = LEVEL_OF[data["location_node"]]
        assert snap.rung == next(i for i, r in enumerate(self.ladder) if r.level == level)
        # "扬言跳楼", a crowd of 60 or 6,000,000 yuan is red; repeat parties reach orange at most.
        assert (snap.risk == "red") == red, (snap.risk, data)
        event = self.last_event(t)
        assert (event.action, event.object_id) == ("case.registered", code)
        self.model[(t, code)] = CaseModel(t, code, data, rung=snap.rung)
        if key:
            self.keys[(t, key)] = (data, code)
        return (t, code)

    @rule(case=registered, data=st.data())
    def act(self, case: tuple[int, str], data: st.DataObject) -> None:
        """Anything on a case: any transition (mostly one its state allows) by any actor with
        any payload and expected version, now and then through the other tenant (where the
        same code is another case, or none); or a mediation attempt, an evaluation, a clock
        paused or resumed."""
        self._tick(data)
        kind = data.draw(st.sampled_from(["transition"] * 6 + ["attempt"] * 2
                                         + ["evaluate", "clock"]), label="kind")
        actor = data.draw(st.sampled_from(ACTORS), label="actor")
        if kind == "attempt":
            leader, named = data.draw(st.booleans()), data.draw(st.booleans())
            result = data.draw(st.sampled_from(cases.ATTEMPT_RESULTS))
            self._attempt(*case, actor, leader=leader, named=named, result=result)
            return
        if kind == "evaluate":
            self._evaluate(*case, data.draw(st.sampled_from(cases.RATINGS)),
                           data.draw(st.sampled_from(cases.EVALUATION_CHANNELS)))
            return
        if kind == "clock":
            self._pause_or_resume(*case)
            return
        t = case[0] if data.draw(st.integers(0, 7), label="foreign") else 1 - case[0]
        code = case[1]
        model = self.model.get((t, code))
        allowed = [n for n in NAMES if model and Status(model.status) in TRANSITIONS[n].sources]
        if allowed and data.draw(st.integers(0, 4), label="any name"):
            name = data.draw(st.sampled_from(allowed), label="name")
        else:
            name = data.draw(st.sampled_from(NAMES), label="name")
        payload = data.draw(payloads(name, sorted({c for (_t, c) in self.model})),
                            label="payload")
        version = data.draw(st.sampled_from(["none"] * 6 + ["current", "stale"]), label="version")
        if model is None:
            tenant = self.tenants[t]
            _result, error = self.call(t, lambda s: cases.transition(
                s, tenant, code, name, actor, payload, now=self.now))
            assert isinstance(error, cases.CaseNotFound), f"{code} in tenant {t}: {error!r}"
            return
        self._transition(t, code, name, actor, payload, version)

    @rule(case=registered, data=st.data())
    def advance(self, case: tuple[int, str], data: st.DataObject) -> None:
        """A few plausible moves of one case, so that lifecycles get deep."""
        self._tick(data)
        self._advance(*case, data)

    @precondition(lambda self: any(m.status in OPEN for m in self.model.values()))
    @rule(data=st.data())
    def advance_open(self, data: st.DataObject) -> None:
        """A few plausible moves of a case still being worked on, cases in mediation (and so
        near the next rung) three times as likely."""
        self._tick(data)
        keys = sorted(k for k, m in self.model.items() if m.status in OPEN)
        keys += [k for k in keys if self.model[k].status == Status.IN_MEDIATION.value] * 2
        self._advance(*data.draw(st.sampled_from(keys), label="open case"), data)

    def _advance(self, t: int, code: str, data: st.DataObject, fewest: int = 1) -> None:
        """Up to three moves by staff with complete payloads, weighted toward progress
        (attempts and escalation in mediation, evaluations once closed). Each call is checked
        on its own (outcome, audit event, nothing changed when refused); the invariants run
        after the step."""
        model = self.model[(t, code)]
        for _move in range(data.draw(st.integers(fewest, 3), label="moves")):
            status = Status(model.status)
            options = [n for n in NAMES if status in TRANSITIONS[n].sources
                       for _ in range(FORWARD.get(n, 1))]
            if status == Status.IN_MEDIATION:  # attempts until the ladder allows, then up
                risk = self.snap(t, code).risk
                ready = decide_escalation(
                    self.ladder, model.rung,
                    [AttemptSummary(r, leader) for r, leader in model.attempts],
                    risk=risk).allowed
                top = model.rung == len(self.ladder) - 1
                options += ["attempt"] * 2 if top else ["escalate"] * 8 if ready else \
                    ["attempt"] * 8
            if status in (Status.CLOSED, Status.ARCHIVED):
                options += ["evaluate"]
            if not options:  # a final state: one transition, refused
                name = data.draw(st.sampled_from(NAMES), label="move")
                self._transition(t, code, name, STAFF, data.draw(plausible(name, t, [])), "none")
                return
            name = data.draw(st.sampled_from(options), label="move")
            if name == "attempt":
                leader = data.draw(st.sampled_from([True, True, False]), label="leader")
                self._attempt(t, code, STAFF, leader=leader, named=leader, result="failed")
                continue
            if name == "evaluate":
                self._evaluate(t, code, data.draw(st.sampled_from(cases.RATINGS)),
                               data.draw(st.sampled_from(cases.EVALUATION_CHANNELS)))
                continue
            mine = sorted(c for (u, c) in self.model if u == t and c != code)
            payload = data.draw(plausible(name, t, mine), label="payload")
            self._transition(t, code, name, STAFF, payload, "none")

    def _transition(self, t: int, code: str, name: str, actor: Actor, payload: dict[str, Any],
                    version: str) -> None:
        """Call ``cases.transition`` and check its outcome against the expectation."""
        model = self.model[(t, code)]
        tenant = self.tenants[t]
        before = self.snap(t, code)
        expected_version = {"none": None, "current": before.version,
                            "stale": before.version - 1}[version]
        expect = self._expect(t, model, before, name, actor, payload, expected_version)
        result, error = self.call(t, lambda s: cases.transition(
            s, tenant, code, name, actor, payload, expected_version=expected_version,
            now=self.now).status)
        succeeded = self.outcome(expect, error, f"{name} {payload} by {actor.name} "
                                                f"on {before.status} {code}")
        after = self.snap(t, code)
        if not succeeded:
            assert after.unchanged() == before.unchanged(), f"refused {name} changed the case"
            return
        target = TRANSITIONS[name].target.value
        assert result == after.status == target
        self.events[t] += 1
        event = self.last_event(t)
        assert (event.action, event.object_id) == (f"case.{name}", code)
        assert (event.data["from"], event.data["to"]) == (before.status, target)
        assert before.status not in FINAL, f"{code} left the final state {before.status}"
        model.status = target
        if target in FINAL:
            model.final_version = after.version
        if name == "escalate":
            self._escalated(model, before, after, bool(payload.get("jump")))
        elif name == "merge":
            into = self.snap(t, payload["into"])
            assert after.merged_into_id == into.id != after.id
        elif name == "close":
            model.closed_at = self.now
        elif name == "reopen":
            model.closed_at = None

    def _expect(self, t: int, model: CaseModel, before: Snap, name: str, actor: Actor,
                payload: dict[str, Any], expected_version: int | None) -> Expect:
        """What ``transition`` must do, from the pure state machine, the ladder and the model."""
        if expected_version is not None and expected_version != before.version:
            return Expect(cases.CaseConflict)
        assert before.status == model.status
        pure = decide(CaseState(Status(before.status), before.node_path, before.risk), name,
                      actor, payload)
        if pure.reasons:
            return Expect(cases.TransitionRefused, list(pure.reasons))
        if name == "assign":
            wanted = [payload["department"], *(payload.get("assisting") or [])]
            unknown = [d for d in wanted if d not in DEPARTMENTS[t]]
            return Expect(cases.TransitionRefused) if unknown else Expect()
        if name == "return":
            ok = before.lead_active and not before.lead_designated
            return Expect() if ok else Expect(cases.TransitionRefused)
        if name == "escalate":
            ladder = decide_escalation(
                self.ladder, before.rung,
                [AttemptSummary(rung, leader) for rung, leader in model.attempts],
                risk=before.risk, jump=bool(payload.get("jump")))
            if not ladder.allowed:
                return Expect(cases.TransitionRefused, [f"ladder:{r}" for r in ladder.reasons])
            return Expect()
        if name == "merge":
            into = self.model.get((t, payload["into"]))
            if into is None or into.code == model.code or into.status == Status.MERGED.value:
                return Expect(cases.TransitionRefused)
        return Expect()

    def _escalated(self, model: CaseModel, before: Snap, after: Snap, jump: bool) -> None:
        """Invariant (a), right where it can happen."""
        climbed = after.rung - before.rung
        if before.risk == "red":
            assert climbed in (1, 2), f"red escalation climbed {climbed} rungs"
        else:
            assert climbed == 1, f"a {before.risk} case climbed {climbed} rungs"
            here = [leader for rung, leader in model.attempts if rung == before.rung]
            rung = self.ladder[before.rung]
            assert len(here) >= rung.min_attempts, "escalated before the rung's attempts"
            assert any(here) or not rung.leader_required, "escalated without the leader"
        top = len(self.ladder) - 1
        assert after.rung == min(before.rung + (2 if jump else 1), top)
        assert self.ladder[after.rung].level == LEVEL_OF[after.node_code]
        assert before.node_path.startswith(after.node_path), "escalation left the case's branch"
        model.rung = after.rung

    def _attempt(self, t: int, code: str, actor: Actor, *, leader: bool, named: bool,
                 result: str) -> None:
        model = self.model[(t, code)]
        before = self.snap(t, code)
        attempt = {"mediator": "王调解", "result": result, "leader_involved": leader,
                   "leader_name": "刘书记" if named else ""}
        if leader and not named:
            expect = Expect(cases.CaseInvalid)
        elif before.status != Status.IN_MEDIATION.value:
            expect = Expect(cases.TransitionRefused, [f"state:{before.status}"])
        elif not actor.covers(before.node_path):
            expect = Expect(cases.TransitionRefused, ["scope"])
        elif not actor.roles & ATTEMPT_ROLES:
            expect = Expect(cases.TransitionRefused, ["role"])
        else:
            expect = Expect()
        rung, error = self.call(t, lambda s: cases.record_attempt(
            s, self.tenants[t], code, actor, attempt, now=self.now).rung)
        if self.outcome(expect, error, f"attempt on {before.status} {code}"):
            assert rung == before.rung
            model.attempts.append((rung, leader))
            self.events[t] += 1
            assert self.last_event(t).action == "case.attempt_recorded"
        else:
            assert self.snap(t, code).unchanged() == before.unchanged()

    def _evaluate(self, t: int, code: str, rating: str, channel: str) -> None:
        model = self.model[(t, code)]
        if model.status not in (Status.CLOSED.value, Status.ARCHIVED.value):
            expect = Expect(cases.TransitionRefused, [f"state:{model.status}"])
        elif any(c == channel and at >= model.closed_at for c, at in model.evaluations):
            expect = Expect(cases.CaseInvalid)  # one evaluation per channel per closure
        else:
            expect = Expect()
        _result, error = self.call(t, lambda s: cases.evaluate(
            s, self.tenants[t], code, STAFF, {"rating": rating, "channel": channel},
            now=self.now))
        if self.outcome(expect, error, f"evaluate {model.status} {code}"):
            model.evaluations.append((channel, self.now))
            self.events[t] += 1
            assert self.last_event(t).action == "case.evaluated"

    def _pause_or_resume(self, t: int, code: str) -> None:
        """Pause a running clock of the case (an appraisal starts) or resume a paused one.

        ``core.sla.pause``/``resume`` are clock primitives without an audit event of their own.
        """
        tenant = self.tenants[t]

        def toggle(session: Any) -> None:
            found = cases.get_case(session, code)
            clock = session.scalar(select(Deadline).where(
                Deadline.case_id == found.id, Deadline.state.in_((sla.RUNNING, sla.PAUSED)))
                .order_by(Deadline.id).limit(1))
            if clock is None:
                return
            if clock.state == sla.RUNNING:
                sla.pause(session, found, clock.rule, self.now)
            else:
                sla.resume(session, found, clock.rule, self.now, sla.calendar_for(tenant),
                           rules=cases.deadline_rules(tenant))

        _result, error = self.call(t, toggle)
        assert error is None

    @rule(t=st.integers(0, 1), data=st.data())
    def sweep(self, t: int, data: st.DataObject) -> None:
        """The periodic sweep at ``now``: one audit event per batch that changed something;
        afterwards no running clock of the tenant is past due."""
        self._tick(data)
        tenant_id = self.tenants[t].id
        result = run_sweep(self.database, tenant_id, self.now)
        self.events[t] += result.counts["batches"]
        with self.database.transaction(tenant_id) as session:
            missed = session.scalar(select(func.count()).select_from(Deadline).where(
                Deadline.state == sla.RUNNING, Deadline.due_at < self.now))
        assert missed == 0

    def _tick(self, data: st.DataObject) -> None:
        """Time passes now and then (every rule starts with this): the fake clock only goes
        forward, by up to a month, so clocks run out and the sweep finds breaches."""
        self.now += timedelta(hours=data.draw(st.sampled_from(HOURS), label="hours later"))

    # --- invariants ------------------------------------------------------------------------------

    def _raw_counts_sql(self) -> str:
        return " UNION ALL ".join(
            f"SELECT '{m.__table__.name}' AS tbl, tenant_id, count(*) AS n "
            f"FROM {m.__table__.name} GROUP BY tenant_id" for m in self.models)

    def _cross_refs_sql(self) -> str:
        """Rows whose foreign key points at a row of another tenant, per foreign key."""
        parts = []
        for model in self.models:
            table = model.__table__
            for fk in table.foreign_keys:
                target = fk.column.table
                if "tenant_id" not in target.c or fk.parent.name == "tenant_id":
                    continue
                parts.append(
                    f"SELECT '{table.name}.{fk.parent.name}' AS fk, count(*) AS n "
                    f"FROM {table.name} c JOIN {target.name} p ON c.{fk.parent.name} = "
                    f"p.{fk.column.name} WHERE c.tenant_id <> p.tenant_id")
        return " UNION ALL ".join(parts)

    @invariant()
    def consistent(self) -> None:
        with self.owner.connect() as conn:
            raw = {(r.tbl, r.tenant_id): r.n for r in conn.execute(text(self._raw_counts))}
            crossing = {r.fk: r.n for r in conn.execute(text(self._cross_refs)) if r.n}
            statuses = set(conn.scalars(text("SELECT DISTINCT status FROM cases")))
        tenant_ids = {tenant.id for tenant in self.tenants}
        # (e) isolation: what each session sees is exactly its tenant's rows; no crossing refs.
        assert {tid for (_t, tid) in raw} <= tenant_ids
        assert crossing == {}, f"rows referencing another tenant's rows: {crossing}"
        # (f) statuses are Status values.
        assert statuses <= {s.value for s in Status}, statuses
        for t, tenant in enumerate(self.tenants):
            with self.database.transaction(tenant.id) as session:
                seen = dict(session.execute(self._session_counts).one()._mapping)
                # (b) and (c): the chain verifies and holds exactly the events expected.
                report = audit.verify_chain(session)
                rows = session.execute(select(Case.id, Case.code, Case.status, Case.rung,
                                              Case.due_at, Case.version, Case.tenant_id)).all()
                clocks = session.execute(select(
                    Deadline.id, Deadline.case_id, Deadline.state, Deadline.started_at,
                    Deadline.due_at, Deadline.met_at, Deadline.tenant_id)).all()
                attempts = dict(session.execute(
                    select(MediationAttempt.case_id, func.count())
                    .group_by(MediationAttempt.case_id)).all())
            expected = {name: raw.get((name, tenant.id), 0) for name in seen}
            assert seen == expected, f"tenant {t} sees other rows than its own"
            assert report.ok, f"audit chain of tenant {t} broken at {report.broken_at}"
            assert report.events == self.events[t], (
                f"tenant {t}: {report.events} audit events, expected {self.events[t]}")
            assert {r.tenant_id for r in (*rows, *clocks)} <= {tenant.id}
            self._check_cases(t, rows, clocks, attempts)

    def _check_cases(self, t: int, rows: list[Any], clocks: list[Any],
                     attempts: dict[int, int]) -> None:
        # (f) the database agrees with the model; final states stay final.
        assert {r.code for r in rows} == {c for (u, c) in self.model if u == t}
        by_case: dict[int, list[Any]] = {}
        for clock in clocks:
            by_case.setdefault(clock.case_id, []).append(clock)
        for row in rows:
            model = self.model[(t, row.code)]
            assert row.status == model.status, (row.code, row.status, model.status)
            assert row.rung == model.rung, (row.code, row.rung, model.rung)
            if model.final_version is not None:  # archived, merged, withdrawn: never touched
                assert row.version == model.final_version, f"final {row.code} was changed"
            assert attempts.get(row.id, 0) == len(model.attempts)
            mine = by_case.get(row.id, [])
            # (d) due_at is the earliest running or breached clock.
            dues = [utc(c.due_at) for c in mine if c.state in DUE_CLOCKS]
            assert utc(row.due_at) == (min(dues) if dues else None), (
                f"{row.code} ({row.status}): due_at {row.due_at}, clocks "
                f"{[(c.state, c.due_at) for c in mine]}")
            if row.status in CLOSED_OR_FINAL:
                still = [(c.id, c.state) for c in mine if c.state in OPEN_CLOCKS]
                assert not still, f"{row.code} is {row.status} with open clocks {still}"
        # (d) clocks never vanish, never start over, never move earlier; finished ones stay.
        now_seen = {(t, c.id): Clock(c.case_id, c.state, utc(c.started_at), utc(c.due_at),
                                     utc(c.met_at)) for c in clocks}
        for key, old in self.clocks.items():
            if key[0] != t:
                continue
            new = now_seen.get(key)
            assert new is not None, f"clock {key} disappeared"
            assert (new.case_id, new.started_at) == (old.case_id, old.started_at)
            assert new.due_at >= old.due_at, f"clock {key} moved earlier: {old} → {new}"
            if old.state in FINISHED_CLOCKS:
                assert new == old, f"finished clock {key} changed: {old} → {new}"
        self.clocks.update(now_seen)


# --- the tests -----------------------------------------------------------------------------------


def run(backend: Backend, registry: PluginRegistry, examples: int) -> None:
    run_state_machine_as_test(
        lambda: Lifecycles(backend, registry),
        settings=settings(max_examples=examples, stateful_step_count=30, deadline=None,
                          database=None, print_blob=True),
    )


def test_random_lifecycles_keep_the_invariants_on_sqlite(sqlite_template, tmp_path,
                                                        registry) -> None:
    run(SQLiteBackend(sqlite_template, tmp_path), registry, examples=20)


@pytest.mark.postgres
def test_random_lifecycles_keep_the_invariants_on_postgresql(pg_urls, registry) -> None:
    run(PostgresBackend(pg_urls), registry, examples=6)
