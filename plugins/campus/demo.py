"""Demo records for a tenant that asks for them (``demo_records = true``): invented, no person.

Screenings and legal education events at the tenant's schools, written once: a tenant that
already has campus records gets nothing more, so applying the file again changes nothing.
Counseling referrals are not part of the demo (sealed details have no place in sample data).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from .models import LegalEducationEvent, ScreeningRecord

SCREENINGS = (
    ("班主任 王老师", "", "none", False),
    ("法治副校长 陈警官", "两名学生因座位调整多次口角，已约谈双方家长。", "yellow", True),
    ("心理老师 李老师", "一名学生反映被同学在班级群中起绰号、孤立。", "orange", False),
    ("年级组长 周老师", "宿舍卫生分工引发争执，当场调解。", "blue", True),
)
EVENTS = (
    ("《未成年人保护法》进校园", "students", 420),
    ("防范学生欺凌主题班会", "students", 56),
    ("家长学校：家庭教育促进法解读", "parents", 180),
    ("教职工预防性侵害培训", "staff", 64),
)


def seed(session: Any, schools: list[str], actor: str, today: date | None = None) -> int:
    """Add the demo records unless the tenant has some; returns how many were added."""
    if session.scalar(select(func.count()).select_from(ScreeningRecord)):
        return 0
    today = today or date.today()
    schools = schools or ["示范中学"]
    rows: list[Any] = []
    for index, (screener, findings, level, resolved) in enumerate(SCREENINGS):
        rows.append(ScreeningRecord(
            screened_on=today - timedelta(days=7 * (index + 1)),
            school=schools[index % len(schools)], screener=screener, findings=findings,
            risk_level=level, resolved=resolved,
            recorded_by=f"demo:{actor}"))
    for index, (title, audience, attendance) in enumerate(EVENTS):
        rows.append(LegalEducationEvent(
            title=title, held_on=today - timedelta(days=10 * (index + 1)),
            school=schools[index % len(schools)], audience=audience, attendance=attendance,
            recorded_by=f"demo:{actor}"))
    # Written inside ``tenant apply``'s transaction, whose ``tenant.applied`` event covers them.
    session.add_all(rows)
    return len(rows)
