"""A citizen reports a dispute online: no account, one case, its code and QR, nothing else."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from core.models import Case
from tests.core.portal.conftest import DIGITS, PHONE, citizen_form, count, post_form

URL = "/alpha/portal/submit"


def test_the_form_offers_case_types_and_the_top_of_the_tree_with_the_root_chosen(world):
    page = world.client.get(URL + "?lang=en").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'name="website"' in page  # CSRF and honeypot
    assert '<option value="general_dispute"' in page
    assert '<option value="alpha-root" selected>' in page
    assert 'value="alpha-c1"' in page and 'value="alpha-t1"' in page
    assert "agree" in page  # the consent in plain words


def test_a_valid_report_registers_exactly_one_online_case_and_shows_its_code_and_qr(world):
    response = post_form(world, URL, citizen_form())
    assert response.status_code == 303

    page = world.client.get(response.headers["Location"] + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    with world.database.transaction(world.alpha.id) as session:
        rows = session.scalars(select(Case)).all()
        assert len(rows) == 1
        case = rows[0]
        assert case.channel == "online" and case.registered_by == "portal"
        location = case.location_node_id
        parties = [(p.role, p.name, p.phone_masked) for p in case.parties]
        code = case.code
    assert location is not None
    assert parties == [("applicant", "王小明", "138****5678"), ("respondent", "李四", "")]
    assert f"<strong>{code}</strong>" in html
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(qr).decode().lstrip().startswith("<")
    assert f"http://localhost/alpha/track/{code}" in html
    assert "last four digits" in html
    # Nothing personal on the answer page: not the name, not the phone, not its digits.
    for secret in ("王小明", PHONE, "李四", DIGITS):
        assert secret not in html


def test_a_resent_form_registers_its_case_only_once(world):
    token_page = world.client.get(URL).get_data(as_text=True)
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', token_page).group(1)
    form = citizen_form(form_key=key)
    assert post_form(world, URL, form).status_code == 303
    assert post_form(world, URL, form).status_code == 303
    assert count(world, world.alpha.id) == 1


def test_a_bad_phone_is_a_field_error_in_the_readers_language_and_nothing_is_written(world):
    for lang, expected in (("zh_Hans", "请填写 11 位手机号码"), ("en", "Enter a mobile number")):
        response = post_form(world, f"{URL}?lang={lang}",
                             citizen_form(phone="12345", title="噪音扰民", address="幸福路 9 号"))
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert expected in html
        assert 'id="e-phone"' in html and 'aria-invalid="true"' in html
        # What was typed is kept.
        assert 'value="12345"' in html and 'value="噪音扰民"' in html
        assert 'value="幸福路 9 号"' in html and "多次协商未果" in html
        assert 'value="alpha-t1" selected' in html
    assert count(world, world.alpha.id) == 0


def test_missing_phone_consent_and_title_are_all_named_at_once(world):
    response = post_form(world, URL + "?lang=en",
                         citizen_form(phone="", consent="", title="", id_number="123"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("phone", "consent", "title", "id_number"):
        assert f'id="e-{field}"' in html, field
    assert "agree to the use of your data" in html
    assert count(world, world.alpha.id) == 0


def test_without_the_csrf_token_the_form_is_refused(world):
    response = post_form(world, URL, citizen_form(), token=False)
    assert response.status_code == 400
    assert count(world, world.alpha.id) == 0


def test_the_honeypot_refuses_a_bot_without_writing(world):
    response = post_form(world, URL, citizen_form(website="http://spam.example"))
    assert response.status_code == 400
    assert count(world, world.alpha.id) == 0


def test_reports_are_rate_limited_per_tenant_and_address(world):
    statuses = [post_form(world, URL, citizen_form(phone="1")).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # Another tenant is not throttled by this one's traffic.
    assert post_form(world, "/beta/portal/submit",
                     citizen_form(location_node="beta-t1")).status_code == 303


def test_an_unknown_place_is_a_field_error(world):
    response = post_form(world, URL + "?lang=en", citizen_form(location_node="beta-t1"))
    assert response.status_code == 422
    assert 'id="e-location_node"' in response.get_data(as_text=True)
    assert count(world, world.alpha.id) == 0 and count(world, world.beta.id) == 0
