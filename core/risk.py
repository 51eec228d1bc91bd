"""Risk grading (风险研判): red / orange / yellow / blue from rules, and key-person/event files.

Levels are 红 red / 橙 orange / 黄 yellow / 蓝 blue (重大 / 较大 / 一般 / 隐患), see
``reference/domain_rules.md`` §2.3 and :data:`core.categories.RISK_LEVELS`.

How a case is graded:

1. :func:`gather_facts` reads what the rules may look at into a frozen :class:`RiskFacts`: the
   case's own fields, its parties' blind indexes, how many other cases of the tenant share one
   of those indexes within the window (one indexed query), whether it is overdue, the tenant's
   thresholds.
2. Every :class:`RiskRule` (core's :data:`CORE_RULES`, delivered through the essential plugin's
   ``onedoor_risk_rules`` hook, plus any enabled plugin's) looks at the facts and may return a
   :class:`RiskFinding`: a level, the rule's name and a reason in each locale.
3. :func:`assess` keeps every finding; the highest level wins. A level a person set by hand
   (a ``{"rule": "manual", …}`` entry in ``case.risk_reasons``, see :func:`set_manual_risk`) is
   kept as a floor unless the caller passes ``keep_manual=False``.
4. :func:`apply_assessment` writes ``case.risk`` and ``case.risk_reasons`` (JSON).

Rules are pure functions of the facts, so a plugin rule is tested without a database, and the
one query per assessment stays one however many rules a tenant has.

Risk files (:class:`core.models.RiskFile`) follow below: :func:`open_risk_file`,
:func:`link_case`, :func:`files_for_case`, :func:`set_file_level`, :func:`close_risk_file`;
each state change writes exactly one audit event.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select, text, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from core import audit
from core.categories import RISK_ORDER
from core.db import TenantSession, tenant_sql
from core.models import Case, Party, RiskFile
from core.models.tenant import utcnow

#: Thresholds of a tenant that wrote no ``[risk]`` table (kept equal to
#: ``core.tenantconfig.schema.RISK_DEFAULTS`` by a test; the stored table is complete anyway).
DEFAULTS: dict[str, Any] = {
    "group_threshold": 10,
    "group_red_threshold": 50,
    "amount_orange": 500_000,
    "amount_red": 5_000_000,
    "repeat_cases": 3,
    "repeat_window_days": 365,
    "keywords_red": [],
    "keywords_orange": [],
}

#: Words that signal an extreme act (self-harm, violence, arson): red. Bare "杀" is not here on
#: purpose: 杀价 (haggling), 杀虫剂 (pesticide) and 杀毒 (antivirus) are everyday words in
#: consumer and pollution disputes; the threatening forms are listed instead.
DEFAULT_KEYWORDS_RED: tuple[str, ...] = (
    "自杀", "轻生", "不想活", "寻死", "跳楼", "跳河", "跳桥", "喝农药", "服毒", "上吊", "割腕",
    "自焚", "爆炸", "炸药", "汽油", "纵火", "放火", "同归于尽", "报复", "杀人", "杀了",
    "杀掉", "砍人", "砍死", "捅死", "弄死", "持刀", "投毒",
)
#: Words that signal collective action or escalation: orange.
DEFAULT_KEYWORDS_ORANGE: tuple[str, ...] = (
    "集体上访", "越级上访", "进京上访", "堵路", "堵门", "聚集", "围堵", "拉横幅", "静坐",
    "罢工", "停工", "串联", "闹访", "媒体曝光", "网上曝光", "集体讨薪",
)

# Traditional → simplified for the characters of the keyword lists and their usual companions.
# Text and keywords are both folded through it, so "喝農藥" matches "喝农药" and a keyword a
# tenant writes in traditional characters matches simplified text as well. A full conversion
# table (OpenCC) would be a new dependency for a few dozen characters that matter here.
_T2S_PAIRS = (
    "殺杀 輕轻 尋寻 樓楼 橋桥 農农 藥药 縱纵 歸归 於于 盡尽 報报 復复 體体 訪访 級级 "
    "進进 門门 圍围 橫横 靜静 罷罢 聯联 鬧闹 網网 討讨 燒烧 氣气 槍枪 鬥斗 毆殴 傷伤 "
    "糾纠 紛纷 衆众 眾众 團团 夥伙 幫帮 電电 話话 視视 頻频 發发 傳传 極极 滅灭 點点 "
    "錢钱 債债 壓压 滿满 憤愤 廠厂 場场 勞劳 動动 資资 業业 車车 訴诉 鎮镇 區区 縣县"
)
_T2S = str.maketrans({pair[0]: pair[1] for pair in _T2S_PAIRS.split()})

RiskReason = dict[str, str]


class RiskError(ValueError):
    """A risk rule or risk-file operation got input it cannot use; ``field`` names it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RiskFinding:
    """One rule's verdict: a level, the rule's name, why (per locale), and whether to supervise.

    ``supervise`` asks the supervision machinery (督办) to raise the case to leaders; the
    "overdue red case" rule sets it.
    """

    level: str
    rule: str
    reason: RiskReason = field(hash=False)
    supervise: bool = False

    def as_json(self) -> dict[str, Any]:
        """The ``case.risk_reasons`` entry of this finding."""
        entry: dict[str, Any] = {"rule": self.rule, "level": self.level,
                                 "reason": dict(self.reason)}
        if self.supervise:
            entry["supervise"] = True
        return entry


