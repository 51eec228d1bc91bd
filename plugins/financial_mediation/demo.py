"""Demo data: believable financial disputes of each track, invented parties only.

:func:`demo_intakes` gives intake data for a node of the tenant's tree; the plugin's tests
register every one, so the demo never shows a case the rules would refuse. Core's ``onedoor
demo`` seeds core case types only; a seeding hook for plugins is still to come.
"""

from __future__ import annotations

from typing import Any

_CASES: tuple[dict[str, Any], ...] = (
    {"case_type": "financial_complaint", "title": "信用卡分期手续费未如实告知",
     "description": "办理分期时未告知实际年化利率，要求退还部分手续费。", "amount": "1860",
     "institution_type": "bank", "institution": "某银行杭州分行", "product": "信用卡分期"},
    {"case_type": "financial_complaint_complex", "title": "重疾险理赔被拒",
     "description": "保险公司以未如实告知既往病史为由拒赔，投保人认为已如实告知。",
     "amount": "300000", "institution_type": "insurance", "institution": "某人寿保险公司",
     "product": "重大疾病保险"},
    {"case_type": "financial_small_claim", "title": "网络支付误扣款未退回",
     "description": "同一笔订单被重复扣款，多次联系客服未退回。", "amount": "468",
     "institution_type": "payment", "institution": "某支付公司", "product": "网络支付"},
    {"case_type": "financial_mediation_ordinary", "title": "消费贷款暴力催收",
     "description": "借款人逾期后遭频繁电话催收并骚扰家人，要求停止催收并协商还款。",
     "amount": "52000", "institution_type": "lending", "institution": "某消费金融公司",
     "product": "消费贷款"},
    {"case_type": "financial_mediation_complex", "title": "多名投资者融资融券强制平仓争议",
     "description": "证券公司未按约定提前通知即强制平仓，十余名投资者要求赔偿损失。",
     "amount": "1280000", "people_involved": 14, "institution_type": "securities",
     "institution": "某证券公司", "product": "融资融券"},
)


def demo_intakes(node: str, channel: str = "walk_in") -> list[dict[str, Any]]:
    """Intake data of the demo cases, located at tier node ``node``."""
    intakes = []
    for case in _CASES:
        data = {k: case[k] for k in ("case_type", "title", "description", "amount")}
        data.update(channel=channel, location_node=node,
                    people_involved=case.get("people_involved", 1),
                    parties=[{"role": "applicant", "name": "陈女士"},
                             {"role": "respondent", "kind": "organization",
                              "name": case["institution"]}],
                    details={k: case[k] for k in ("institution_type", "institution",
                                                  "product")})
        intakes.append(data)
    return intakes
