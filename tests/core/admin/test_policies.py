"""Escalation ladder, risk thresholds and indicator settings: forms that edit tenant.toml."""

from __future__ import annotations

from core.risk import risk_config
from tests.core.admin.conftest import Admin

URL = "/alpha/admin/policies"


def _config(site: Admin, slug: str = "alpha") -> dict:
    from sqlalchemy import select  # noqa: PLC0415

    from core.models import Tenant  # noqa: PLC0415

    with site.database.transaction() as session:
        return session.scalar(select(Tenant.config).where(Tenant.slug == slug))


def _ladder_form(site: Admin, **changes: str) -> dict[str, str]:
    """The ladder form as the page shows it, with ``changes`` (``ladder.1.min_attempts``)."""
    steps = _config(site)["escalation"]["ladder"]
    data = {"step": "apply"}
    for index, step in enumerate([*steps, {}]):
        data[f"ladder.{index}.level"] = step.get("level", "")
        data[f"ladder.{index}.min_attempts"] = str(step.get("min_attempts", ""))
        data[f"ladder.{index}.leader_required"] = "true" if step.get("leader_required") \
            else "false"
        data[f"ladder.{index}.deadline_days"] = str(step.get("deadline_days", ""))
    data.update(changes)
    return data


def test_the_page_shows_the_ladder_the_thresholds_and_the_tier_above(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get(URL + "?lang=en")
    assert status == 200
    assert 'name="ladder.0.level"' in html and 'name="ladder.3.level"' in html  # 3 + a spare
    assert 'name="risk.group_threshold" type="number" value="10"' in html
    assert "the tier above it: City." in html


def test_a_new_ladder_step_deadline_is_applied_once_and_audited(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()

    response = site.post_form(URL + "/escalation", _ladder_form(
        site, **{"ladder.1.deadline_days": "12"}), page_url=URL, follow=True)

    assert response.status_code == 200
    assert _config(site)["escalation"]["ladder"][1]["deadline_days"] == 12
    assert site.version() == before + 1
    assert site.audit_count("alpha", "tenant.applied") == 2


def test_a_bad_step_is_shown_on_its_row_in_chinese_keeps_the_input_and_applies_nothing(
        site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    ladder = _config(site)["escalation"]["ladder"]

    response = site.post_form(URL + "/escalation?lang=zh_Hans", _ladder_form(
        site, **{"ladder.1.min_attempts": "0", "ladder.2.level": "village",
                 "ladder.3.level": "village", "ladder.3.min_attempts": "两次",
                 "ladder.3.deadline_days": "5"}), page_url=URL)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="e-ladder-1-min_attempts">至少为 1' in html
    assert 'id="e-ladder-3-min_attempts">必须是整数' in html
    assert 'value="两次"' in html  # what was typed is kept
    assert site.version() == before and _config(site)["escalation"]["ladder"] == ladder


def test_a_step_below_the_one_before_is_refused(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form(URL + "/escalation?lang=en", _ladder_form(
        site, **{"ladder.3.level": "village", "ladder.3.min_attempts": "1",
                 "ladder.3.deadline_days": "5"}), page_url=URL)
    assert "the ladder climbs the tiers" in response.get_data(as_text=True)
    assert site.version() == before


def test_risk_thresholds_change_what_the_risk_rules_use(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    form = {"risk.group_threshold": "8", "risk.group_red_threshold": "40",
            "risk.amount_orange": "100000", "risk.amount_red": "1000000",
            "risk.repeat_cases": "3", "risk.repeat_window_days": "90",
            "risk.keywords_red": "跳楼\n自焚", "risk.keywords_orange": "上访", "step": "apply"}

    site.post_form(URL + "/risk", form, page_url=URL, follow=True)

    risk = _config(site)["risk"]
    assert risk["group_threshold"] == 8 and risk["keywords_red"] == ["跳楼", "自焚"]
    assert risk_config(risk)["group_threshold"] == 8 and "跳楼" in risk_config(risk)["keywords_red"]


def test_a_red_threshold_below_orange_is_named_in_the_readers_language(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    form = {"risk.group_threshold": "8", "risk.group_red_threshold": "4", "step": "apply"}

    chinese = site.post_form(URL + "/risk?lang=zh_Hans", form, page_url=URL)
    english = site.post_form(URL + "/risk?lang=en", form, page_url=URL)

    assert 'id="e-risk-group_red_threshold">必须大于 group_threshold（8）' in \
        chinese.get_data(as_text=True)
    assert "must be greater than group_threshold (8)" in english.get_data(as_text=True)
    assert site.version() == before


def test_indicator_settings_are_written_and_an_unknown_level_refused(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form(URL + "/indicators", {"indicators.satisfaction_counts": "satisfied",
                                         "indicators.frontline_level": "town",
                                         "step": "apply"}, page_url=URL, follow=True)
    assert _config(site)["indicators"] == {"satisfaction_counts": "satisfied",
                                           "frontline_level": "town"}

    refused = site.post_form(URL + "/indicators?lang=en", {
        "indicators.frontline_level": "hamlet", "step": "apply"}, page_url=URL)
    assert "unknown tier level &#39;hamlet&#39;" in refused.get_data(as_text=True)


def test_a_clerk_may_not_see_or_post_the_policies(site: Admin):
    site.sign_in("alpha", "alpha-clerk")
    assert site.get(URL)[0] == 403
    page_less = site.client.post(URL + "/risk", data={"risk.group_threshold": "9"})
    assert page_less.status_code in (400, 403)
