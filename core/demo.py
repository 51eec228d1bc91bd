"""Synthetic demo cases: believable lifecycles for each demo tenant, no real person in them.

Names, ID numbers and phones come from Faker's zh_CN provider (valid check digits, invented
people). Each case goes through the same service functions staff use — intake, assignment,
mediation attempts, the escalation ladder, closure, evaluation — so the demo's data obeys every
rule the application enforces, audit trail included.

Besides core's disputes and hotline orders, every case type of the tenant's enabled plugins
gets a few cases with the type's ``example`` details, so each plugin's pages show real cases.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from faker import Faker
from sqlalchemy import func, select

from core import cases
from core.categories import CATEGORIES, CHANNELS
from core.db import Database
from core.essentials.lifecycle import CORE_CASE_TYPES
from core.models import Case, Department, TierLevel, TierNode, User
from core.pii import Vault
from core.tenancy import TenantContext
from core.workflow import ALL_STAFF, Actor

TITLES = {
    "neighbor": ["楼上漏水引发邻里纠纷", "宅前通道堵塞争执", "装修噪音扰民"],
    "marriage_family": ["赡养费分担争议", "离婚后子女探视纠纷", "家庭财产分割矛盾"],
    "labor": ["拖欠工资三个月", "工伤赔偿协商未果", "解除劳动合同补偿争议"],
    "contract": ["装修合同质量纠纷", "货款结算争议", "租赁合同押金未退"],
    "property_management": ["物业费上涨引发业主不满", "小区停车位分配矛盾", "电梯长期停运"],
    "traffic": ["电动车与行人碰撞赔偿", "停车场剐蹭责任认定"],
    "consumer": ["预付卡商家跑路", "网购商品质量投诉"],
    "housing_homestead": ["宅基地边界争议", "违建遮挡采光"],
    "damages": ["宠物咬伤赔偿", "高空坠物砸车"],
    "land_requisition": ["征地补偿标准异议"],
    "medical": ["术后并发症赔偿争议"],
}
OUTCOMES = ("succeeded", "failed")
#: Demo cases per plugin case type (on top of ``count``).
PER_PLUGIN_TYPE = 3


def seed_cases(
    database: Database,
    tenant: TenantContext,
    *,
    vault: Vault,
    count: int = 60,
    seed: int | None = None,
    now: datetime | None = None,
) -> int:
    """Create ``count`` synthetic cases for ``tenant`` unless it already has cases, plus
    :data:`PER_PLUGIN_TYPE` of each case type its enabled plugins declare (example details).

    Returns how many were created (0 when the tenant had cases: seeding is idempotent).
    """
    now = now or datetime.now(UTC)
    rng = random.Random(seed if seed is not None else tenant.slug)
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randrange(1 << 30))
    actor = Actor("demo", ALL_STAFF)
    with database.transaction(tenant.id) as session:
        if session.scalar(select(func.count()).select_from(Case)):
            return 0
        levels = [lv.code for lv in session.scalars(select(TierLevel).order_by(TierLevel.rank))]
        # Disputes happen at the bottom of the tree: villages, communities, grids.
        low = set(levels[-2:]) if len(levels) > 3 else set(levels[-1:])
        nodes = [n.code for n in session.scalars(
            select(TierNode).join(TierLevel).where(TierLevel.code.in_(low)).order_by(TierNode.code)
        )]
        departments = list(session.scalars(select(Department.code).order_by(Department.code)))
    all_types = cases.case_types(tenant)
    types = [t for t in all_types if t in ("general_dispute", "hotline_order")]
    for number in range(count):
        registered_at = now - timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 8))
        with database.transaction(tenant.id) as session:
            case = _register(session, tenant, actor, vault, fake, rng, nodes, types,
                             registered_at, number)
            _live(session, tenant, actor, rng, case.code, departments, registered_at, now)
    core_codes = {t.code for t in CORE_CASE_TYPES}
    made = count
    for code, case_type in sorted(all_types.items()):
        if code in core_codes or (case_type.details_schema is not None
                                  and not case_type.example):
            continue  # no example: details cannot be made up
        for index in range(PER_PLUGIN_TYPE):
            registered_at = now - timedelta(days=rng.uniform(0, 20), hours=rng.uniform(0, 8))
            data = _plugin_case(fake, rng, nodes, tenant, case_type, index)
            try:
                with database.transaction(tenant.id) as session:
                    case = cases.register(session, tenant, data, actor, vault=vault,
                                          now=registered_at).case
                    _live(session, tenant, actor, rng, case.code, departments,
                          registered_at, now)
            except cases.CaseInvalid:
                # An example valid on its own may fail a statutory check on the demo's dates
                # (a limitation period): the demo skips it rather than invent other details.
                continue
            made += 1
    return made


def _plugin_case(fake, rng, nodes, tenant, case_type, index: int) -> dict:
    """The intake of a demo case of a plugin's ``case_type`` with its example details."""
    return {
        "case_type": case_type.code,
        "category": case_type.category if case_type.category in CATEGORIES else "other",
        "channel": rng.choice(list(CHANNELS)),
        "title": f"{case_type.name('zh_Hans')}（演示）",
        "description": fake.paragraph(nb_sentences=3),
        "location_node": rng.choice(nodes),
        "address": fake.street_address(),
        "parties": [_party(fake, rng, "applicant"), _party(fake, rng, "respondent")],
        # what the type's statutory checks need beyond details (a minor party, an amount…)
        **copy.deepcopy(case_type.example_intake),
        "details": dict(case_type.example),
        "idempotency_key": f"demo-{tenant.slug}-{case_type.code}-{index}",
    }


