"""A center's "12+X" at a glance: the core catalogue covered, who is here today, how to call."""

from __future__ import annotations

from datetime import UTC, datetime

from core.models import Department, StationingMode
from core.web import centers

TUESDAY = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SUNDAY = datetime(2026, 11, 8, 2, 0, tzinfo=UTC)


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start:html.find("</section>", start)]


def _alpha(site) -> int:
    tenant_id = site.tenant("alpha")  # the court, resident on Mondays
    site.station(tenant_id, "alpha-center", "justice",
                 names={"zh_Hans": "司法局", "en": "Justice Bureau"},
                 mode=StationingMode.ROTATING,
                 schedule={"days": ["tue", "thu"], "hours": "09:00-12:00"})
    site.station(tenant_id, "alpha-center", "petition_bureau",
                 names={"zh_Hans": "信访局", "en": "Petition Bureau"})  # resident, no days
    site.station(tenant_id, "alpha-center", "family",
                 names={"zh_Hans": "婚姻家庭调解室", "en": "Family mediation"},
                 kind="specialty", mode=StationingMode.ON_CALL,
                 schedule={"contact": "0580-2020000"})
    with site.database.transaction(tenant_id) as session:  # in the catalogue, not stationed
        session.add(Department(code="health", names={"zh_Hans": "卫生健康局",
                                                     "en": "Health Commission"}))
    return tenant_id


def test_the_glance_counts_the_core_catalogue_and_names_what_is_missing(site):
    _alpha(site)
    status, html = site.page("/alpha/centers/alpha-center?lang=en")
    assert status == 200
    glance = _section(html, "mix-h")
    assert "3 of the 4 core departments in the catalogue are stationed here." in glance
    assert "Not stationed here:" in glance and "Health Commission" in glance
    assert "Family mediation" not in glance[glance.index("Not stationed"):]


def test_here_today_lists_resident_and_rotating_departments_on_their_days(site, monkeypatch):
    _alpha(site)
    monkeypatch.setattr(centers, "_now", lambda: TUESDAY)
    glance = _section(site.page("/alpha/centers/alpha-center?lang=en")[1], "mix-h")
    today = glance[glance.index('id="today-h"'):]
    assert "Here today (Tue)" in today
    # Justice rotates on Tuesdays; the petition bureau is resident every working day; the
    # court only on Mondays; the family mediators are on call.
    assert "Justice Bureau" in today and "09:00-12:00" in today
    assert "Petition Bureau" in today
    assert "人民法院" not in today and "Family mediation" not in today
    monkeypatch.setattr(centers, "_now", lambda: SUNDAY)
    sunday = site.page("/alpha/centers/alpha-center?lang=zh_Hans")[1]
    assert "今日在岗（周日）" in sunday and "今日没有排班入驻的单位" in sunday


def test_schedules_read_working_days_and_on_call_contacts_can_be_dialled(site):
    _alpha(site)
    html = site.page("/alpha/centers/alpha-center?lang=en")[1]
    resident = _section(html, "mode-resident")
    row = resident[resident.index("Petition Bureau"):]
    assert "Working days" in row[:row.index("</tr>")]
    on_call = _section(html, "mode-on_call")
    assert '<a href="tel:0580-2020000"' not in on_call  # digits only in the URI
    assert '<a href="tel:05802020000">0580-2020000</a>' in on_call


def test_tel_uri_takes_only_telephone_numbers():
    assert centers.tel_uri("+86 (580) 202-0000") == "tel:+865802020000"
    assert centers.tel_uri("call the duty office") is None
    assert centers.tel_uri(None) is None