@dataclass(frozen=True)
class RiskFacts:
    """What risk rules may look at: read once per assessment, then shared by every rule.

    ``repeat_cases`` counts the tenant's *other* cases sharing an ID or phone blind index with
    a party of this case, registered within ``config["repeat_window_days"]`` before this case.
    ``config`` is the tenant's ``[risk]`` table merged over :data:`DEFAULTS` (read-only: it
    may be shared by every assessment of the tenant). ``case_id`` is
    None at registration: the case is graded before its row is written, so that its risk goes
    into the same INSERT.
    """

    case_id: int | None
    case_type: str
    category: str
    channel: str
    people_involved: int
    is_group: bool
    amount: Decimal | None
    text: str
    party_indexes: frozenset[str]
    repeat_cases: int
    overdue: bool
    current_level: str
    config: Mapping[str, Any] = field(hash=False, compare=False)
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: When the case was registered (aware UTC): seasonal rules (wage arrears before the Spring
    #: Festival) look at it; None only for facts built by hand without a date.
    registered_at: datetime | None = None


@dataclass(frozen=True)
class RiskRule:
    """A named rule: ``evaluate(facts)`` returns a :class:`RiskFinding` or None.

    Plugins return these from the ``onedoor_risk_rules`` hook; ``name`` is what the finding's
    ``rule`` should say and what appears in ``case.risk_reasons``.
    """

    name: str
    evaluate: Callable[[RiskFacts], RiskFinding | None]


@dataclass(frozen=True)
class RiskAssessment:
    """The level of a case (the highest finding's, blue without any) and every finding."""

    level: str
    findings: tuple[RiskFinding, ...]

    @property
    def needs_supervision(self) -> bool:
        """True when a finding asks for supervision (督办), e.g. an overdue red case."""
        return any(f.supervise for f in self.findings)

    def reasons(self) -> list[dict[str, Any]]:
        """The findings as ``case.risk_reasons`` stores them (JSON-serializable)."""
        return [f.as_json() for f in self.findings]


# --- configuration and facts ---------------------------------------------------------------------


def _unique(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        word = str(word).strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def risk_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The tenant's ``[risk]`` table over :data:`DEFAULTS`; keyword lists extend core's.

    Idempotent (merging a merged config changes nothing), so callers may pass either the raw
    ``tenant.config["risk"]`` or an already merged table.
    """
    merged = copy.deepcopy(DEFAULTS)
    for key, value in (config or {}).items():
        if key in DEFAULTS and value is not None:
            merged[key] = copy.deepcopy(value)
    merged["keywords_red"] = _unique([*DEFAULT_KEYWORDS_RED, *merged["keywords_red"]])
    merged["keywords_orange"] = _unique([*DEFAULT_KEYWORDS_ORANGE, *merged["keywords_orange"]])
    return merged


def frozen_risk_config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """:func:`risk_config`, read-only (keyword lists as tuples), for one tenant snapshot.

    Every intake and change of a case is graded: merging the table each time (a deep copy of
    the defaults) cost as much as the core rules themselves. :func:`gather_facts` uses a
    frozen table as it is; being read-only, one can be shared by every assessment.
    """
    merged = risk_config(config)
    return MappingProxyType({key: tuple(value) if isinstance(value, list) else value
                             for key, value in merged.items()})


def _utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive (they are stored as UTC); compare and bind in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def party_indexes(parties: Iterable[Party]) -> tuple[frozenset[str], frozenset[str]]:
    """The ID-number and phone blind indexes of ``parties`` (None values left out)."""
    parties = list(parties)
    ids = frozenset(p.id_index for p in parties if p.id_index)
    phones = frozenset(p.phone_index for p in parties if p.phone_index)
    return ids, phones


def count_repeat_cases(
    session: TenantSession,
    case: Case,
    id_indexes: frozenset[str],
    phone_indexes: frozenset[str],
    since: datetime,
) -> int:
    """Other cases of the session's tenant with a party sharing an index, registered ≥ ``since``.

    One query; ``parties (tenant_id, id_index)`` and ``(tenant_id, phone_index)`` serve its two
    halves, and the tenant predicate is bound from the session (tenant_sql) and, on
    PostgreSQL, row-level security (layer 2). Indexes are compared column to column: an ID index
    never meets a phone index (their HMACs differ by kind anyway).
    """
    if not (id_indexes or phone_indexes):
        return 0
    statement = _repeat_statement(len(id_indexes), len(phone_indexes), case.id is not None,
                                  session.get_bind().dialect.name == "sqlite")
    params: dict[str, Any] = {"since": _utc(since)}
    for name, indexes in (("ids", id_indexes), ("phones", phone_indexes)):
        params.update((f"{name}_{i}", index) for i, index in enumerate(sorted(indexes)))
    if case.id is not None:
        params["case_id"] = case.id
    if session.autoflush:
        session.flush()  # plain SQL does not autoflush: pending parties must count as the ORM's did
    return int(tenant_sql(session, statement, params).scalar() or 0)


@functools.lru_cache(maxsize=128)
def _repeat_statement(ids: int, phones: int, exclude: bool, sqlite: bool) -> Any:
    """The repeat-party count for ``ids`` ID and ``phones`` phone indexes, built once: it runs
    at every intake and change of a case. Plain SQL through :func:`core.db.tenant_sql`, which
    binds the session's tenant (both tables are filtered on it; row-level security applies on
    PostgreSQL too): the ORM's per-statement machinery costs several times the query itself
    here. One named parameter per index (``:ids_0, :ids_1``), not an expanding one: a case
    has a few parties, and expanding the list again at every execution cost a third of the
    statement's time on SQLite."""
    halves = tuple((column, "(" + ", ".join(f":{name}_{i}" for i in range(count)) + ")", count)
                   for column, name, count in (("id_index", "ids", ids),
                                               ("phone_index", "phones", phones)))
    if sqlite:
        # One branch per index, not one OR: without statistics (a new database, never
        # ANALYZEd) SQLite answers the OR by reading every party of the tenant, which grows
        # with the table; each branch here can only be an index lookup.
        branches = [f"SELECT p.case_id FROM parties p WHERE p.tenant_id = :tenant_id "
                    f"AND p.{column} IN {names}" for column, names, on in halves if on]
        # CROSS JOIN keeps the parties outermost: with a single branch SQLite flattens the
        # subquery and would otherwise walk every case registered since ``since`` (the index
        # on registered_at), probing parties per case — a cost that grows with the table.
        sql = (
            f"SELECT count(DISTINCT m.case_id) FROM ({' UNION ALL '.join(branches)}) m "
            "CROSS JOIN cases c "
            "WHERE c.tenant_id = :tenant_id AND c.id = m.case_id AND c.registered_at >= :since"
        )
        if exclude:
            sql += " AND m.case_id != :case_id"
    else:
        # PostgreSQL answers the OR with a BitmapOr of the two indexes (bench/intake.py: flat
        # from 10,000 to 1,000,000 cases); the UNION ALL form above grew with the table here.
        # The case's registration date is a scalar subquery, not a join: PostgreSQL does not
        # flatten it, so the parties' indexes always drive and each match costs one primary-key
        # lookup. As a join, a table not yet ANALYZEd (a new tenant's first minutes, before
        # autovacuum) was planned as a walk over every case of the tenant: 0.4 → 2.4 ms per
        # intake over its first 2,000 cases. The subquery names no tenant on purpose: an
        # index on (tenant_id, …) would otherwise be a candidate for the lookup; the party is
        # the tenant's (its predicate), so is its case, and row-level security applies too.
        matches = [f"p.{column} IN {names}" for column, names, on in halves if on]
        sql = (
            "SELECT count(DISTINCT p.case_id) FROM parties p "
            f"WHERE p.tenant_id = :tenant_id AND ({' OR '.join(matches)}) "
            "AND (SELECT c.registered_at FROM cases c WHERE c.id = p.case_id) >= :since"
        )
        if exclude:
            sql += " AND p.case_id != :case_id"
    return text(sql).bindparams(bindparam("since", type_=Case.registered_at.type))


def gather_facts(
    session: TenantSession,
    case: Case,
    config: Mapping[str, Any] | None,
    *,
    now: datetime | None = None,
) -> RiskFacts:
    """Read everything the rules may look at, with at most one query (the repeat count).

    ``config`` is the tenant's ``[risk]`` table (raw, merged or
    frozen: :func:`frozen_risk_config`, used as it is). The case counts as overdue when
    the deadline sweep flagged it (``case.overdue``) or, if ``now`` is given, when its earliest
    running deadline (``case.due_at``) has passed; without ``now`` only the sweep's flag counts,
    so a service called with a simulated clock is not graded against the wall clock.
    """
    merged = config if isinstance(config, MappingProxyType) else risk_config(config)
    ids, phones = party_indexes(case.parties)
    reference = _utc(case.registered_at) if case.registered_at is not None else utcnow()
    since = reference - timedelta(days=int(merged["repeat_window_days"]))
    repeat = count_repeat_cases(session, case, ids, phones, since)
    overdue = bool(case.overdue)
    if not overdue and now is not None and case.due_at is not None:
        overdue = _utc(case.due_at) < _utc(now)
    amount = case.amount
    return RiskFacts(
        case_id=case.id,
        case_type=case.case_type or "",
        category=case.category or "",
        channel=case.channel or "",
        people_involved=int(case.people_involved or 0),
        is_group=bool(case.is_group),
        amount=Decimal(amount) if amount is not None else None,
        text=f"{case.title or ''}\n{case.description or ''}",
        party_indexes=ids | phones,
        repeat_cases=repeat,
        overdue=overdue,
        current_level=case.risk or "blue",
        config=merged,
        details=dict(case.details or {}),
        registered_at=reference,
    )


# --- core rules ----------------------------------------------------------------------------------


def _reason(hans: str, hant: str, en: str) -> RiskReason:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


def _group_size(facts: RiskFacts) -> RiskFinding | None:
    """群体性纠纷: many people involved, or flagged as a group dispute."""
    people = facts.people_involved
    red, orange = int(facts.config["group_red_threshold"]), int(facts.config["group_threshold"])
    if people >= red:
        return RiskFinding("red", "group_size", _reason(
            f"群体性纠纷：涉及{people}人（达到{red}人）",
            f"群體性糾紛：涉及{people}人（達到{red}人）",
            f"group dispute: {people} people involved (threshold {red})"))
    if people >= orange:
        return RiskFinding("orange", "group_size", _reason(
            f"群体性纠纷：涉及{people}人（达到{orange}人）",
            f"群體性糾紛：涉及{people}人（達到{orange}人）",
            f"group dispute: {people} people involved (threshold {orange})"))
    if facts.is_group:
        return RiskFinding("yellow", "group_size", _reason(
            "登记为群体性纠纷", "登記為群體性糾紛", "registered as a group dispute"))
    return None


def _repeat_parties(facts: RiskFacts) -> RiskFinding | None:
    """Repeat parties: seed 001's "三次报警" — a dispute behind the third call is orange.

    ``repeat_cases`` (default 3) counts this case too: with two earlier cases of the same
    person in the window, this one is the third. A single earlier case gives yellow (隐患 is
    not enough: the person is back).
    """
    if facts.repeat_cases <= 0:
        return None
    nth = facts.repeat_cases + 1
    threshold = int(facts.config["repeat_cases"])
    days = int(facts.config["repeat_window_days"])
    level = "orange" if nth >= threshold else "yellow"
    return RiskFinding(level, "repeat_parties", _reason(
        f"当事人{days}天内第{nth}次来访或报警（另有{facts.repeat_cases}件，{threshold}次起为橙色）",
        f"當事人{days}天內第{nth}次來訪或報警（另有{facts.repeat_cases}件，{threshold}次起為橙色）",
        f"repeat party: case {nth} of the same person within {days} days "
        f"({facts.repeat_cases} other, orange from {threshold})"))


def _yuan(amount: Decimal | int) -> str:
    return f"{Decimal(amount):,.2f}".rstrip("0").rstrip(".")


def _amount(facts: RiskFacts) -> RiskFinding | None:
    """Large sums at stake (涉案金额)."""
    if facts.amount is None:
        return None
    red, orange = int(facts.config["amount_red"]), int(facts.config["amount_orange"])
    for level, threshold in (("red", red), ("orange", orange)):
        if facts.amount >= threshold:
            shown, limit = _yuan(facts.amount), _yuan(threshold)
            return RiskFinding(level, "amount", _reason(
                f"涉及金额{shown}元（达到{limit}元）",
                f"涉及金額{shown}元（達到{limit}元）",
                f"amount at stake CNY {shown} (threshold {limit})"))
    return None


def fold(text: str) -> str:
    """Text folded for keyword matching: traditional characters to simplified, Latin lowered."""
    return text.translate(_T2S).lower()


def matched_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords found in ``text``, in list order, each once (both sides folded)."""
    folded = fold(text)
    return [word for word, key in _folded_keywords(tuple(keywords)) if key in folded]


@functools.lru_cache(maxsize=256)
def _folded_keywords(keywords: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # A tenant's keyword lists change only when it is configured: fold them once, not per case.
    return tuple((word, fold(word)) for word in _unique(keywords))


def _keywords(key: str, level: str, rule: str, what: tuple[str, str, str]):
    def evaluate(facts: RiskFacts) -> RiskFinding | None:
        found = matched_keywords(facts.text, facts.config[key])
        if not found:
            return None
        return RiskFinding(level, rule, _reason(
            f"{what[0]}：{'、'.join(found)}", f"{what[1]}：{'、'.join(found)}",
            f"{what[2]}: {', '.join(found)}"))

    evaluate.__name__ = f"_{rule}"
    evaluate.__doc__ = f"Keywords of ``{key}`` in the title or description: {level}."
    return evaluate


def _overdue_red(facts: RiskFacts) -> RiskFinding | None:
    """A red case past its deadline stays red and is raised to leaders (督办)."""
    if not (facts.overdue and facts.current_level == "red"):
        return None
    return RiskFinding("red", "overdue_red", _reason(
        "红色风险案件已超期，需督办", "紅色風險案件已超期，需督辦", "overdue red case"),
        supervise=True)


#: Core's rules, in the order their reasons are listed at equal level.
CORE_RULES: list[RiskRule] = [
    RiskRule("group_size", _group_size),
    RiskRule("repeat_parties", _repeat_parties),
    RiskRule("amount", _amount),
    RiskRule("extreme_keywords", _keywords(
        "keywords_red", "red", "extreme_keywords",
        ("出现极端行为信号", "出現極端行為信號", "signs of an extreme act"))),
    RiskRule("collective_keywords", _keywords(
        "keywords_orange", "orange", "collective_keywords",
        ("出现聚集或越级信号", "出現聚集或越級信號", "signs of collective or escalating action"))),
    RiskRule("overdue_red", _overdue_red),
]


# --- assessment ----------------------------------------------------------------------------------


def rank(level: str) -> int:
    """Position of ``level`` in :data:`core.categories.RISK_ORDER` (blue 0 … red 3)."""
    try:
        return RISK_ORDER.index(level)
    except ValueError:
        raise RiskError(f"unknown risk level {level!r}; use one of {', '.join(RISK_ORDER)}",
                        "level") from None


def highest(levels: Iterable[str]) -> str:
    """The highest of ``levels`` (blue when there is none)."""
    return max(levels, key=rank, default="blue")


def manual_entry(case: Case) -> dict[str, Any] | None:
    """The ``{"rule": "manual", …}`` entry of ``case.risk_reasons``, if a person set a level."""
    for entry in case.risk_reasons or []:
        if isinstance(entry, Mapping) and entry.get("rule") == "manual":
            return dict(entry)
    return None


def _manual_finding(entry: Mapping[str, Any]) -> RiskFinding:
    reason = entry.get("reason") or {}
    if not isinstance(reason, Mapping):
        reason = {"zh_Hans": str(reason), "zh_Hant": str(reason), "en": str(reason)}
    level = str(entry.get("level", "blue"))
    rank(level)
    return RiskFinding(level, "manual", dict(reason))


def evaluate_rules(facts: RiskFacts, rules: Sequence[RiskRule]) -> list[RiskFinding]:
    """Every finding of ``rules`` on ``facts``, checked: known level, a reason per locale.

    A rule that raises is reported as :class:`RiskError` naming it: a broken plugin rule must
    not pass silently, or a case could be graded lower than it should.
    """
    findings = []
    for rule in rules:
        try:
            finding = rule.evaluate(facts)
        except RiskError:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised with the rule's name
            raise RiskError(f"risk rule {rule.name!r} failed: {exc}", rule.name) from exc
        if finding is None:
            continue
        if finding.level not in RISK_ORDER:
            raise RiskError(f"risk rule {rule.name!r} gave unknown level {finding.level!r}",
                            rule.name)
        if not isinstance(finding.reason, Mapping) or not finding.reason:
            raise RiskError(f"risk rule {rule.name!r} gave no reason", rule.name)
        findings.append(finding)
    return findings


def assess(
    session: TenantSession,
    case: Case,
    rules: Sequence[RiskRule],
    config: Mapping[str, Any] | None,
    *,
    keep_manual: bool = True,
    now: datetime | None = None,
) -> RiskAssessment:
    """Grade ``case`` with ``rules`` (core's and plugins'); the highest level wins.

    With ``keep_manual`` (the default), a level a person set (:func:`set_manual_risk`) is a
    floor: rules may raise the case above it, never below. ``now`` enables the due-date check of
    the overdue test (see :func:`gather_facts`). Nothing is written: see :func:`apply_assessment`.
    """
    facts = gather_facts(session, case, config, now=now)
    findings = evaluate_rules(facts, rules)
    manual = manual_entry(case) if keep_manual else None
    if manual is not None:
        findings.append(_manual_finding(manual))
    # Highest first; at equal level the rules' order (sorted() is stable).
    findings.sort(key=lambda f: -rank(f.level))
    return RiskAssessment(highest(f.level for f in findings), tuple(findings))


def apply_assessment(case: Case, assessment: RiskAssessment) -> bool:
    """Write the assessment on ``case`` (risk and risk_reasons); True if the level changed.

    A kept manual entry is written back as it was (who set it, when), so it survives any
    number of reassessments. Auditing is the caller's: the assessment runs inside a transition
    or an edit that records its own event.
    """
    previous = case.risk
    manual = manual_entry(case)
    reasons = []
    for finding in assessment.findings:
        if finding.rule == "manual" and manual is not None:
            reasons.append(manual)
        else:
            reasons.append(finding.as_json())
    case.risk = assessment.level
    case.risk_reasons = reasons
    return previous != assessment.level


def set_manual_risk(
    session: TenantSession,
    case: Case,
    level: str | None,
    *,
    by: str,
    reason: str,
    now: datetime | None = None,
) -> str:
    """A person sets (or, with ``level=None``, clears) the case's manual risk level.

    The manual level is a floor that later assessments keep; the case's level becomes the
    higher of it and the rules' findings already recorded. Writes one audit event and returns
    the case's new level.
    """
    if level is not None:
        rank(level)
    if not reason.strip() and level is not None:
        raise RiskError("say why the level is set by hand", "reason")
    now = now or utcnow()
    previous = case.risk
    others = [e for e in case.risk_reasons or []
              if not (isinstance(e, Mapping) and e.get("rule") == "manual")]
    entries = list(others)
    if level is not None:
        entries.insert(0, {"rule": "manual", "level": level,
                           "reason": {"zh_Hans": reason, "zh_Hant": reason, "en": reason},
                           "by": by, "at": _utc(now).isoformat()})
    case.risk_reasons = sorted(entries, key=lambda e: -rank(str(e.get("level", "blue"))))
    case.risk = highest(str(e.get("level", "blue")) for e in entries)
    session.flush()
    audit.record(session, actor=by, action="case.risk_set", object_type="case",
                 object_id=case.code, data={"from": previous, "to": case.risk,
                                            "manual": level, "reason": reason})
    return case.risk


# --- risk files (重点人员/重点事件风险档案) -------------------------------------------------

FILE_KINDS = ("person", "event")


def subject_index_of(party: Party) -> str | None:
    """The blind index a person's risk file is keyed on: the ID number's, else the phone's."""
    return party.id_index or party.phone_index


def _file_data(risk_file: RiskFile) -> dict[str, Any]:
    return {"kind": risk_file.kind, "level": risk_file.level, "title": risk_file.title}


def open_risk_file(
    session: TenantSession,
    *,
    kind: str,
    title: str,
    level: str,
    created_by: str,
    subject_index: str | None = None,
    notes: str = "",
    cases: Iterable[Case] = (),
    now: datetime | None = None,
) -> RiskFile:
    """Open a key person's (``kind="person"``, keyed on ``subject_index``) or key event's file.

    A person has at most one open file: opening a second for the same blind index is refused
    (link the new case to the open file instead). Writes one audit event.
    """
    if kind not in FILE_KINDS:
        raise RiskError(f"a risk file is about a person or an event, not {kind!r}", "kind")
    rank(level)
    if not title.strip():
        raise RiskError("a risk file needs a title", "title")
    if kind == "person":
        if not subject_index:
            raise RiskError("a person's file needs the person's blind index", "subject_index")
        existing = session.scalar(select(RiskFile.id).where(
            RiskFile.subject_index == subject_index, RiskFile.closed_at.is_(None)).limit(1))
        if existing is not None:
            raise RiskError(f"this person already has open risk file {existing}",
                            "subject_index")
    case_ids = _unique_ints(c.id for c in cases)
    risk_file = RiskFile(kind=kind, title=title.strip(), subject_index=subject_index,
                         level=level, opened_at=_utc(now or utcnow()), notes=notes,
                         case_ids=case_ids, created_by=created_by)
    session.add(risk_file)
    session.flush()
    audit.record(session, actor=created_by, action="risk_file.opened", object_type="risk_file",
                 object_id=risk_file.id, data={**_file_data(risk_file), "cases": case_ids})
    return risk_file


def _unique_ints(values: Iterable[int | None]) -> list[int]:
    out: list[int] = []
    for value in values:
        if value is None:
            raise RiskError("link a case after it is saved (it has no id yet)", "case")
        if value not in out:
            out.append(int(value))
    return out


def link_case(session: TenantSession, risk_file: RiskFile, case: Case, *, by: str = "") -> bool:
    """Add ``case`` to the file's cases; True if it was not linked yet (then one audit event).

    Linking twice changes nothing and records nothing. A closed file takes no new cases.
    """
    if risk_file.closed_at is not None:
        raise RiskError(f"risk file {risk_file.id} is closed", "risk_file")
    (case_id,) = _unique_ints([case.id])
    if case_id in (risk_file.case_ids or []):
        return False
    # A new list, not append(): JSON columns only notice assignment.
    risk_file.case_ids = [*(risk_file.case_ids or []), case_id]
    session.flush()
    audit.record(session, actor=by or risk_file.created_by, action="risk_file.case_linked",
                 object_type="risk_file", object_id=risk_file.id,
                 data={"case": case.code, "case_id": case_id})
    return True


def files_for_case(session: TenantSession, case: Case) -> list[RiskFile]:
    """Risk files that concern ``case``: its parties' files (by blind index) and files it is in.

    A person's file is found from any of the person's cases, through the ID and phone blind
    indexes of the case's parties, so a key person is recognised at the next intake. Open
    files come first, then by most recently opened.
    """
    ids, phones = party_indexes(case.parties)
    conditions = []
    if ids | phones:
        conditions.append(RiskFile.subject_index.in_(sorted(ids | phones)))
    if case.id is not None:
        conditions.append(_contains_case(session, case.id))
    if not conditions:
        return []
    return list(session.scalars(
        select(RiskFile).where(or_(*conditions))
        .order_by(RiskFile.closed_at.is_not(None), RiskFile.opened_at.desc(), RiskFile.id.desc())
    ))


def _contains_case(session: TenantSession, case_id: int) -> Any:
    """``case_id`` is in ``risk_files.case_ids``: JSONB containment, or SQLite's json_each."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(RiskFile.case_ids, JSONB).contains([case_id])
    linked = func.json_each(RiskFile.case_ids).table_valued("value")
    return exists(select(linked.c.value).where(linked.c.value == case_id))


def set_file_level(session: TenantSession, risk_file: RiskFile, level: str, *, by: str,
                   reason: str = "") -> bool:
    """Regrade a risk file; True if the level changed (then one audit event)."""
    rank(level)
    if level == risk_file.level:
        return False
    previous, risk_file.level = risk_file.level, level
    session.flush()
    audit.record(session, actor=by, action="risk_file.regraded", object_type="risk_file",
                 object_id=risk_file.id, data={"from": previous, "to": level, "reason": reason})
    return True


def close_risk_file(session: TenantSession, risk_file: RiskFile, *, by: str, reason: str,
                    now: datetime | None = None) -> None:
    """Close the file (the person or event no longer needs watching): one audit event."""
    if risk_file.closed_at is not None:
        raise RiskError(f"risk file {risk_file.id} is already closed", "risk_file")
    if not reason.strip():
        raise RiskError("say why the file is closed", "reason")
    risk_file.closed_at = _utc(now or utcnow())
    session.flush()
    audit.record(session, actor=by, action="risk_file.closed", object_type="risk_file",
                 object_id=risk_file.id, data={"reason": reason})
