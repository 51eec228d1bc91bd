"""Tracking by code and the last four phone digits: the public status, never personal data."""

from __future__ import annotations

import re

import pytest

from core import codes
from tests.core.api.conftest import build_world
from tests.core.portal.conftest import (
    CLOSE,
    DIGITS,
    PHONE,
    csrf_of,
    move,
    submit_case,
)

URL = "/alpha/portal/track"


def _track(world, code: str, digits: str, slug: str = "alpha", lang: str = "en"):
    return world.client.post(f"/{slug}/portal/track?lang={lang}", data={
        "code": code, "digits": digits, "csrf_token": csrf_of(world, f"/{slug}/portal/track")})


def _unknown_code(world) -> str:
    return codes.format_code("AL", 2026, 999)


def _neutral(html: str, *codes_: str) -> str:
    """The page without what differs by design: the CSRF token and the code typed."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    for code in codes_:
        html = html.replace(code, "CODE")
    return html


def test_the_right_digits_show_the_public_status(world):
    code = submit_case(world, id_number="11010519491231002X")
    response = _track(world, code, DIGITS)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/alpha/portal/cases/{code}")
    assert DIGITS not in response.headers["Location"]

    page = world.client.get(response.headers["Location"] + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert code in html and "楼上漏水" in html  # the code and the title the citizen typed
    assert "registered" in html and "town 1" in html  # status, and the tier handling it
    assert 'class="done"' in html and "Next deadline" in html
    # No personal data: names, phone, its digits, the ID number, the description, the address.
    for secret in ("王小明", "李四", PHONE, "138****", DIGITS, "11010519491231002X", "002X",
                   "多次协商未果", "幸福路"):
        assert secret not in html, secret


def test_the_status_follows_the_lifecycle_with_dates(world):
    code = submit_case(world)
    move(world, world.alpha, code, ("accept", {}))
    _track(world, code, DIGITS)
    html = world.client.get(f"/alpha/portal/cases/{code}?lang=zh_Hans").get_data(as_text=True)
    assert "已受理" in html
    done = re.findall(r'<li class="done">\s*<span class="m-label">([^<]+)</span>', html)
    assert done == ["已登记", "已受理"]


def test_a_wrong_phone_and_an_unknown_code_give_the_same_page(world):
    code = submit_case(world)
    unknown = _unknown_code(world)
    wrong_digits = _track(world, code, "0000")
    wrong_code = _track(world, unknown, DIGITS)
    assert wrong_digits.status_code == wrong_code.status_code == 200
    first = _neutral(wrong_digits.get_data(as_text=True), code)
    second = _neutral(wrong_code.get_data(as_text=True), unknown)
    assert first == second
    assert "We found no case with this code and these phone digits" in first
    # And nothing was granted: the status page still asks for the digits.
    assert world.client.get(f"/alpha/portal/cases/{code}").status_code == 302


def test_a_malformed_code_or_digits_are_field_errors(world):
    response = _track(world, "ZS-2026-12", "12a4")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-code"' in html and 'id="e-digits"' in html
    assert 'value="ZS-2026-12"' in html  # the code is kept, the digits are not echoed
    assert "12a4" not in html


def test_the_qr_address_prefills_the_code_and_still_asks_for_the_digits(world):
    code = submit_case(world)
    page = world.client.get(codes.tracking_path("alpha", code))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'name="code" type="text" value="{code}"' in html
    assert 'name="digits"' in html and "楼上漏水" not in html
    assert f'action="{URL}"' in html and 'method="post"' in html


def test_the_status_page_without_a_check_goes_to_the_form(world):
    code = submit_case(world)
    response = world.client.get(f"/alpha/portal/cases/{code}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(codes.tracking_path("alpha", code))


def test_tracking_is_rate_limited_strictly(world):
    unknown = _unknown_code(world)
    statuses = [_track(world, unknown, "1234").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_the_check_needs_the_csrf_token(world):
    code = submit_case(world)
    response = world.client.post(URL, data={"code": code, "digits": DIGITS})
    assert response.status_code == 400


def test_closed_cases_show_no_deadline(world):
    code = submit_case(world)
    move(world, world.alpha, code, *CLOSE)
    _track(world, code, DIGITS)
    html = world.client.get(f"/alpha/portal/cases/{code}?lang=en").get_data(as_text=True)
    assert "closed" in html and "Next deadline" not in html


@pytest.fixture
def both(make_app, database_url):
    return build_world(make_app(database_url))


def test_a_code_of_one_tenant_is_not_found_under_another(both):
    code = submit_case(both, "alpha")
    beta_code = submit_case(both, "beta")
    under_beta = _track(both, code, DIGITS, slug="beta")
    assert under_beta.status_code == 200
    assert "We found no case with this code and these phone digits" in \
        under_beta.get_data(as_text=True)
    # A pass for alpha's case does not open it under beta either.
    assert _track(both, code, DIGITS).status_code == 303
    assert both.client.get(f"/beta/portal/cases/{code}").status_code == 302
    # Beta's own case is found under beta.
    assert _track(both, beta_code, DIGITS, slug="beta").status_code == 303


def test_what_the_citizen_typed_is_escaped_on_the_status_page(world):
    code = submit_case(world, title='<script src="//evil.example/x.js"></script>')
    _track(world, code, DIGITS)
    html = world.client.get(f"/alpha/portal/cases/{code}").get_data(as_text=True)
    assert "&lt;script src=" in html and "evil.example/x.js\"></script>" not in html
