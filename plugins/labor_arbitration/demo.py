"""Demo data: believable labor cases of each type, invented parties only.

:func:`demo_intakes` gives intake data (what a clerk would type) for a node of the tenant's
tree; the plugin's tests register every one of them, so the demo never shows a case the rules
would refuse. Core's ``onedoor demo`` seeds core case types only; a seeding hook for plugins is
still to come, so these are not loaded by it yet.
"""

from __future__ import annotations

from typing import Any

_EMPLOYER = {"role": "respondent", "kind": "organization"}

_CASES: tuple[dict[str, Any], ...] = (
    {"case_type": "labor_dispute", "title": "工地十二名工人讨要三个月工资",
     "description": "项目完工后劳务公司以总包未结算为由拖欠工资，工人要求春节前结清。",
     "amount": "186000", "people_involved": 12, "is_group": True,
     "applicant": "赵师傅", "employer": "杭州某某建筑劳务有限公司",
     "details": {"workers": 12, "representatives": ["赵师傅", "钱师傅"],
                 "claim_types": ["wage_arrears"], "rights_infringed_on": "2026-09-30",
                 "employment_ended_on": "2026-09-30", "inspection_referral": True}},
    {"case_type": "labor_dispute", "title": "解除劳动合同经济补偿争议",
     "description": "公司以业务调整为由解除劳动合同，未支付经济补偿。",
     "amount": "24000", "applicant": "孙女士", "employer": "杭州某某电子商务有限公司",
     "details": {"workers": 1, "claim_types": ["contract", "compensation"],
                 "rights_infringed_on": "2026-08-15", "employment_ended_on": "2026-08-15"}},
    {"case_type": "labor_arbitration_application", "title": "未缴社会保险申请仲裁",
     "description": "入职两年单位未缴纳社会保险，调解不成申请仲裁。",
     "applicant": "李先生", "employer": "杭州某某餐饮管理有限公司",
     "details": {"workers": 1, "claim_types": ["social_insurance"],
                 "rights_infringed_on": "2026-07-01"}},
    {"case_type": "labor_gig_dispute", "title": "外卖骑手配送途中受伤",
     "description": "骑手配送途中摔伤，站点称双方不存在劳动关系，拒绝承担医疗费用。",
     "amount": "15600", "applicant": "周师傅", "employer": "杭州某某配送服务有限公司",
     "details": {"workers": 1, "claim_types": ["work_injury"],
                 "rights_infringed_on": "2026-10-08", "platform": "某外卖平台",
                 "work_type": "delivery", "relation": "incomplete"}},
    {"case_type": "labor_inspection", "title": "服务员投诉未签劳动合同、长期超时加班",
     "description": "六名服务员投诉餐饮公司入职半年未签书面劳动合同，每日工作十二小时无加班费。",
     "people_involved": 6, "applicant": "吴女士", "employer": "杭州某某餐饮管理有限公司",
     "details": {"trigger": "complaint", "workers": 6,
                 "claim_types": ["contract", "working_hours"]}},
)


def demo_intakes(node: str, channel: str = "walk_in") -> list[dict[str, Any]]:
    """Intake data of the demo cases, located at tier node ``node``."""
    intakes = []
    for case in _CASES:
        data = {key: value for key, value in case.items()
                if key not in ("applicant", "employer", "details")}
        data.update(channel=channel, location_node=node, parties=[
            {"role": "applicant", "name": case["applicant"]},
            {**_EMPLOYER, "name": case["employer"]}],
            details={"employer": case["employer"], **case["details"]})
        intakes.append(data)
    return intakes
