"""The campus panel of the case page: a case's sealed referrals, counted and linked for
viewers with counseling.read only; nothing of them for anyone else."""

from __future__ import annotations

from core import accounts
from tests.plugins.campus.test_records import (
    PASSWORD,
    bullying_intake,
    referral_form,
    register,
    sign_in,
    site,
)

__all__ = ["site"]


def _page(client, code):
    response = client.get(f"/on/workbench/cases/{code}?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_counselor_sees_the_count_of_the_cases_referrals_and_a_clerk_sees_nothing(site):
    app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake())
    other = register(onedoor, on, bullying_intake())
    clerk = app.test_client()
    sign_in(clerk, "on", "on-clerk")
    for _ in range(2):
        assert referral_form(clerk, case_code=code).status_code == 200
    assert referral_form(clerk, case_code=other).status_code == 200
    with onedoor.database.transaction(on.id) as session:
        both = accounts.create_user(session, "on-clerk-counselor", PASSWORD)
        accounts.add_membership(session, both, "clerk")
        accounts.add_membership(session, both, "counselor")

    clerk_page = _page(clerk, code)
    assert 'id="panel-campus-referrals"' not in clerk_page
    assert "Sealed counseling referrals" not in clerk_page

    counselor = app.test_client()
    sign_in(counselor, "on", "on-clerk-counselor")
    html = _page(counselor, code)
    panel = html.split('id="panel-campus-referrals"')[1].split("</section>")[0]
    assert "Sealed counseling referrals of this case: 2." in panel
    link = f"/on/plugins/campus/referrals?case={code}"
    assert f'href="{link}"' in panel and "失眠" not in html  # counted, never opened here
    listing = counselor.get(link).get_data(as_text=True)
    assert listing.count("Open the sealed details") == 2 and other not in listing


def test_a_case_without_referrals_has_no_campus_panel(site):
    app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake())
    with onedoor.database.transaction(on.id) as session:
        both = accounts.create_user(session, "on-clerk-counselor", PASSWORD)
        accounts.add_membership(session, both, "clerk")
        accounts.add_membership(session, both, "counselor")
    counselor = app.test_client()
    sign_in(counselor, "on", "on-clerk-counselor")
    assert 'class="plugin-panel"' not in _page(counselor, code)