def _register(session, tenant, actor, vault, fake, rng, nodes, types, at, number):
    category = rng.choice(sorted(TITLES))
    case_type = rng.choice(types)
    people = rng.choice([1, 1, 1, 2, 3, 12]) if category != "labor" else rng.choice([1, 8, 26])
    parties = [_party(fake, rng, "applicant")]
    if rng.random() < 0.85:
        parties.append(_party(fake, rng, "respondent", organization=category in (
            "labor", "property_management", "consumer")))
    data = {
        "case_type": case_type,
        "category": category if category in CATEGORIES else "other",
        "channel": rng.choice(list(CHANNELS)),
        "title": rng.choice(TITLES[category]),
        "description": fake.paragraph(nb_sentences=3),
        "location_node": rng.choice(nodes),
        "address": fake.street_address(),
        "people_involved": people,
        "is_group": people >= 10,
        "parties": parties,
        "idempotency_key": f"demo-{tenant.slug}-{number}",
    }
    if category in ("labor", "contract", "damages", "consumer"):
        data["amount"] = str(rng.choice([3800, 12500, 46000, 180000, 620000]))
    if case_type == "hotline_order":
        data["details"] = {"order_number": f"12345-{at:%Y%m%d}-{rng.randrange(10000):04d}"}
    return cases.register(session, tenant, data, actor, vault=vault, now=at).case


def _party(fake: Faker, rng: random.Random, role: str, *, organization: bool = False) -> dict:
    if organization:
        return {"role": role, "kind": "organization", "name": fake.company(),
                "phone": fake.phone_number(), "address": fake.address()}
    return {"role": role, "kind": "person", "name": fake.name(), "id_number": fake.ssn(),
            "phone": fake.phone_number(), "address": fake.address()}


def _live(session, tenant, actor, rng, code, departments: Sequence[str], start, now) -> None:
    """Walk a case some way along its life; the further back it started, the further it got."""
    age_days = (now - start).days
    clock = start
    steps = rng.random() * min(1.0, age_days / 30 + 0.2)

    def step(name: str, **payload) -> None:
        nonlocal clock
        clock = min(now, clock + timedelta(hours=rng.uniform(2, 60)))
        cases.transition(session, tenant, code, name, actor, payload, now=clock)

    if steps < 0.1:
        return
    step("accept")
    if steps < 0.2 or not departments:
        return
    step("assign", department=rng.choice(departments))
    step("start_mediation")
    attempts = rng.choice([1, 1, 2, 3])
    for _ in range(attempts):
        clock = min(now, clock + timedelta(days=rng.uniform(1, 6)))
        cases.record_attempt(session, tenant, code, actor, {
            "mediator": "调解员" + rng.choice("甲乙丙丁"), "result": "failed",
            "leader_involved": rng.random() < 0.4, "leader_name": "书记",
        }, now=clock)
    if steps < 0.45:
        return
    if rng.random() < 0.25:
        try:
            step("fail_mediation", reason="双方分歧较大")
            step("escalate", reason="村级调解未果，按1+2+3流程上报")
        except cases.TransitionRefused:
            pass
        return
    step("resolve", outcome="双方达成调解协议")
    if steps < 0.6:
        return
    step("close")
    clock = min(now, clock + timedelta(days=rng.uniform(1, 10)))
    cases.evaluate(session, tenant, code, actor, {
        "rating": rng.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"]),
        "channel": rng.choice(["callback", "online", "on_site"]),
    }, now=clock)


#: The demo's staff: username → roles at the root of the tree. Demo only: `onedoor demo`
#: creates them; `onedoor tenant apply` never creates accounts.
DEMO_STAFF = {
    "admin": ("tenant_admin", "leader"),
    "leader": ("leader",),
    "dispatcher": ("dispatcher",),
    "clerk": ("clerk",),
    "mediator": ("mediator",),
    "auditor": ("auditor",),
}
#: The demo accounts' password, printed by `onedoor demo`; never use these accounts in production.
DEMO_PASSWORD = "onedoor-demo"


def seed_staff(database: Database, tenant: TenantContext) -> list[str]:
    """Create the demo accounts of ``tenant`` that do not exist yet; returns their usernames."""
    from core import accounts  # noqa: PLC0415 - argon2 only when the demo needs it

    created = []
    with database.transaction(tenant.id) as session:
        for username, roles in DEMO_STAFF.items():
            exists = session.scalar(select(func.count()).select_from(User)
                                    .where(User.username == username))
            if exists:
                continue
            user = accounts.create_user(session, username, DEMO_PASSWORD, actor="cli:demo")
            for role in roles:
                accounts.add_membership(session, user, role, actor="cli:demo")
            created.append(username)
    return created
