"""In a real browser: each demo tenant looks like itself, speaks three languages, signs staff in."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot

TENANTS = {"zhoushan": "舟山", "hangzhou": "杭州", "haizhou": "海州"}


@pytest.mark.parametrize("slug", sorted(TENANTS))
def test_each_demo_tenant_home_is_branded(live_server, page, slug):
    page.goto(f"{live_server}/{slug}/")
    assert TENANTS[slug] in page.locator(".brand-name").inner_text()
    # The tenant's own colours come from its brand stylesheet, not from core's defaults.
    brand = page.evaluate("getComputedStyle(document.documentElement)"
                          ".getPropertyValue('--brand').trim()")
    assert brand
    screenshot(page, f"{slug}-home")


def test_the_three_languages_render(live_server, page):
    page.goto(f"{live_server}/zhoushan/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Staff sign-in").is_visible()
    page.goto(f"{live_server}/zhoushan/?lang=zh_Hant")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.get_by_role("link", name="工作人員登入").is_visible()
    page.goto(f"{live_server}/zhoushan/?lang=zh_Hans")
    assert page.get_by_role("link", name="工作人员登录").is_visible()


def test_staff_sign_in_and_out_with_the_keyboard(live_server, page):
    page.goto(f"{live_server}/haizhou/login?lang=en")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("onedoor-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/haizhou/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    screenshot(page, "haizhou-signed-in")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/haizhou/login")
    assert page.get_by_text("You have signed out.").is_visible()


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(live_server, page):
    page.goto(f"{live_server}/hangzhou/login?lang=en")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("The username or password")
