"""In a real browser: one case's whole life at 海州区, as the people who touch it see it.

A clerk registers it at a community's window, a dispatcher accepts and assigns it, a mediator
mediates and takes it up the "1+2+3" ladder (and is refused when the rung's attempts are not
made yet), a leader urges it and finds it on the supervision board, staff resolve and close it,
and the citizen — a browser with no cookies — tracks it with the code and four phone digits and
evaluates it once. Another tenant never shows it. Every step is the UI a person uses: labels,
buttons and the text on the page (zh_Hans unless the step is about languages).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import screenshot

SLUG = "haizhou"
#: 鼓楼社区, a community of 海州街道: the case starts on the ladder's first rung.
COMMUNITY = "320706001201"
#: 海州街道, the street above it: a case registered here starts on the street's rung.
STREET = "320706001"
APPLICANT_ID = "11010519491231002X"
APPLICANT_PHONE = "13812345678"
CODE = re.compile(r"HAIZ-\d{4}-\d{6}-[0-9A-Z]")


# --- what a person does on the case page ---------------------------------------------------

def label(text: str) -> re.Pattern[str]:
    """A control's label as shown: ``text``, with the required mark "*" if it has one."""
    return re.compile(rf"^{re.escape(text)}(\s*\*)?$")


def action_form(page, name: str):
    """The action form under the disclosure ``name`` (its summary), opened."""
    details = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile(f"^{re.escape(name)}$")))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def take(page, name: str, fill: dict[str, str] | None = None, *,
         selects: dict[str, str] | None = None, checks: tuple[str, ...] = ()) -> None:
    """Open the action ``name``, fill its labelled fields and press its button."""
    form = action_form(page, name)
    for text, value in (fill or {}).items():
        form.get_by_label(label(text)).fill(value)
    for text, option in (selects or {}).items():
        form.get_by_label(label(text)).select_option(label=option)
    for text in checks:
        form.get_by_label(label(text)).check()
    form.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def done(page, name: str) -> None:
    """The page says the step ``name`` was taken."""
    assert page.get_by_role("status").filter(has_text=f"已完成：{name}。").is_visible()


def status_is(page, words: str) -> None:
    """The case page's status line reads ``words``."""
    assert page.locator(".case-flags .status strong").inner_text() == words


def attempt(page, *, leader: str | None = None) -> None:
    """Record a failed mediation attempt, with a leader taking part when ``leader`` is named."""
    fill = {"调解员": "调解员王芳", "备注": "双方分歧仍大"}
    if leader:
        fill["参与领导姓名"] = leader
    take(page, "记录调解", fill, selects={"结果": "不成功"},
         checks=("有领导参与",) if leader else ())
    done(page, "记录调解")


def assign(page, department: str = "司法局") -> None:
    """Assign the case to ``department`` (the lead department select)."""
    take(page, "分流转办", selects={"主办部门": department})
    done(page, "分流转办")


# --- the case, registered at the window ------------------------------------------------------

def register_at_window(page, base_url: str, node: str, title: str) -> str:
    """Fill the intake form with two parties at ``node`` and register; the new case's code."""
    page.goto(f"{base_url}/{SLUG}/workbench/intake")
    page.get_by_label("案件类型").select_option("general_dispute")
    page.get_by_label("纠纷类别").select_option(label="邻里")
    page.get_by_label("标题").fill(title)
    page.get_by_label("情况描述").fill("楼上住户卫生间漏水，多次协商未果。")
    page.get_by_label("层级节点（编码）").fill(node)
    applicant = page.get_by_role("group", name="当事人 1")
    assert applicant.get_by_label(label("身份")).input_value() == "applicant"
    applicant.get_by_label(label("名称")).fill("张三")
    applicant.get_by_label("身份证号码或统一社会信用代码").fill(APPLICANT_ID)
    applicant.get_by_label(label("电话")).fill(APPLICANT_PHONE)
    respondent = page.get_by_role("group", name="当事人 2")
    respondent.get_by_label(label("身份")).select_option(label="被申请人")
    respondent.get_by_label(label("名称")).fill("李四")
    respondent.get_by_label(label("电话")).fill("13987654321")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/haizhou/workbench/cases/HAIZ-"))
    flash = page.get_by_role("status").inner_text()
    found = CODE.search(flash)
    assert found, flash
    assert page.locator(".case-code").inner_text() == found.group(0)
    return found.group(0)


