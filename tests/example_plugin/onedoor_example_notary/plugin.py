"""Hook implementations of the notary plugin (公证服务), the example third-party plugin.

Only ``core.toolkit`` and ``core.hookspecs`` are imported from OneDoor (a test checks it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from core.toolkit import (
    CaseType,
    DeadlineRule,
    DepartmentSpec,
    IndicatorDefinition,
    IntakeFinding,
    PluginIndicator,
    WindowType,
    hookimpl,
    msg,
    plugin_page,
)

from . import schemas, views
from .models import Certificate

NAMES = {"zh_Hans": "公证服务", "zh_Hant": "公證服務", "en": "Notary services"}
INTRO = {
    "zh_Hans": "在综治中心开设公证窗口，受理公证申请并按期出具公证书。",
    "zh_Hant": "在綜治中心開設公證窗口，受理公證申請並按期出具公證書。",
    "en": "A notary window at the center takes notarization applications and issues the "
    "certificates on time.",
}
WINDOW = WindowType("example_notary", {"zh_Hans": "公证", "zh_Hant": "公證", "en": "Notary"})
OFFICE = DepartmentSpec("example_notary_office",
                        {"zh_Hans": "公证处", "zh_Hant": "公證處", "en": "Notary Office"},
                        kind="specialty")

CERTIFICATE = DeadlineRule(
    "example_notary_certificate", 15, "working_days", starts_on="accepted",
    stops_on=frozenset({"resolved", "referred", "closed", "withdrawn", "merged"}),
    source="公证程序规则 (2020) 第三十五条: 自受理公证申请之日起十五个工作日内出具公证书",
    names={"zh_Hans": "出具公证书期限", "zh_Hant": "出具公證書期限",
           "en": "Issue the notarial certificate"},
)

APPLICATION = CaseType(
    "example_notary_application",
    {"zh_Hans": "公证申请", "zh_Hant": "公證申請", "en": "Notarization application"},
    window="example_notary",
    category="other",
    demand_type="request",
    deadlines=("example_notary_certificate",),
    details_schema=schemas.Details,
    description={"zh_Hans": "申请办理继承、合同、委托书等公证事项。",
                 "zh_Hant": "申請辦理繼承、合同、委託書等公證事項。",
                 "en": "An application to notarize an inheritance, a contract, a power of "
                 "attorney or other matter."},
    keywords=("公证",),
    example={"matter": "inheritance", "documents": 3},
)

PAGE = plugin_page("example_notary", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=[OFFICE], settings_schema=schemas.Settings)


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The notary window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The notary office."""
    return [OFFICE]


@hookimpl
def onedoor_settings_schema() -> schemas.Settings:
    """``[plugins.example_notary]``: the name of the notary office."""
    return schemas.Settings()


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """The notarization application."""
    return [APPLICATION]


@hookimpl
def onedoor_deadline_rules() -> list[DeadlineRule]:
    """Fifteen working days from acceptance to the certificate."""
    return [CERTIFICATE]


@hookimpl
def onedoor_check_intake(case_type, data, now) -> list[IntakeFinding] | None:
    """An inheritance needs at least two documents (the death certificate, proof of kinship):
    registered with a warning, since the applicant may bring them later."""
    if case_type.code != APPLICATION.code:
        return None
    details = data.get("details") or {}
    if details.get("matter") != "inheritance" or details.get("documents", 1) >= 2:
        return None
    return [IntakeFinding("details.documents", msg(
        "an inheritance needs the death certificate and proof of kinship"),
        rule="公证程序规则 (2020) 第十八条")]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (zh_Hans, zh_Hant, en)."""
    return [str(Path(__file__).parent / "translations")]


@hookimpl
def onedoor_blueprints():
    """The info page at ``/<tenant>/plugins/example_notary/``, the certificates at
    ``…/certificates``."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_migration_dirs() -> list[str]:
    """The certificates table (branch ``example_notary``)."""
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def onedoor_after_transition(case, transition, session) -> None:
    """Resolving an application issues its certificate, in the transition's transaction."""
    if case.case_type != APPLICATION.code or transition.name != "resolve":
        return
    now = datetime.now(UTC)
    due = case.due_at
    if due is not None and due.tzinfo is None:  # SQLite hands back naive UTC
        due = due.replace(tzinfo=UTC)
    session.add(Certificate(case_id=case.id, number=f"{case.code}-GZ", issued_at=now,
                            on_time=due is None or now <= due))


def _on_time(session, cases) -> tuple[int, int]:
    row = session.execute(select(func.count().filter(Certificate.on_time.is_(True)),
                                 func.count()).where(Certificate.case_id.in_(cases))).one()
    return row[0], row[1]


ON_TIME = PluginIndicator(IndicatorDefinition(
    "example_notary_on_time", "ratio",
    {"zh_Hans": "公证书按期出具率", "zh_Hant": "公證書按期出具率",
     "en": "Certificates issued on time"},
    {"zh_Hans": "按期出具的公证书 ÷ 出具的公证书", "zh_Hant": "按期出具的公證書 ÷ 出具的公證書",
     "en": "certificates issued within the deadline ÷ certificates issued"}), _on_time)


@hookimpl
def onedoor_indicators() -> list[PluginIndicator]:
    """The share of certificates issued on time."""
    return [ON_TIME]
