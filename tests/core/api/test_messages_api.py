"""Field messages of a 422 in the request's language: marshmallow's and the case service's."""

from __future__ import annotations

import pytest

from tests.core.api.conftest import World, intake

LANGUAGES = {
    "zh_Hans": {"rating": "缺少必填字段。",
                "channel": "须为以下之一：online, on_site, callback。",
                "parties.0.phone": "电话须为 11 位手机号码，或带区号的固定电话",
                "location_node": "未知层级节点：nowhere"},
    "zh_Hant": {"rating": "缺少必填欄位。",
                "channel": "須為以下之一：online, on_site, callback。",
                "parties.0.phone": "電話須為 11 位手機號碼，或帶區號的市話",
                "location_node": "未知層級節點：nowhere"},
    "en": {"rating": "Missing data for required field.",
           "channel": "Must be one of: online, on_site, callback.",
           "parties.0.phone": "a phone is an 11-digit mobile or a landline with its area code",
           "location_node": "unknown tier node: nowhere"},
}


def _details(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return {e["field"]: e["detail"] for e in response.get_json()["errors"]}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_a_422_speaks_the_request_language(world: World, lang: str) -> None:
    alpha = world.alpha
    expected = LANGUAGES[lang]
    code = world.create_case(alpha)["code"]
    details = _details(world.call("POST", alpha, f"/cases/{code}/evaluations?lang={lang}",
                                  alpha.token, json={"channel": "pigeon"}))
    assert details == {"rating": expected["rating"], "channel": expected["channel"]}

    body = intake(location_node="nowhere")
    body["parties"][0]["phone"] = "12"
    details = _details(world.call("POST", alpha, f"/cases?lang={lang}", alpha.token, json=body))
    assert details["parties.0.phone"] == expected["parties.0.phone"]
    body["parties"][0]["phone"] = "13812345678"
    details = _details(world.call("POST", alpha, f"/cases?lang={lang}", alpha.token, json=body))
    assert details == {"location_node": expected["location_node"]}
