"""The workbench intake form and a maritime case's position: labelled number inputs bounded by
the schemas' validators, typed values kept and each field's error in the reader's language."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from core.models import Case
from tests.plugins.maritime.test_pages import _csrf, _signed_in

URL = "/on/workbench/intake"


def _input(html: str, name: str) -> str:
    return re.search(rf'<input id="f-{re.escape(name.replace(".", "-"))}"[^>]*>', html).group(0)


def _label(html: str, name: str) -> str:
    return re.search(rf'<label for="f-{re.escape(name.replace(".", "-"))}">([^<]*)',
                     html).group(1)


def _form(client, lang: str = "en", **overrides: str) -> dict[str, str]:
    page = client.get(f"{URL}?lang={lang}").get_data(as_text=True)
    data = {"csrf_token": _csrf(page), "case_type": "fishery_dispute", "category": "business",
            "channel": "walk_in", "title": "流网被拖网船拖坏", "description": "",
            "location_node": "on-root", "parties.0.role": "applicant",
            "parties.0.kind": "person", "parties.0.name": "林海生",
            "parties.0.phone": "13812345678",
            "details.fishery_dispute.kind": "net_damage",
            "details.fishery_dispute.vessels": "浙岱渔03187、浙普渔68001",
            "details.fishery_dispute.at_sea": "1", "details.fishery_dispute.sea_area": "岱衢洋",
            "latitude": "30.35", "longitude": "122.2"}
    data.update(overrides)
    return data


def test_the_position_and_plugin_numbers_are_labelled_number_inputs_within_bounds(site) -> None:
    client = _signed_in(site)
    html = client.get(f"{URL}?lang=en").get_data(as_text=True)
    latitude, longitude = _input(html, "latitude"), _input(html, "longitude")
    assert _label(html, "latitude") == "Latitude" and _label(html, "longitude") == "Longitude"
    for attr in ('type="number"', 'min="-90"', 'max="90"', 'step="0.000001"',
                 'inputmode="decimal"'):
        assert attr in latitude
    assert 'min="-180"' in longitude and 'max="180"' in longitude
    crew = _input(html, "details.crew_rights.crew")
    assert 'type="number"' in crew and 'min="1"' in crew and 'max="500"' in crew \
        and 'step="1"' in crew
    amount = _input(html, "details.maritime_commercial.claim_amount")
    assert 'min="0"' in amount and 'step="0.01"' in amount
    chinese = client.get(f"{URL}?lang=zh_Hans").get_data(as_text=True)
    assert _label(chinese, "latitude") == "纬度" and _label(chinese, "longitude") == "经度"


def test_a_position_is_registered_from_the_form(site) -> None:
    client = _signed_in(site)
    response = client.post(f"{URL}?lang=en", data=_form(client))
    assert response.status_code == 303
    with site.database.transaction(site.tenant().id) as session:
        case = session.scalar(select(Case))
        assert (case.latitude, case.longitude) == (Decimal("30.35"), Decimal("122.2"))
        assert not case.warnings  # inside the sea area, at sea with a position: no warning


def test_errors_are_under_each_coordinate_in_the_readers_language_and_values_stay(
        site) -> None:
    client = _signed_in(site)

    half = client.post(f"{URL}?lang=zh_Hans", data=_form(client, "zh_Hans", longitude=""))
    html = half.get_data(as_text=True)
    assert half.status_code == 422
    assert 'id="e-longitude"' in html and "请同时填写位置的纬度和经度" in html
    assert 'value="30.35"' in _input(html, "latitude")
    assert 'value="浙岱渔03187、浙普渔68001"' in _input(html, "details.fishery_dispute.vessels")

    beyond = client.post(f"{URL}?lang=en", data=_form(client, latitude="95"))
    html = beyond.get_data(as_text=True)
    assert beyond.status_code == 422
    assert 'value="95"' in _input(html, "latitude") and 'aria-invalid="true"' in _input(
        html, "latitude")
    assert "Must be greater than or equal to -90 and less than or equal to 90." in html

    typo = client.post(f"{URL}?lang=zh_Hant", data=_form(client, "zh_Hant", longitude="東經"))
    html = typo.get_data(as_text=True)
    assert typo.status_code == 422 and "不是有效的數字。" in html
    assert 'value="東經"' in _input(html, "longitude")
    with site.database.transaction(site.tenant().id) as session:
        assert session.scalar(select(Case)) is None