@pytest.fixture(scope="module")
def case_code(staff, live_server) -> str:
    """Step 1: the clerk registers a neighbours' dispute with two parties; its code."""
    page = staff(SLUG, "clerk")
    code = register_at_window(page, live_server, COMMUNITY, "楼上漏水引发邻里纠纷")
    status_is(page, "已登记")
    # The parties are shown masked: the ID number and the phone never appear in plain.
    parties = page.locator("table.parties").inner_text()
    assert "张三" in parties and "李四" in parties
    assert APPLICANT_PHONE not in parties and APPLICANT_ID not in parties
    assert "5678" in parties
    screenshot(page, f"{SLUG}-case-registered")
    return code


@pytest.fixture(scope="module")
def street_case(staff, live_server) -> str:
    """A case registered at 海州街道 (the ladder's street rung), in mediation, one attempt made."""
    code = register_at_window(staff(SLUG, "clerk"), live_server, STREET, "小区停车位分配矛盾")
    url = f"{live_server}/{SLUG}/workbench/cases/{code}"
    dispatcher = staff(SLUG, "dispatcher")
    dispatcher.goto(url)
    take(dispatcher, "受理")
    assign(dispatcher)
    mediator = staff(SLUG, "mediator")
    mediator.goto(url)
    take(mediator, "开始调解")
    attempt(mediator, leader="街道主任孙强")
    return code


def test_a_case_from_the_window_to_the_citizens_evaluation(staff, browser, live_server,
                                                           case_code):
    url = f"{live_server}/{SLUG}/workbench/cases/{case_code}"

    # 2. The dispatcher finds it in the queue, accepts it and assigns it to a department.
    dispatcher = staff(SLUG, "dispatcher")
    dispatcher.goto(f"{live_server}/{SLUG}/workbench/")
    dispatcher.get_by_role("link", name=case_code).click()
    dispatcher.wait_for_url(url)
    take(dispatcher, "受理")
    done(dispatcher, "受理")
    status_is(dispatcher, "已受理")
    assign(dispatcher)
    status_is(dispatcher, "已分派")

    # 3. The mediator mediates. Rung 1 (the community's mediator): one failed attempt, up.
    mediator = staff(SLUG, "mediator")
    mediator.goto(url)
    take(mediator, "开始调解")
    done(mediator, "开始调解")
    attempt(mediator)
    take(mediator, "上移至上级", {"理由": "社区调解员调解一次未果"})
    done(mediator, "上移至上级")
    status_is(mediator, "已上移")

    # Rung 2 (the community committee with its secretary): after one attempt going up is
    # refused, and the page says why in the ladder's words.
    dispatcher.goto(url)
    assign(dispatcher)
    mediator.goto(url)
    take(mediator, "开始调解")
    attempt(mediator)
    take(mediator, "上移至上级", {"理由": "调委会调解未果"})
    refusal = mediator.get_by_role("alert").first.inner_text()
    assert "操作未执行。" in refusal
    form = action_form(mediator, "上移至上级")
    errors = form.get_by_role("alert").inner_text()
    assert "本级须调解至少 2 次方可上移，目前已调解 1 次" in errors
    assert "本级主要负责人须参与调解后方可上移" in errors
    assert form.get_by_label(label("理由")).input_value() == "调委会调解未果"
    status_is(mediator, "调处中")
    screenshot(mediator, f"{SLUG}-case-escalation-refused")
    # A second attempt with the community's secretary: now the case may go up.
    attempt(mediator, leader="社区书记赵敏")
    take(mediator, "上移至上级", {"理由": "调委会两次调解、书记介入仍未化解"})
    done(mediator, "上移至上级")
    status_is(mediator, "已上移")
    # The street (海州街道) is now responsible.
    assert "海州街道" in mediator.locator("main").inner_text()

    # Rung 3 (the street with its principal leader): the street mediates. (Going up from the
    # street to the district is test_the_street_escalates_to_the_district_after_three_attempts.)
    dispatcher.goto(url)
    assign(dispatcher)
    mediator.goto(url)
    take(mediator, "开始调解")
    attempt(mediator, leader="街道主任孙强")

    # 4. A leader urges the case (nothing is due yet) and finds it in the board's urged column.
    leader = staff(SLUG, "leader")
    leader.goto(f"{live_server}/{SLUG}/workbench/board")
    urged = leader.get_by_role("region", name=re.compile("^催办"))
    assert case_code not in urged.inner_text()
    leader.goto(url)
    leader.get_by_text("发出通知", exact=True).click()
    notice = leader.locator("#notices form")
    notice.get_by_label(label("类别")).select_option(label="催办")
    notice.get_by_label(label("通知内容")).fill("请于三日内反馈调处进展")
    notice.get_by_role("button", name="发出", exact=True).click()
    leader.wait_for_url(re.compile("#notices$"))
    assert "通知已发出：催办" in leader.get_by_role("status").inner_text()
    leader.goto(f"{live_server}/{SLUG}/workbench/board")
    urged = leader.get_by_role("region", name=re.compile("^催办"))
    assert urged.get_by_role("link", name=case_code).is_visible()
    screenshot(leader, f"{SLUG}-board")

    # 5. The street's mediation succeeds: the mediator resolves it, the dispatcher closes it.
    mediator.goto(url)
    take(mediator, "化解", {"化解结果": "街道主持下双方达成调解协议，楼上住户修复防水并赔偿"})
    done(mediator, "化解")
    status_is(mediator, "已化解")
    dispatcher.goto(url)
    take(dispatcher, "办结")
    done(dispatcher, "办结")
    status_is(dispatcher, "已办结")

    # 6. The citizen, in a browser of their own, tracks the case and evaluates it — once.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    try:
        citizen = context.new_page()
        citizen.goto(f"{live_server}/{SLUG}/portal/track")
        citizen.get_by_label("案件编码").fill(case_code)
        citizen.get_by_label("电话号码后四位").fill("5678")
        citizen.get_by_role("button", name="查询", exact=True).click()
        citizen.wait_for_url(f"{live_server}/{SLUG}/portal/cases/{case_code}")
        assert citizen.locator("strong.status").inner_text() == "已办结"
        page_text = citizen.locator("main").inner_text()
        assert "张三" not in page_text and APPLICANT_PHONE not in page_text
        screenshot(citizen, f"{SLUG}-portal-status-phone")
        # The same citizen has the page open twice (a second tab): both show the form.
        second = context.new_page()
        second.set_default_timeout(8000)
        second.goto(citizen.url)
        citizen.get_by_label(label("满意")).check()
        citizen.get_by_role("button", name="提交评价").click()
        citizen.wait_for_load_state()
        assert citizen.get_by_text("谢谢您，评价已记录。").is_visible()
        assert citizen.get_by_role("button", name="提交评价").count() == 0
        # The second evaluation, sent from the other tab, is refused with a message.
        second.get_by_label(label("满意")).check()
        response_of = second.expect_response(re.compile("/evaluate$"))
        with response_of as answer:
            second.get_by_role("button", name="提交评价").click()
        assert answer.value.status == 409
        assert second.get_by_role("status").filter(
            has_text="此事件已在网上评价过，谢谢您。").is_visible()
    finally:
        context.close()


