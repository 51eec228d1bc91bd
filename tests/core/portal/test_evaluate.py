"""Evaluation after closure: once per closure, only after the check, a review on request."""

from __future__ import annotations

from sqlalchemy import select

from core.models import SupervisionNotice
from tests.core.portal.conftest import (
    CLOSE,
    DIGITS,
    count,
    csrf_of,
    evaluations,
    move,
    submit_case,
)


def _check(world, code: str) -> None:
    response = world.client.post("/alpha/portal/track", data={
        "code": code, "digits": DIGITS, "csrf_token": csrf_of(world, "/alpha/portal/track")})
    assert response.status_code == 303


def _evaluate(world, code: str, lang: str = "en", **form: str):
    token = csrf_of(world, "/alpha/portal/track")
    return world.client.post(f"/alpha/portal/cases/{code}/evaluate?lang={lang}",
                             data={"csrf_token": token, **form})


def test_after_closure_the_citizen_evaluates_once(world):
    code = submit_case(world)
    move(world, world.alpha, code, *CLOSE)
    _check(world, code)
    page = world.client.get(f"/alpha/portal/cases/{code}?lang=en").get_data(as_text=True)
    assert 'name="rating"' in page and "/evaluate" in page

    response = _evaluate(world, code, rating="basically_satisfied", comment="处理及时")
    assert response.status_code == 303
    rows = evaluations(world, world.alpha.id)
    assert [(e.rating, e.channel, e.comment, e.recorded_by) for e in rows] == [
        ("basically_satisfied", "online", "处理及时", "portal")]
    after = world.client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "your evaluation has been recorded" in after
    assert 'name="rating"' not in after and "already been evaluated online" in after

    again = _evaluate(world, code, rating="unsatisfied")
    assert again.status_code == 409
    assert "already been evaluated online" in again.get_data(as_text=True)
    assert len(evaluations(world, world.alpha.id)) == 1


def test_unsatisfied_with_review_opens_a_supervision_notice(world):
    code = submit_case(world)
    move(world, world.alpha, code, *CLOSE)
    _check(world, code)
    assert _evaluate(world, code, rating="unsatisfied", comment="没解决",
                     review="1").status_code == 303
    with world.database.transaction(world.alpha.id) as session:
        kinds = session.scalars(select(SupervisionNotice.kind)).all()
    assert kinds == ["supervise"]


def test_before_closure_the_evaluation_is_refused(world):
    code = submit_case(world)
    _check(world, code)
    page = world.client.get(f"/alpha/portal/cases/{code}").get_data(as_text=True)
    assert 'name="rating"' not in page
    response = _evaluate(world, code, rating="satisfied")
    assert response.status_code == 409
    assert "once it is closed" in response.get_data(as_text=True)
    assert evaluations(world, world.alpha.id) == []


def test_without_the_check_the_code_alone_is_not_enough(world):
    code = submit_case(world)
    move(world, world.alpha, code, *CLOSE)
    response = _evaluate(world, code, rating="satisfied")
    assert response.status_code == 302
    assert evaluations(world, world.alpha.id) == []


def test_a_missing_rating_is_a_field_error_in_the_readers_language(world):
    code = submit_case(world)
    move(world, world.alpha, code, *CLOSE)
    _check(world, code)
    for lang, expected in (("zh_Hans", "请选择您的满意程度"), ("en", "Choose how satisfied")):
        response = _evaluate(world, code, lang=lang, comment="还行")
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and expected in html and "还行" in html
    assert count(world, world.alpha.id) == 1 and evaluations(world, world.alpha.id) == []
