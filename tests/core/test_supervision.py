"""Supervision notices: numbering of the "两函一单", delivery holds, the board, the printout."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core import audit, supervision
from core.calendar import WorkCalendar
from core.db import Database, TenantSession
from core.models import AuditEvent, Case, Deadline, Department, SupervisionNotice, Tenant
from tests.core.test_risk import make_case
from tests.factories import make_tenant

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def tenants(database: Database) -> tuple[int, int]:
    return make_tenant(database, "alpha"), make_tenant(database, "beta")


def issue(session: TenantSession, case: Case, kind: str, now: datetime = MONDAY_10,
          **kwargs) -> SupervisionNotice:
    return supervision.issue_notice(session, case, kind, issued_by="leader-1",
                                    body=kwargs.pop("body", "请于三日内反馈"), now=now,
                                    calendar=CALENDAR, **kwargs)


# --- numbering ------------------------------------------------------------------------------------


def test_numbers_per_kind_year_and_tenant_without_gaps(database: Database, tenants) -> None:
    alpha, beta = tenants
    with database.transaction(alpha) as session:
        case = make_case(session)
        numbers = [issue(session, case, kind).number for kind in (
            "risk_warning_letter", "risk_warning_letter", "work_reminder_letter",
            "risk_warning_letter", "task_assignment_sheet", "urge", "reminder",
            "work_reminder_letter")]
        assert numbers == ["预警函〔2026〕第0001号", "预警函〔2026〕第0002号",
                           "提示函〔2026〕第0001号", "预警函〔2026〕第0003号",
                           "交办单〔2026〕第0001号", "", "", "提示函〔2026〕第0002号"]
    # A rolled-back issue gives its number back: the next one follows without a gap.
    with pytest.raises(RuntimeError):
        with database.transaction(alpha) as session:
            issue(session, session.get(Case, case.id), "risk_warning_letter")
            raise RuntimeError("the caller failed after issuing")
    with database.transaction(alpha) as session:
        case = session.get(Case, case.id)
        assert issue(session, case, "risk_warning_letter").number == "预警函〔2026〕第0004号"
        # The year is the tenant's local year: 2026-12-31 17:00 UTC is already 2027 there.
        new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
        assert issue(session, case, "risk_warning_letter", now=new_year).number == \
            "预警函〔2027〕第0001号"
        assert issue(session, case, "risk_warning_letter").number == "预警函〔2026〕第0005号"
    with database.transaction(beta) as session:
        assert issue(session, make_case(session), "risk_warning_letter").number == \
            "预警函〔2026〕第0001号"


@pytest.mark.postgres
def test_concurrent_issuers_get_distinct_numbers(pg_url: str) -> None:
    database = Database(pg_url)
    try:
        alpha = make_tenant(database, "alpha")
        with database.transaction(alpha) as session:
            case_id = make_case(session).id
        first = database.session(alpha)
        first.begin()
        taken = [issue(first, first.get(Case, case_id), "task_assignment_sheet").number]
        errors: list[BaseException] = []

        def second_issuer() -> None:
            try:
                with database.transaction(alpha) as session:
                    taken.append(issue(session, session.get(Case, case_id),
                                       "task_assignment_sheet").number)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        thread = threading.Thread(target=second_issuer)
        thread.start()
        thread.join(1.0)
        # The second transaction waits on the counter row while the first is open.
        assert thread.is_alive() and len(taken) == 1
        first.commit()
        first.close()
        thread.join(10)
        assert not thread.is_alive() and errors == []
        assert taken == ["交办单〔2026〕第0001号", "交办单〔2026〕第0002号"]
        with database.transaction(alpha) as session:
            stored = session.scalars(select(SupervisionNotice.number)
                                     .order_by(SupervisionNotice.number)).all()
            assert stored == taken
            assert audit.verify_chain(session).ok
    finally:
        database.dispose()


# --- delivery -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "held_until"), [
    (datetime(2026, 3, 7, 22, 0, tzinfo=SHANGHAI), datetime(2026, 3, 9, 8, 30, tzinfo=SHANGHAI)),
    (datetime(2026, 3, 2, 12, 15, tzinfo=SHANGHAI), datetime(2026, 3, 2, 13, 30, tzinfo=SHANGHAI)),
    (datetime(2026, 3, 2, 19, 0, tzinfo=SHANGHAI), datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI)),
    # National Day holiday 2026: October 1-7; Saturday October 10 is a working day (调休).
    (datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI), datetime(2026, 10, 8, 8, 30, tzinfo=SHANGHAI)),
    (MONDAY_10, MONDAY_10),
])
def test_after_hours_notices_wait_for_the_next_working_period(
    database: Database, tenants, now: datetime, held_until: datetime
) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        case = make_case(session, risk="orange")
        notice = issue(session, case, "urge", now=now)
        assert notice.deliver_after.astimezone(UTC) == held_until.astimezone(UTC)
        red = make_case(session, risk="red")
        assert issue(session, red, "urge", now=now).deliver_after.astimezone(UTC) == \
            now.astimezone(UTC)


def test_pending_deliveries_respect_the_hold(database: Database, tenants) -> None:
    alpha, _ = tenants
    saturday = datetime(2026, 3, 7, 22, 0, tzinfo=SHANGHAI)
    with database.transaction(alpha) as session:
        held = issue(session, make_case(session), "supervise", now=saturday)
        urgent = issue(session, make_case(session, risk="red"), "risk_warning_letter",
                       now=saturday)
        assert supervision.pending_deliveries(session, saturday) == [urgent]
        assert supervision.mark_delivered(session, urgent, saturday, channel="sms")
        assert not supervision.mark_delivered(session, urgent, saturday)
        monday = datetime(2026, 3, 9, 8, 30, tzinfo=SHANGHAI)
        assert supervision.pending_deliveries(session, monday - timedelta(minutes=1)) == []
        assert supervision.pending_deliveries(session, monday) == [held]


# --- acknowledgement and audit --------------------------------------------------------------------


def test_one_audit_event_per_notice_and_acknowledgement(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        notice = issue(session, make_case(session), "work_reminder_letter",
                       respond_by=MONDAY_10 + timedelta(days=3))
        assert supervision.acknowledge(session, notice, "liaison-7", MONDAY_10 + timedelta(hours=1))
        assert not supervision.acknowledge(session, notice, "liaison-7", MONDAY_10)
        assert notice.acknowledged_at is not None and notice.delivered_at is not None
        events = session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.data)
            .where(AuditEvent.object_type == "supervision_notice",
                   AuditEvent.object_id == str(notice.id)).order_by(AuditEvent.seq)).all()
        assert [(e.action, e.actor) for e in events] == [
            ("supervision.issued", "leader-1"), ("supervision.acknowledged", "liaison-7")]
        assert events[0].data["number"] == "提示函〔2026〕第0001号"
        assert audit.verify_chain(session).ok


def test_bad_input_is_refused_naming_the_field(database: Database, tenants) -> None:
    alpha, beta = tenants
    with database.transaction(beta) as session:
        foreign_department = session.scalar(select(Department.id))
    with database.transaction(alpha) as session:
        case = make_case(session)
        for kwargs, field in (
            ({"kind": "memo"}, "kind"),
            ({"body": "  "}, "body"),
            ({"respond_by": MONDAY_10 - timedelta(days=1)}, "respond_by"),
            ({"to_department_id": foreign_department}, "to_department_id"),
            ({"now": datetime(2026, 3, 2, 10, 0)}, "now"),
            ({"deadline_id": 987654}, "deadline_id"),
        ):
            kind = kwargs.pop("kind", "urge")
            with pytest.raises(supervision.SupervisionError) as exc:
                issue(session, case, kind, **kwargs)
            assert exc.value.field == field
        assert session.scalars(select(SupervisionNotice)).all() == []


# --- the board ------------------------------------------------------------------------------------


def _deadline(session: TenantSession, case: Case, due_at: datetime,
              state: str = "running") -> None:
    due_at = due_at.astimezone(UTC)  # stored timestamps are UTC (SQLite keeps no offset)
    session.add(Deadline(case_id=case.id, rule="mediation", started_at=due_at - timedelta(days=30),
                         due_at=due_at, state=state))


def test_board_counts(database: Database, tenants) -> None:
    alpha, beta = tenants
    now = MONDAY_10
    with database.transaction(alpha) as session:
        soon = make_case(session)
        _deadline(session, soon, now + timedelta(hours=2))
        _deadline(session, soon, now + timedelta(days=20))
        soon_later = make_case(session)
        _deadline(session, soon_later, now + timedelta(hours=20))
        late = make_case(session)
        _deadline(session, late, now - timedelta(days=2))
        # Past its denormalized due date (the earliest clock), whatever its deadline rows say.
        flagged = make_case(session, overdue=True,
                            due_at=(now - timedelta(hours=1)).astimezone(UTC))
        quiet = make_case(session)
        _deadline(session, quiet, now + timedelta(days=3))
        _deadline(session, quiet, now - timedelta(days=3), state="met")
        closed = make_case(session, status="closed")
        _deadline(session, closed, now - timedelta(days=1))
        _deadline(session, closed, now + timedelta(hours=1))
        session.flush()
        issue(session, late, "urge")
        issue(session, late, "urge")
        issue(session, closed, "urge")
        issue(session, late, "supervise", now=now - timedelta(days=1))
        acknowledged = issue(session, flagged, "supervise")
        supervision.acknowledge(session, acknowledged, "liaison", now)
        issue(session, soon, "joint")
        issue(session, soon, "risk_warning_letter")
        ids = {name: c.id for name, c in (("soon", soon), ("soon_later", soon_later),
                                          ("late", late), ("flagged", flagged))}
    with database.transaction(beta) as session:
        other = make_case(session)
        _deadline(session, other, now - timedelta(days=1))
        session.flush()
        issue(session, other, "urge")

    with database.transaction(alpha) as session:
        result = supervision.board(session, now)
        assert result["due_soon"] == {"count": 2, "case_ids": [ids["soon"], ids["soon_later"]]}
        # Most urgent first: two days past, then one hour past.
        assert result["overdue"] == {"count": 2, "case_ids": [ids["late"], ids["flagged"]]}
        assert result["urged"] == {"count": 1, "case_ids": [ids["late"]], "unacknowledged": 2}
        assert result["supervised"] == {"count": 2, "case_ids": [ids["late"], ids["flagged"]],
                                        "unacknowledged": 1}
        assert result["joint"] == {"count": 1, "case_ids": [ids["soon"]], "unacknowledged": 1}
        limited = supervision.board(session, now, limit=1)
        assert limited["due_soon"] == {"count": 2, "case_ids": [ids["soon"]]}
        assert limited["supervised"]["count"] == 2 and len(limited["supervised"]["case_ids"]) == 1
    with database.transaction(beta) as session:
        result = supervision.board(session, now)
        assert result["overdue"]["count"] == 1 and result["urged"]["count"] == 1
        assert result["due_soon"]["count"] == 0


# --- the printable notice -------------------------------------------------------------------------


def _tenant(database: Database, tenant_id: int) -> Tenant:
    with database.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.config = {"names": {"zh_Hans": "舟山市", "zh_Hant": "舟山市", "en": "Zhoushan"}}
        return tenant


def test_render_notice_escapes_and_shows_number_and_code(database: Database, tenants) -> None:
    alpha, _ = tenants
    tenant = _tenant(database, alpha)
    with database.transaction(alpha) as session:
        case = make_case(session, risk="red", title="欠薪<b>纠纷</b>")
        notice = issue(session, case, "risk_warning_letter",
                       body="第一段 <script>alert('x')</script>\n\n第二段 & 风险",
                       respond_by=datetime(2026, 3, 5, 17, 30, tzinfo=SHANGHAI))
        # Read back: SQLite returns naive UTC timestamps, the dates must still be local.
        session.expire(notice)
        html = supervision.render_notice(notice, case, tenant, "zh_Hans", recipient="市人社局")
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "欠薪&lt;b&gt;纠纷&lt;/b&gt;" in html
    assert "<p>第二段 &amp; 风险</p>" in html
    assert "预警函〔2026〕第0001号" in html and case.code in html
    assert "舟山市" in html and "风险预警函" in html and "红色（重大）" in html
    assert "请于2026年3月5日前反馈办理情况。" in html
    assert "舟山市综治中心" in html and "2026年3月2日" in html
    assert "市人社局：" in html
    assert "@media print" in html and "@page" in html

    english = supervision.render_notice(notice, case, tenant, "en", issuing_unit="Dinghai Center")
    assert 'lang="en"' in english and "Case code" in english and "Risk warning letter" in english
    assert "Please reply by March 5, 2026." in english and "Dinghai Center" in english
    traditional = supervision.render_notice(notice, case, tenant, "zh_Hant")
    assert "案件編碼" in traditional and "風險預警函" in traditional
    assert "舟山市綜治中心" in traditional


def test_notice_csp_allows_exactly_the_notice_stylesheet(database: Database, tenants) -> None:
    alpha, _ = tenants
    tenant = _tenant(database, alpha)
    with database.transaction(alpha) as session:
        case = make_case(session)
        notice = issue(session, case, "urge")
        html = supervision.render_notice(notice, case, tenant, "zh_Hans")
    (css,) = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = supervision.notice_csp(html)
    assert f"style-src 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert "style=" not in html and "<script" not in html
    assert "第0" not in html  # an urging notice carries no number
