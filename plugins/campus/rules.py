"""The campus plugin's rules: deadlines, risk, intake checks, routing, transition checks.

Pure functions of their inputs (the routing and the transition check read a few rows through
the session they are given). Statutes cited, as read in the official text (LawRefBook/Laws,
``社会法/未成年人保护法(2024-04-26).md``):

* 未成年人保护法 第二条 — a minor is under eighteen.
* 第四条（三） — matters concerning minors protect their privacy and personal information;
  第一百零三条 — no one may disclose a minor's name, image, address, school or anything else
  identifying them in a case.
* 第三十九条 — the school stops bullying at once and notifies the guardians of both the
  bullying and the bullied student to take part in determining and handling it (第二款);
  serious bullying must not be hidden and is reported to the public security organ and the
  education administration (第三款).
* 第一百三十条（三） — 学生欺凌 happens between students.

The ten-day investigation comes from 《加强中小学生欺凌综合治理方案》(教督〔2017〕10号), which the
shared reference does not hold; it is cited as restated by provincial implementation plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from core.toolkit import (
    DeadlineRule,
    IntakeFinding,
    RiskFacts,
    RiskFinding,
    RiskRule,
    RoutingDecision,
    lazy_gettext,
    msg,
)

DISPUTE = "campus_dispute"
BULLYING = "campus_bullying"
CASE_TYPES = (DISPUTE, BULLYING)
POLICE_POST = "campus_police_post"
EDUCATION_BUREAU = "campus_education_bureau"
#: Transitions that end the school's handling of a bullying case.
ENDING = frozenset({"resolve", "close"})

_HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})

DEADLINE_RULES = (
    DeadlineRule(
        "campus_bullying_investigation", 10, "days", starts_on="accepted",
        stops_on=_HANDLE_STOPS,
        source="《加强中小学生欺凌综合治理方案》(教督〔2017〕10号) 三（二）: the school "
               "completes its investigation within 10 days of starting it (as restated by "
               "provincial plans, e.g. 福建省实施方案 2018; not in the shared reference)",
        names={"zh_Hans": "学生欺凌调查期限", "zh_Hant": "學生欺凌調查期限",
               "en": "Bullying investigation"}),
    DeadlineRule(
        "campus_dispute_mediation", 30, "days", starts_on="assigned", stops_on=_HANDLE_STOPS,
        source="local practice, no statute: campus disputes settled within 30 days, like "
               "general mediation (cf. 特邀调解规定 Art. 27)",
        names={"zh_Hans": "校园纠纷调解期限", "zh_Hant": "校園糾紛調解期限",
               "en": "Campus dispute mediation"}),
)

#: Words in a campus case that call for the police post at once: red.
KEYWORDS_RED = ("持刀", "刀具", "勒索", "敲诈", "群殴", "性侵", "猥亵", "自残", "轻生")
#: Words that signal escalating bullying: orange.
KEYWORDS_ORANGE = ("殴打", "围殴", "网络欺凌", "威胁", "孤立", "辱骂", "拍视频")


def _reason(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def student_is_minor(details: Mapping[str, Any], on: date) -> bool:
    """True when the details say the student is a minor, or their date of birth does."""
    born = details.get("date_of_birth")
    if isinstance(born, str):
        born = date.fromisoformat(born)
    if born is not None:
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        if age < 18:
            return True
    return bool(details.get("minor"))


def _bullying_risk(facts: RiskFacts) -> RiskFinding | None:
    if facts.case_type != BULLYING:
        return None
    details = facts.details or {}
    if details.get("serious"):
        return RiskFinding("red", "campus_bullying", _reason(
            "严重学生欺凌：学校不得隐瞒，应报告公安机关、教育行政部门（未成年人保护法第三十九条第三款）",
            "嚴重學生欺凌：學校不得隱瞞，應報告公安機關、教育行政部門（未成年人保護法第三十九條第三款）",
            "Serious bullying: must be reported to the police and the education bureau "
            "(Minors Protection Law Art. 39(3))"))
    if student_is_minor(details, date.today()):
        return RiskFinding("orange", "campus_bullying", _reason(
            "未成年学生遭受欺凌（未成年人保护法第三十九条）",
            "未成年學生遭受欺凌（未成年人保護法第三十九條）",
            "A minor is being bullied (Minors Protection Law Art. 39)"))
    return RiskFinding("yellow", "campus_bullying", _reason(
        "学生欺凌", "學生欺凌", "Student bullying"))


def _keyword_risk(facts: RiskFacts) -> RiskFinding | None:
    if facts.case_type not in CASE_TYPES:
        return None
    for level, words in (("red", KEYWORDS_RED), ("orange", KEYWORDS_ORANGE)):
        found = [w for w in words if w in facts.text]
        if found:
            word = "、".join(found)
            return RiskFinding(level, "campus_keywords", _reason(
                f"校园案件关键词：{word}", f"校園案件關鍵詞：{word}",
                f"Campus case keywords: {word}"))
    return None


RISK_RULES = (RiskRule("campus_bullying", _bullying_risk),
              RiskRule("campus_keywords", _keyword_risk))


def check_intake(settings: Mapping[str, Any], code: str, data: Mapping[str, Any],
                 now: datetime) -> list[IntakeFinding]:
    """Statutory checks of a campus case at intake (see the module's statutes)."""
    if code not in CASE_TYPES:
        return []
    details = data.get("details") or {}
    findings: list[IntakeFinding] = []
    schools = settings.get("schools") or []
    if schools and details.get("school") not in schools:
        findings.append(IntakeFinding("details.school", msg(
            "This school is not one the center serves; choose one of the tenant's schools."),
            blocking=True, rule="[plugins.campus] schools"))
    today = now.date()
    born = details.get("date_of_birth")
    minor = student_is_minor(details, today)
    if born and minor and not details.get("minor"):
        findings.append(IntakeFinding("details.minor", msg(
            "The date of birth shows the student is under 18: mark the student as a minor."),
            blocking=True, rule="未成年人保护法 第二条"))
    protected = any(p.get("minor") for p in data.get("parties") or [])
    if minor and details.get("person_kind", "student") == "student" and not protected:
        findings.append(IntakeFinding("parties", msg(
            "A minor's name must not be disclosed: mark the student's party as under 18."),
            blocking=True, rule="未成年人保护法 第四条（三）、第一百零三条"))
    findings.extend(minors_named_in_free_text(data))
    if code == BULLYING:
        if details.get("person_kind") == "staff":
            findings.append(IntakeFinding("details.person_kind", msg(
                "Student bullying happens between students; register a campus dispute "
                "instead."), blocking=True, rule="未成年人保护法 第一百三十条（三）"))
        if not details.get("guardians_notified"):
            findings.append(IntakeFinding("details.guardians_notified", msg(
                "The guardians of both students must be notified to take part in handling "
                "the bullying; record it before the case is resolved."),
                rule="未成年人保护法 第三十九条第二款"))
        if details.get("serious"):
            findings.append(IntakeFinding("details.serious", msg(
                "Serious bullying must not be hidden: it is reported to the police and the "
                "education bureau."), rule="未成年人保护法 第三十九条第三款"))
    return findings


#: Names shorter than this are not looked for in free text (a one-character "name" would match
#: everywhere; Chinese full names have two to four characters).
MIN_NAME_LENGTH = 2


def minors_named_in_free_text(data: Mapping[str, Any]) -> list[IntakeFinding]:
    """A warning on the title and on the description for each that holds a minor party's name.

    The party's name itself is protected (stored encrypted, shown masked) but free text is kept
    as typed, so the clerk is told to remove it (未成年人保护法 第一百零三条). The warning names
    the party by its number on the form, never by its name: warnings are kept on the case and
    in its audit trail.
    """
    names = [(index, (party.get("name") or "").strip())
             for index, party in enumerate(data.get("parties") or [], start=1)
             if party.get("minor") and party.get("kind", "person") == "person"]
    names = [(index, name) for index, name in names if len(name) >= MIN_NAME_LENGTH]
    findings = []
    for field in ("title", "description"):
        text = data.get(field) or ""
        found = [index for index, name in names if name in text]
        if found:
            findings.append(IntakeFinding(field, msg(
                "This text names a party who is a minor (party %(parties)s): remove the name, "
                "e.g. write 王某 instead.", parties=", ".join(str(i) for i in found)),
                rule="未成年人保护法 第一百零三条"))
    return findings


def route(settings: Mapping[str, Any], case: Any,
          existing: frozenset[str]) -> RoutingDecision | None:
    """Bullying and violent campus cases go to the campus police post (学生欺凌、校园暴力).

    The education bureau assists when the tenant's ``notify_education_bureau`` is true.
    ``existing`` holds the department codes the tenant has; a missing police post defers to
    the dispatch catalog rather than naming a department that does not exist.
    """
    details = case.details or {}
    violent = case.case_type == BULLYING or (case.case_type == DISPUTE
                                             and details.get("violence"))
    if not violent or POLICE_POST not in existing:
        return None
    assisting: tuple[str, ...] = ()
    if settings.get("notify_education_bureau", True) and EDUCATION_BUREAU in existing:
        assisting = (EDUCATION_BUREAU,)
    return RoutingDecision(
        lead=POLICE_POST, assisting=assisting,
        reason="学生欺凌/校园暴力由校园警务室主办（未成年人保护法第三十九条第三款）"
               + ("，教育局协办" if assisting else ""))


def transition_reasons(case: Any, transition_name: str, follow_up_kinds: set[str]) -> list[Any]:
    """Why a bullying case may not be resolved or closed yet (第三十九条第二款), if it may not."""
    if case.case_type != BULLYING or transition_name not in ENDING:
        return []
    if (case.details or {}).get("guardians_notified") or "guardians_notified" in follow_up_kinds:
        return []
    return [lazy_gettext("Record that the guardians of both students were notified "
                         "(Minors Protection Law Art. 39) before ending a bullying case.")]