def test_another_tenant_never_shows_the_case(staff, page, live_server, case_code):
    # 7. A zhoushan leader opening the haizhou case's address gets the not-found page.
    leader = staff("zhoushan", "leader")
    response = leader.goto(f"{live_server}/zhoushan/workbench/cases/{case_code}")
    assert response.status == 404
    assert leader.get_by_text("此处没有该编码的案件。").is_visible()
    assert "楼上漏水" not in leader.content()
    # Tracking the haizhou code at zhoushan's portal answers exactly like a wrong code.
    page.goto(f"{live_server}/zhoushan/portal/track")
    page.get_by_label("案件编码").fill(case_code)
    page.get_by_label("电话号码后四位").fill("5678")
    page.get_by_role("button", name="查询", exact=True).click()
    foreign = page.get_by_role("alert").inner_text()
    assert "没有找到与此编码和电话后四位相符的事件" in foreign
    page.get_by_label("案件编码").fill(case_code)
    page.get_by_label("电话号码后四位").fill("0000")
    page.get_by_role("button", name="查询", exact=True).click()
    assert page.get_by_role("alert").inner_text() == foreign


def test_the_escalate_form_names_the_rung_in_words(staff, live_server, street_case):
    mediator = staff(SLUG, "mediator")
    mediator.goto(f"{live_server}/{SLUG}/workbench/cases/{street_case}")
    needs = action_form(mediator, "上移至上级").locator(".ladder-needs").inner_text()
    assert "street" not in needs
    assert "镇街道" in needs


def test_the_street_escalates_to_the_district_after_three_attempts(staff, live_server,
                                                                   street_case):
    mediator = staff(SLUG, "mediator")
    mediator.goto(f"{live_server}/{SLUG}/workbench/cases/{street_case}")
    take(mediator, "上移至上级", {"理由": "街道调解一次"})
    refusal = action_form(mediator, "上移至上级").get_by_role("alert").inner_text()
    assert "本级须调解至少 3 次方可上移，目前已调解 1 次" in refusal
    attempt(mediator, leader="街道主任孙强")
    attempt(mediator, leader="街道主任孙强")
    take(mediator, "上移至上级", {"理由": "街道三次调解、主要负责人介入仍未化解"})
    done(mediator, "上移至上级")
    status_is(mediator, "已上移")
    assert "海州区" in mediator.locator(".facts, main").first.inner_text()
