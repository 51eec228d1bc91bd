"""The spots' complaint QR codes, the prefilled portal form, the one-click emergency."""

from __future__ import annotations

import base64
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from core import accounts
from core.models import AuditEvent, Case, SupervisionNotice
from tests.plugins import branded_page
from tests.plugins.scenic_area.conftest import NAME

PASSWORD = "correct horse battery staple"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_each_spot_has_an_svg_qr_code_opening_the_prefilled_complaint_form(site) -> None:
    client = site.app.test_client()
    html = branded_page(client, f"/on/plugins/{NAME}/qr")
    assert html.count("<h2>") == 2 and "<h2>普陀山</h2>" in html and "<h2>桃花岛</h2>" in html
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(images) == 2 and all(b"<svg" in base64.b64decode(i) for i in images)
    links = [unescape(u) for u in re.findall(r'<a href="([^"]+)">', html) if "/portal/" in u]
    query = parse_qs(urlsplit(links[0]).query)
    assert urlsplit(links[0]).path == "/on/portal/submit"
    assert query == {"case_type": ["tourism_complaint"], "detail.scenic_spot": ["普陀山"]}


def test_the_qr_link_prefills_the_form_and_the_complaint_is_registered_with_its_spot(
        site) -> None:
    client = site.app.test_client()
    form = client.get("/on/portal/submit?case_type=tourism_complaint"
                      "&detail.scenic_spot=%E6%A1%83%E8%8A%B1%E5%B2%9B&lang=en")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert re.search(r'<option value="tourism_complaint"\s+selected', html)
    assert '<input type="hidden" name="detail.scenic_spot" value="桃花岛">' in html
    assert "<dt>Scenic spot</dt><dd>桃花岛" in html
    response = client.post("/on/portal/submit", data={
        "csrf_token": _csrf(html), "form_key": re.search(
            r'name="form_key" value="([0-9a-f]+)"', html).group(1),
        "case_type": "tourism_complaint", "detail.scenic_spot": "桃花岛",
        "title": "缆车排队被插队", "location_node": "on-root", "name": "王海",
        "phone": "13812345678", "consent": "1"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with site.database.transaction(site.tenant().id) as session:
        case = session.scalar(select(Case))
        assert (case.case_type, case.channel, case.details["scenic_spot"]) == (
            "tourism_complaint", "online", "桃花岛")
        # A visitor at the spot gives no tour end: registered, with the warning kept.
        assert [w["field"] for w in case.warnings] == ["details.tour_end_date"]


def test_a_prefilled_spot_the_tenant_does_not_have_is_refused_on_the_form(site) -> None:
    client = site.app.test_client()
    html = client.get("/on/portal/submit?case_type=tourism_complaint"
                      "&detail.scenic_spot=West&lang=en").get_data(as_text=True)
    response = client.post("/on/portal/submit?lang=en", data={
        "csrf_token": _csrf(html), "case_type": "tourism_complaint",
        "detail.scenic_spot": "West", "title": "t", "location_node": "on-root",
        "name": "王海", "phone": "13812345678", "consent": "1"})
    assert response.status_code == 422
    assert "West is not one of this center&#39;s scenic spots" in response.get_data(as_text=True)
    with site.database.transaction(site.tenant().id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def _staff(site, role: str = "clerk") -> None:
    with site.database.transaction(site.tenant().id) as session:
        user = accounts.create_user(session, "duty", PASSWORD)
        accounts.add_membership(session, user, role)


def _sign_in(client, slug: str = "on") -> None:
    page = client.get(f"/{slug}/login").get_data(as_text=True)
    response = client.post(f"/{slug}/login", data={
        "username": "duty", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert response.status_code == 302


def _emergency(client, **overrides):
    page = client.get(f"/on/plugins/{NAME}/emergency?lang=en").get_data(as_text=True)
    data = {"csrf_token": _csrf(page), "spot": "普陀山", "kind": "crowding",
            "location_node": "on-root", "people_affected": "40", "reporter": "值班员",
            "description": "索道口人员聚集"}
    data.update(overrides)
    return client.post(f"/on/plugins/{NAME}/emergency?lang=en", data=data)


def test_the_emergency_needs_a_signed_in_staff_member(site) -> None:
    response = site.app.test_client().get(f"/on/plugins/{NAME}/emergency")
    assert response.status_code in (302, 401)


def test_one_click_raises_a_red_case_and_a_warning_letter_to_each_liaison(site) -> None:
    _staff(site)
    client = site.app.test_client()
    _sign_in(client)
    response = _emergency(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    with site.database.transaction(site.tenant().id) as session:
        case = session.scalar(select(Case))
        assert response.headers["Location"].endswith(f"/on/workbench/cases/{case.code}")
        assert (case.case_type, case.risk, case.people_involved) == ("scenic_emergency",
                                                                     "red", 40)
        notices = session.scalars(select(SupervisionNotice)).all()
        assert [n.kind for n in notices] == ["risk_warning_letter"] * 3
        assert len({n.number for n in notices}) == 3
        # Red risk does not wait for office hours.
        assert all(n.deliver_after == n.issued_at for n in notices)
        assert "普陀山" in notices[0].body and case.code in notices[0].body
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(
            AuditEvent.seq))]
        assert actions.count("supervision.issued") == 3
        assert actions[-1] == "scenic_area.emergency_raised"


def test_an_emergency_at_an_unknown_node_writes_nothing_and_names_the_field(site) -> None:
    _staff(site)
    client = site.app.test_client()
    _sign_in(client)
    response = _emergency(client, location_node="nowhere")
    assert response.status_code == 422
    assert "unknown tier node: nowhere" in response.get_data(as_text=True)
    with site.database.transaction(site.tenant().id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(SupervisionNotice)) == 0


def test_an_emergency_page_in_chinese(site) -> None:
    _staff(site)
    client = site.app.test_client()
    _sign_in(client)
    html = client.get(f"/on/plugins/{NAME}/emergency?lang=zh_Hans").get_data(as_text=True)
    assert "应急一键响应" in html and "人员拥挤踩踏风险" in html
    html = client.get(f"/on/plugins/{NAME}/emergency?lang=zh_Hant").get_data(as_text=True)
    assert "應急一鍵響應" in html and "人員擁擠踩踏風險" in html
