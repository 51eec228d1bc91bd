"""Settings (``[plugins.maritime]``) and case details of the maritime plugin.

``ports`` lists the fishing ports and harbours the window serves; ``fishery_mediation`` says
whether fishery disputes go to the fishery dispute mediation committee (渔事纠纷调解委员会);
``sea_south``, ``sea_north``, ``sea_west`` and ``sea_east`` give the box of latitude and
longitude (WGS 84 decimal degrees) the tenant's waters lie in: a position at sea outside it is
registered with a warning, not refused (distant-water vessels have disputes too).

Fishing vessels carry a name number (船名号) such as 浙岱渔03187: the province's one-character
abbreviation, the port county's (岱 = 岱山, 普 = 普陀, 嵊 = 嵊泗, 舟 = 舟山 …), 渔, optionally the
vessel's service (运 carrier, 冷 refrigerated carrier, 辅 auxiliary, 养 aquaculture) and 3 to 5
digits. :data:`VESSEL_NUMBER` checks that shape and nothing more: it is conservative (the
national registry's list of county characters was not available), so it refuses mistakes like
a missing 渔 or letters, not every invented county character. The vessel registration
certificate number (渔业船舶登记证书) is a different number and is not asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
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

#: Provinces and regions with a coast or inland fisheries, by their one-character abbreviation.
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
VESSEL_NUMBER = re.compile(rf"^[{PROVINCES}][\u4e00-\u9fff]{{1,2}}渔[运冷辅养]?[0-9]{{3,5}}$")

#: The waters of China's coast, used when a tenant names no sea area of its own.
CHINA_SEAS = {"south": 3.0, "north": 41.0, "west": 105.0, "east": 130.0}


class TextList(fields.List):
    """A list that also takes one text of items separated by commas, 、 or spaces.

    Forms give text (``浙岱渔03187、浙普渔68001``); JSON clients give a list. Both are stored as
    the list.
    """

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            value = [item for item in re.split(r"[,，、;；\s]+", value) if item]
        return super()._deserialize(value, attr, data, **kwargs)


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(f"Each port may be listed once; repeated: {', '.join(repeated)}.")


def check_vessel_number(value: str) -> None:
    """Refuse a fishing vessel name number that does not look like 浙岱渔03187."""
    if not VESSEL_NUMBER.match(value or ""):
        raise ValidationError(msg(
            "%(value)s is not a fishing vessel number such as 浙岱渔03187 (province, county, "
            "渔, 3 to 5 digits)", value=value))


class MaritimeSettings(Schema):
    """Settings a tenant gives for the maritime plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; maritime takes ports, fishery_mediation, sea_south, "
        "sea_north, sea_west and sea_east."}

    ports = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each port's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["沈家门渔港"].'},
        metadata={"names": _names("港口", "港口", "Ports")},
    )
    fishery_mediation = fields.Boolean(
        load_default=True,
        # Strings such as "no" or "off" are refused: in a configuration file they are more
        # likely a slip than a choice, so only TOML's true and false are taken.
        truthy={True},
        falsy={False},
        error_messages={"invalid": "Give true or false."},
        metadata={"names": _names("渔事纠纷调解", "漁事糾紛調解", "Fishery dispute mediation")},
    )
    sea_south = fields.Float(
        load_default=CHINA_SEAS["south"],
        validate=validate.Range(min=-90, max=90, error="Give degrees from {min} to {max}."),
        error_messages={"invalid": "Give decimal degrees, e.g. 30.0."},
        metadata={"names": _names("海域南界（纬度）", "海域南界（緯度）",
                                  "Sea area: southern latitude")},
    )
    sea_north = fields.Float(
        load_default=CHINA_SEAS["north"],
        validate=validate.Range(min=-90, max=90, error="Give degrees from {min} to {max}."),
        error_messages={"invalid": "Give decimal degrees, e.g. 30.0."},
        metadata={"names": _names("海域北界（纬度）", "海域北界（緯度）",
                                  "Sea area: northern latitude")},
    )
    sea_west = fields.Float(
        load_default=CHINA_SEAS["west"],
        validate=validate.Range(min=-180, max=180, error="Give degrees from {min} to {max}."),
        error_messages={"invalid": "Give decimal degrees, e.g. 30.0."},
        metadata={"names": _names("海域西界（经度）", "海域西界（經度）",
                                  "Sea area: western longitude")},
    )
    sea_east = fields.Float(
        load_default=CHINA_SEAS["east"],
        validate=validate.Range(min=-180, max=180, error="Give degrees from {min} to {max}."),
        error_messages={"invalid": "Give decimal degrees, e.g. 30.0."},
        metadata={"names": _names("海域东界（经度）", "海域東界（經度）",
                                  "Sea area: eastern longitude")},
    )

    @validates_schema
    def _box(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["sea_south"] >= data["sea_north"]:
            raise ValidationError("The southern latitude must be below the northern one.",
                                  "sea_north")
        if data["sea_west"] >= data["sea_east"]:
            raise ValidationError("The western longitude must be below the eastern one.",
                                  "sea_east")


# --- case details -----------------------------------------------------------------------------

FISHERY_KINDS = {
    "net_damage": _names("网具损坏", "網具損壞", "Damaged nets or gear"),
    "collision": _names("渔船碰撞", "漁船碰撞", "Vessel collision"),
    "fishing_ground": _names("渔场作业纠纷", "漁場作業糾紛", "Fishing-ground dispute"),
    "aquaculture": _names("养殖海域纠纷", "養殖海域糾紛", "Aquaculture area dispute"),
    "catch_sale": _names("渔获交易纠纷", "漁獲交易糾紛", "Catch sale dispute"),
    "other": _names("其他渔事纠纷", "其他漁事糾紛", "Other fishery dispute"),
}

CREW_CLAIMS = {
    "unpaid_wages": _names("拖欠工资", "拖欠工資", "Unpaid wages"),
    "no_contract": _names("未签劳动合同", "未簽勞動合同", "No written contract"),
    "contract_breach": _names("违反劳动合同", "違反勞動合同", "Breach of contract"),
    "injury": _names("工伤待遇", "工傷待遇", "Injury at work"),
    "repatriation": _names("遣返", "遣返", "Repatriation"),
    "social_insurance": _names("社会保险", "社會保險", "Social insurance"),
}

COMMERCIAL_KINDS = {
    "charter": _names("船舶租用", "船舶租用", "Charter party"),
    "freight": _names("运费", "運費", "Freight"),
    "cargo_damage": _names("货损货差", "貨損貨差", "Cargo damage or shortage"),
    "ship_repair": _names("船舶修造", "船舶修造", "Ship building or repair"),
    "ship_sale": _names("船舶买卖", "船舶買賣", "Sale of a vessel"),
    "marine_insurance": _names("海上保险", "海上保險", "Marine insurance"),
    "supply": _names("船舶物料供应", "船舶物料供應", "Ship supplies"),
}


def _choice(choices: dict[str, dict[str, str]], names: dict[str, str], **kwargs: Any
            ) -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(choices), error="Choose one of: {choices}."),
        metadata={"names": names, "choices": choices}, **kwargs)


