"""Centers: the list, and a center's windows and stationed departments grouped by mode."""

from __future__ import annotations

import re

from core.essentials.catalog import CORE_WINDOWS
from core.models import StationingMode


def _plugin_windows(site, plugin: str):
    results = site.app.extensions["onedoor"].registry.hooks_of(plugin).onedoor_window_types()
    return [w for result in results for w in result or []]


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_windows_only_of_core_and_enabled_plugins(site):
    tenant_id = site.tenant("alpha", plugins={"maritime": {}})
    enabled = _plugin_windows(site, "maritime")
    disabled = _plugin_windows(site, "labor_arbitration")
    assert enabled and disabled
    site.open_window(tenant_id, "alpha-center", CORE_WINDOWS[1].code)
    site.open_window(tenant_id, "alpha-center", enabled[0].code)
    site.open_window(tenant_id, "alpha-center", disabled[0].code)  # stale: plugin not enabled
    status, html = site.page("/alpha/centers/alpha-center?lang=en")
    assert status == 200
    windows = _section(html, "windows-h")
    assert CORE_WINDOWS[0].name("en") in windows  # general_intake, from the factory
    assert CORE_WINDOWS[1].name("en") in windows
    assert enabled[0].name("en") in windows
    assert disabled[0].name("en") not in html
    assert 'class="chip-specialty"' in windows  # the plugin's window is marked as specialty
    # The list counts the same three windows.
    listing = site.page("/alpha/centers/?lang=en")[1]
    row = listing[listing.index('href="/alpha/centers/alpha-center"'):]
    assert re.search(r'<td class="num">3</td>', row[:row.index("</tr>")])


def test_stationings_grouped_by_mode_with_schedule_and_12_plus_x(site):
    tenant_id = site.tenant("alpha")
    site.station(tenant_id, "alpha-center", "justice",
                 names={"zh_Hans": "司法局", "en": "Justice Bureau"},
                 mode=StationingMode.ROTATING,
                 schedule={"days": ["tue", "thu"], "hours": "09:00-12:00"})
    site.station(tenant_id, "alpha-center", "family",
                 names={"zh_Hans": "婚姻家庭调解室", "en": "Family mediation"},
                 kind="specialty", mode=StationingMode.ON_CALL,
                 schedule={"contact": "0580-2020000", "note": "within 2 hours"})
    site.station(tenant_id, "alpha-center", "lawyers",
                 names={"zh_Hans": "律师调解工作室", "en": "Lawyers' studio"},
                 kind="specialty", mode=StationingMode.RESIDENT, schedule={"days": ["mon"]})
    status, html = site.page("/alpha/centers/alpha-center?lang=en")
    assert status == 200
    resident = _section(html, "mode-resident")
    rotating = _section(html, "mode-rotating")
    on_call = _section(html, "mode-on_call")
    assert "人民法院" in resident and "Lawyers&#39; studio" in resident
    assert "Justice Bureau" in rotating and "Tue, Thu" in rotating and "09:00-12:00" in rotating
    assert "Family mediation" in on_call and "0580-2020000" in on_call
    assert "within 2 hours" in on_call
    assert "Justice Bureau" not in resident + on_call
    # Groups in the order resident, rotating, on call.
    order = [html.index(f'id="mode-{mode}"') for mode in ("resident", "rotating", "on_call")]
    assert order == sorted(order)
    # 12+X: court and justice are core, the two others specialty.
    assert '<span class="n">2</span>+<span class="n">2</span>' in html
    zh = site.page("/alpha/centers/alpha-center?lang=zh_Hans")[1]
    assert "常驻" in zh and "轮驻" in zh and "随驻" in zh
    assert "周二、周四" in zh
    listing = site.page("/alpha/centers/?lang=en")[1]
    assert '<span class="n">2</span>+<span class="n">2</span>' in listing


def test_unknown_center_and_center_of_another_tenant_are_404(site):
    site.tenant("alpha")
    site.tenant("beta")
    assert site.page("/alpha/centers/alpha-center")[0] == 200
    assert site.page("/alpha/centers/beta-center")[0] == 404
    assert site.page("/alpha/centers/nope")[0] == 404
    listing = site.page("/alpha/centers/")[1]
    assert "beta" not in listing
