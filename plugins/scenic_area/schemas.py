"""Settings (``[plugins.scenic_area]``) and case details of the scenic area plugin.

Tourism complaints follow 旅游投诉处理办法 (国家旅游局令第32号, effective 2010-07-01): not
accepted more than 90 days after the tour contract ended, accepted or refused within 5 working
days, mediated within 60 days; four or more complainants with the same grievance against the
same respondent make a joint complaint represented by 1 to 3 of them. The 90-day rule needs the
date of intake, so it is checked in :mod:`.rules`; the joint-complaint rule is the details
schema's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from core.toolkit import msg

#: Complainants from whom a tourism complaint is a joint complaint (共同投诉).
JOINT_COMPLAINANTS = 4
#: A joint complaint names 1 to 3 representatives.
MIN_REPRESENTATIVES, MAX_REPRESENTATIVES = 1, 3

#: Who are the plugin's emergency liaisons unless the tenant names others.
DEFAULT_LIAISONS = ("scenic_area_tourism_police", "scenic_area_tourism_bureau",
                    "scenic_area_enforcement")


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    # Each spot gets its own complaint QR code, so a repeated name is a mistake.
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(
            f"Each entry may be listed once; repeated: {', '.join(repeated)}."
        )


class ScenicAreaSettings(Schema):
    """Settings a tenant gives for the scenic area plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; scenic_area takes scenic_spots, acceptance_working_days, "
        "response_minutes and emergency_liaisons."
    }

    scenic_spots = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each scenic spot's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["普陀山", "桃花岛"].'},
        metadata={"names": _names("景区景点", "景區景點", "Scenic spots")},
    )
    acceptance_working_days = fields.Integer(
        strict=True,
        load_default=5,
        validate=validate.Range(
            min=1, max=30, error="Give a number of working days from {min} to {max}."
        ),
        error_messages={"invalid": "Give a whole number of working days."},
        metadata={"names": _names("受理期限（工作日）", "受理期限（工作日）",
                                  "Acceptance period (working days)")},
    )
    response_minutes = fields.Integer(
        strict=True,
        load_default=30,
        validate=validate.Range(
            min=5, max=240, error="Give a number of minutes from {min} to {max}."
        ),
        error_messages={"invalid": "Give a whole number of minutes."},
        metadata={"names": _names("现场响应时限（分钟）", "現場響應時限（分鐘）",
                                  "On-site response (minutes)")},
    )
    emergency_liaisons = fields.List(
        fields.String(
            validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$",
                                     error="Give a department code such as public_security."),
            error_messages={"invalid": "Give each department code as text."},
        ),
        load_default=lambda: list(DEFAULT_LIAISONS),
        validate=[validate.Length(min=1, max=8, error="Name 1 to 8 departments."),
                  _no_duplicates],
        error_messages={"invalid": 'Give a list of department codes, e.g. ["public_security"].'},
        metadata={"names": _names("应急联络部门", "應急聯絡部門", "Emergency liaisons")},
    )


# --- case details -----------------------------------------------------------------------------

RESPONDENT_KINDS = {
    "travel_agency": _names("旅行社", "旅行社", "Travel agency"),
    "scenic_operator": _names("景区经营单位", "景區經營單位", "Scenic area operator"),
    "hotel": _names("住宿经营者", "住宿經營者", "Accommodation"),
    "catering_shop": _names("餐饮购物经营者", "餐飲購物經營者", "Restaurant or shop"),
    "transport": _names("旅游交通经营者", "旅遊交通經營者", "Tourist transport"),
    "guide": _names("导游领队", "導遊領隊", "Tour guide or leader"),
    "other": _names("其他", "其他", "Other"),
}

EMERGENCY_KINDS = {
    "crowding": _names("人员拥挤踩踏风险", "人員擁擠踩踏風險", "Crowding or crush risk"),
    "injury": _names("游客受伤", "遊客受傷", "Visitor injured"),
    "missing_person": _names("人员走失", "人員走失", "Missing person"),
    "fight": _names("冲突斗殴", "衝突鬥毆", "Fight or conflict"),
    "fire": _names("火情", "火情", "Fire"),
    "other": _names("其他紧急情况", "其他緊急情況", "Other emergency"),
}


class NameList(fields.List):
    """A list of names that also takes one text of names separated by commas or 、.

    Forms give text (``王海、李静``); JSON clients give a list. Both are stored as the list.
    """

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            value = [name.strip() for name in re.split(r"[,，、;；]+", value) if name.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def _choice(choices: dict[str, dict[str, str]], names: dict[str, str], **kwargs: Any
            ) -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(choices), error="Choose one of: {choices}."),
        metadata={"names": names, "choices": choices}, **kwargs)


class TourismComplaintDetails(Schema):
    """A visitor's complaint (旅游投诉), e.g. from a scenic spot's QR code."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    scenic_spot = fields.String(
        required=True, validate=validate.Length(min=1, max=100),
        metadata={"names": _names("景区景点", "景區景點", "Scenic spot")})
    tour_end_date = fields.Date(
        load_default=None, allow_none=True,
        metadata={"names": _names("旅游合同结束日期", "旅遊合同結束日期",
                                  "End of the tour contract")})
    respondent_kind = _choice(RESPONDENT_KINDS,
                              _names("被投诉人类型", "被投訴人類型", "Complained-about party"),
                              load_default="other")
    complainants = fields.Integer(
        strict=False, load_default=1, validate=validate.Range(min=1, max=10000),
        metadata={"names": _names("投诉人数", "投訴人數", "Complainants")})
    representatives = NameList(
        fields.String(validate=validate.Length(min=1, max=60)), load_default=list,
        metadata={"names": _names("投诉代表", "投訴代表", "Representatives")})

    @validates_schema
    def _joint_complaint(self, data: dict[str, Any], **_kwargs: Any) -> None:
        # 旅游投诉处理办法: four or more complainants with one grievance complain jointly through
        # 1 to 3 representatives they choose.
        count = len(data.get("representatives") or [])
        if data.get("complainants", 1) >= JOINT_COMPLAINANTS:
            if not MIN_REPRESENTATIVES <= count <= MAX_REPRESENTATIVES:
                raise ValidationError({"representatives": [msg(
                    "a joint complaint of %(complainants)s complainants names 1 to 3 "
                    "representatives (旅游投诉处理办法, 共同投诉); %(count)s given",
                    complainants=data["complainants"], count=count)]})
        elif count > MAX_REPRESENTATIVES:
            raise ValidationError({"representatives": [msg(
                "name at most 3 representatives")]})

    @post_load
    def _json_date(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # Details are stored as JSON: the date is kept as its ISO text (2026-10-03).
        if data.get("tour_end_date") is not None:
            data["tour_end_date"] = data["tour_end_date"].isoformat()
        return data


class ScenicEmergencyDetails(Schema):
    """A one-click emergency (应急一键响应) raised by staff at a scenic spot."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    scenic_spot = fields.String(
        required=True, validate=validate.Length(min=1, max=100),
        metadata={"names": _names("景区景点", "景區景點", "Scenic spot")})
    emergency_kind = _choice(EMERGENCY_KINDS,
                             _names("紧急情况类型", "緊急情況類型", "Kind of emergency"),
                             required=True)
    people_affected = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=100000),
        metadata={"names": _names("涉及人数", "涉及人數", "People affected")})