def _vessel(names: dict[str, str], **kwargs: Any) -> fields.String:
    return fields.String(validate=check_vessel_number, metadata={"names": names}, **kwargs)


class _Strict(Schema):
    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE


class FisheryDisputeDetails(_Strict):
    """渔事纠纷: between fishing vessels or fishers, usually at sea."""

    kind = _choice(FISHERY_KINDS, _names("纠纷类型", "糾紛類型", "Kind of dispute"),
                   required=True)
    vessels = TextList(
        _vessel(_names("渔船船名号", "漁船船名號", "Fishing vessel number")),
        required=True, validate=validate.Length(min=1, max=20),
        metadata={"names": _names("涉事渔船船名号", "涉事漁船船名號", "Vessels involved")})
    at_sea = fields.Boolean(
        load_default=True,
        metadata={"names": _names("发生在海上", "發生在海上", "Happened at sea")})
    sea_area = fields.String(
        load_default="", validate=validate.Length(max=100),
        metadata={"names": _names("海域名称", "海域名稱", "Sea area")})
    port = fields.String(
        load_default="", validate=validate.Length(max=100),
        metadata={"names": _names("港口", "港口", "Port")})


class CrewRightsDetails(_Strict):
    """船员权益: a crew member's wages, contract, injury or repatriation."""

    claim = _choice(CREW_CLAIMS, _names("诉求类型", "訴求類型", "Claim"), required=True)
    vessel = _vessel(_names("渔船船名号", "漁船船名號", "Fishing vessel number"),
                     load_default=None, allow_none=True)
    vessel_name = fields.String(
        load_default="", validate=validate.Length(max=100),
        metadata={"names": _names("船名（非渔船）", "船名（非漁船）",
                                  "Vessel name (not a fishing vessel)")})
    crew = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=500),
        metadata={"names": _names("涉及船员人数", "涉及船員人數", "Crew members involved")})
    months_unpaid = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=120),
        metadata={"names": _names("欠薪月数", "欠薪月數", "Months unpaid")})

    @validates_schema
    def _a_vessel(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("vessel") and not data.get("vessel_name"):
            raise ValidationError({"vessel": [msg(
                "name the vessel: its fishing vessel number, or its name for another ship")]})


class MaritimeCommercialDetails(_Strict):
    """海事商事调解: charter, freight, cargo, repair, sale, insurance and supply disputes."""

    kind = _choice(COMMERCIAL_KINDS, _names("纠纷类型", "糾紛類型", "Kind of dispute"),
                   required=True)
    vessel_name = fields.String(
        required=True, validate=validate.Length(min=1, max=100),
        metadata={"names": _names("船名", "船名", "Vessel")})
    claim_amount = fields.Decimal(
        load_default=None, allow_none=True, places=2,
        validate=validate.Range(min=0, max=Decimal("99999999999")),
        metadata={"names": _names("争议金额（元）", "爭議金額（元）", "Amount in dispute (CNY)")})

    @post_load
    def _json_amount(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # Details are stored as JSON: the amount is kept as its text (12000.00).
        if data.get("claim_amount") is not None:
            data["claim_amount"] = str(data["claim_amount"])
        return data
