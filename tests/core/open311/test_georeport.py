"""GeoReport v2 methods in JSON and XML: discovery, services, definitions, requests, tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.core.open311.conftest import World, json_of, xml_of

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]


def errors_of(response, fmt: str, status: int) -> list[dict]:
    """The spec's error list, in either format, after checking the HTTP status."""
    assert response.status_code == status, response.get_data(as_text=True)
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} and e["description"] for e in body)
        return body
    root = xml_of(response)
    assert root.tag == "errors"
    items = [{"code": int(e.findtext("code")), "description": e.findtext("description")}
             for e in root.findall("error")]
    assert items and all(i["description"] for i in items)
    return items


# --- discovery and services ------------------------------------------------------------------


def test_discovery_names_the_tenants_endpoint_and_both_formats(world: World) -> None:
    body = json_of(world.get(world.alpha, "/discovery.json"))
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://localhost/alpha/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(body["changeset"]) and body["changeset"].endswith("+08:00")
    root = xml_of(world.get(world.alpha, "/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://localhost/alpha/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == \
        ["text/xml", "application/json"]


def test_services_are_the_enabled_case_types_in_the_requests_locale(world: World) -> None:
    services = {s["service_code"]: s for s in json_of(world.get(world.alpha, "/services.json"))}
    assert {"general_dispute", "petition", "streetlight"} <= set(services)
    light = services["streetlight"]
    assert light == {"service_code": "streetlight", "service_name": "路灯故障",
                     "description": "路灯不亮或闪烁", "metadata": True, "type": "realtime",
                     "keywords": "light, lamp", "group": "streets"}
    assert services["general_dispute"]["metadata"] is False

    english = {s["service_code"]: s for s in json_of(
        world.get(world.alpha, "/services.json?locale=en"))}
    assert english["streetlight"]["service_name"] == "Street light out"
    hant = world.get(world.alpha, "/services.xml", headers={"Accept-Language": "zh-TW,en;q=0.5"})
    root = xml_of(hant)
    names = {s.findtext("service_code"): s.findtext("service_name")
             for s in root.findall("service")}
    assert names["streetlight"] == "路燈故障"
    light_xml = next(s for s in root.findall("service") if s.findtext("service_code")
                     == "streetlight")
    assert light_xml.findtext("metadata") == "true" and light_xml.findtext("type") == "realtime"


def test_a_disabled_plugins_type_is_no_service_and_cannot_be_posted(world: World) -> None:
    beta = world.beta
    codes = {s["service_code"] for s in json_of(world.get(beta, "/services.json"))}
    assert "streetlight" not in codes and "general_dispute" in codes
    errors_of(world.get(beta, "/services/streetlight.json"), "json", 404)
    before = world.count(beta)
    errors_of(world.submit(beta, service_code="streetlight", **{"attribute[pole]": "P1"}),
              "json", 404)
    assert world.count(beta) == before


def test_the_service_definition_comes_from_the_details_schema(world: World) -> None:
    body = json_of(world.get(world.alpha, "/services/streetlight.json?locale=en"))
    assert body["service_code"] == "streetlight"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert [a["order"] for a in body["attributes"]] == list(range(1, 7))
    assert {c: a["datatype"] for c, a in attributes.items()} == {
        "pole": "string", "problem": "singlevaluelist", "lamps": "number",
        "seen_at": "datetime", "colors": "multivaluelist", "note": "text"}
    assert attributes["pole"]["required"] is True and attributes["lamps"]["required"] is False
    assert attributes["pole"]["description"] == "Pole number"
    assert attributes["problem"]["values"] == [{"key": "out", "name": "Out"},
                                               {"key": "flicker", "name": "Flicker"}]
    assert [v["key"] for v in attributes["colors"]["values"]] == ["white", "yellow"]
    assert all(a["variable"] is True for a in body["attributes"])

    root = xml_of(world.get(world.alpha, "/services/streetlight.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "streetlight"
    first = root.find("attributes/attribute")
    assert first.findtext("code") == "pole" and first.findtext("required") == "true"
    assert first.findtext("description") == "灯杆编号"
    problem = root.findall("attributes/attribute")[1]
    assert [v.findtext("key") for v in problem.findall("values/value")] == ["out", "flicker"]
    plain = json_of(world.get(world.alpha, "/services/general_dispute.json"))
    assert plain == {"service_code": "general_dispute", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_a_404_in_the_spec_format(world: World, fmt: str) -> None:
    errors = errors_of(world.get(world.alpha, f"/services/pothole.{fmt}"), fmt, 404)
    assert errors[0]["code"] == 404


# --- POST requests ---------------------------------------------------------------------------


def test_post_creates_exactly_one_real_case_seen_by_staff(world: World) -> None:
    alpha = world.alpha
    before = world.count(alpha)
    response = world.submit(alpha, service_code="streetlight",
                            **{"attribute[pole]": "ZS-0815", "attribute[lamps]": "2",
                               "attribute[colors][]": ["white", "yellow"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = json_of(response)
    assert len(body) == 1 and set(body[0]) == {"service_request_id", "service_notice",
                                               "account_id"}
    code = body[0]["service_request_id"]
    assert body[0]["account_id"] == "acc-7" and code in body[0]["service_notice"]
    assert response.headers["Location"].endswith(f"/alpha/open311/v2/requests/{code}.json")
    assert world.count(alpha) == before + 1

    case = world.api("GET", alpha, f"/cases/{code}").get_json()
    assert case["code"] == code and case["channel"] == "app"
    assert case["case_type"] == "streetlight" and case["status"] == "registered"
    assert case["title"] == "楼上装修噪音持续到深夜，多次沟通无果"
    assert case["description"].endswith("请协调")
    assert case["location_node"] == "alpha-root"
    assert case["latitude"] == "29.985295" and case["longitude"] == "122.207215"
    assert case["address"] == "定海区解放路1号"
    assert case["details"]["pole"] == "ZS-0815" and case["details"]["lamps"] == 2
    assert case["details"]["colors"] == ["white", "yellow"]
    assert case["details"]["open311"] == {"device_id": "dev-42", "account_id": "acc-7"}
    assert case["version"] == 1
    applicant = case["parties"][0]
    assert applicant["role"] == "applicant" and applicant["name"] == "张三"
    assert applicant["phone"] == "138****5678"
    # The e-mail is the applicant's personal data: masked, and plain only through the reveal.
    assert applicant["email"] == "z***@example.com"
    assert "zhangsan@example.com" not in world.api("GET", alpha, f"/cases/{code}").get_data(
        as_text=True)


def test_post_answers_xml_and_takes_address_id_as_the_tier_node(world: World) -> None:
    response = world.submit(world.alpha, fmt="xml", address_id="alpha-t1", lat=None, long=None,
                            description=None, first_name="John", last_name="Smith")
    assert response.status_code == 201, response.get_data(as_text=True)
    root = xml_of(response)
    assert root.tag == "service_requests"
    code = root.findtext("request/service_request_id")
    assert root.findtext("request/account_id") == "acc-7"
    case = world.api("GET", world.alpha, f"/cases/{code}").get_json()
    assert case["location_node"] == "alpha-t1" and case["title"] == "矛盾纠纷"
    assert case["parties"][0]["name"] == "John Smith"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_bad_api_key_is_a_403(world: World, fmt: str) -> None:
    alpha = world.alpha
    before = world.count(alpha)
    for key in ("", "od_not-a-token", alpha.no_scope, alpha.auditor_key, world.beta.key):
        errors = errors_of(world.submit(alpha, fmt=fmt, key=key), fmt, 403)
        assert "api_key" in errors[0]["description"]
    assert world.count(alpha) == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("overrides", "field"), [
    ({"service_code": ""}, "service_code"),
    ({"service_code": "streetlight"}, "attribute[pole]"),
    ({"service_code": "streetlight", "attribute[pole]": "P", "attribute[problem]": "gone"},
     "attribute[problem]"),
    ({"service_code": "streetlight", "attribute[pole]": "P", "attribute[lamps]": "many"},
     "attribute[lamps]"),
    ({"phone": "12345"}, "phone"),
    ({"lat": "north"}, "lat"),
    ({"lat": "95", "long": "120"}, "lat"),
    ({"long": None}, "long"),
    ({"lat": None, "long": None, "address_string": None}, "lat"),
    ({"address_id": "nowhere"}, "address_id"),
    ({"description": "x" * 4001}, "description"),
    ({"attribute[pole]": "P"}, "attribute"),  # general_dispute takes no details
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
        world: World, fmt: str, overrides: dict, field: str) -> None:
    before = world.count(world.alpha)
    errors = errors_of(world.submit(world.alpha, fmt=fmt, **overrides), fmt, 400)
    assert any(e["description"].startswith(f"{field}") for e in errors), errors
    assert world.count(world.alpha) == before


def test_post_is_rate_limited_per_tenant_and_client(world: World) -> None:
    world.app.config["OPEN311_POST_LIMIT"] = "3/minute"
    answers = [world.submit(world.alpha, key="od_wrong").status_code for _ in range(4)]
    assert answers == [403, 403, 403, 429]
    errors = errors_of(world.submit(world.alpha, fmt="xml"), "xml", 429)
    assert errors[0]["code"] == 429
    assert world.submit(world.beta).status_code == 201  # another tenant has its own budget
    assert world.get(world.alpha, "/services.json").status_code == 200  # reads are not limited


# --- GET requests ----------------------------------------------------------------------------


def test_get_requests_lists_open311_cases_without_personal_data(world: World) -> None:
    alpha = world.alpha
    code = world.created(alpha, description="路灯坏了，联系13912345678，身份证11010519491231002X")
    walk_in = world.api("POST", alpha, "/cases", json={
        "case_type": "general_dispute", "channel": "app", "title": "同一渠道但非Open311",
        "location_node": "alpha-t1", "parties": [{"role": "applicant", "name": "王五"}]})
    assert walk_in.status_code == 201

    response = world.get(alpha, "/requests.json")
    body = json_of(response)
    assert [r["service_request_id"] for r in body] == [code]
    request = body[0]
    assert list(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["status_notes"] == "已登记"
    assert request["service_name"] == "矛盾纠纷" and request["service_code"] == "general_dispute"
    assert request["lat"] == pytest.approx(29.985295) and request["address_id"] == "alpha-root"
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[key]) and request[key].endswith("+08:00"), request[key]
    text = response.get_data(as_text=True)
    for secret in ("张三", "13812345678", "13912345678", "11010519491231002X",
                   "zhangsan@example.com", "dev-42", "王五"):
        assert secret not in text
    assert "139****5678" in request["description"]

    root = xml_of(world.get(alpha, "/requests.xml?locale=en"))
    assert root.tag == "service_requests"
    item = root.find("request")
    assert [child.tag for child in item] == REQUEST_FIELDS
    assert item.findtext("service_request_id") == code
    assert item.findtext("status_notes") == "registered"
    assert item.findtext("service_name") == "Dispute" and item.findtext("media_url") == ""


def _move(world: World, code: str, transition: str, **payload) -> None:
    response = world.api("POST", world.alpha, f"/cases/{code}/transitions",
                         json={"transition": transition, **payload})
    assert response.status_code == 200, response.get_json()


def test_get_requests_filters_by_id_code_status_and_dates(world: World) -> None:
    alpha = world.alpha
    first = world.created(alpha)
    light = world.created(alpha, service_code="streetlight", **{"attribute[pole]": "P9"})
    closed = world.created(alpha)
    _move(world, closed, "reject", reason="不属于受理范围", statutory_route="向法院起诉")
    _move(world, closed, "close")
    assigned = world.created(alpha)
    _move(world, assigned, "accept")
    _move(world, assigned, "assign", department="court")

    def ids(query: str) -> list[str]:
        response = world.get(alpha, f"/requests.json{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["service_request_id"] for r in json_of(response)]

    assert ids("") == [assigned, closed, light, first]
    assert ids("?status=closed") == [closed]
    assert ids("?status=open") == [assigned, light, first]
    assert ids("?status=open,closed&service_code=") == [assigned, closed, light, first]
    assert ids("?service_code=streetlight") == [light]
    assert ids("?service_code=streetlight,general_dispute&status=open") == [assigned, light,
                                                                              first]
    assert ids(f"?service_request_id={first},{light},nonsense&status=closed") == [light, first]
    past = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?end_date={past}") == []
    assert ids(f"?start_date={past}") == []  # 90 days from then
    today = datetime.now(UTC).date()
    assert set(ids(f"?start_date={today - timedelta(days=1)}&end_date="
                   f"{(datetime.now(UTC) + timedelta(hours=1)).isoformat()}")) == {
        assigned, closed, light, first}

    by_id = {r["service_request_id"]: r for r in json_of(world.get(alpha, "/requests.json"))}
    assert by_id[closed]["status"] == "closed" and by_id[closed]["status_notes"] == "已办结"
    assert by_id[assigned]["agency_responsible"] == "人民法院"
    assert by_id[first]["agency_responsible"] is None
    assert by_id[assigned]["updated_datetime"] >= by_id[assigned]["requested_datetime"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("query", "field"), [
    ("start_date=yesterday", "start_date"),
    ("end_date=2026-13-45T00:00:00Z", "end_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
    ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
    ("status=pending", "status"),
])
def test_bad_filters_are_a_400_naming_the_parameter(world: World, fmt: str, query: str,
                                                    field: str) -> None:
    errors = errors_of(world.get(world.alpha, f"/requests.{fmt}?{query}"), fmt, 400)
    assert errors[0]["description"].startswith(field)


def test_one_request_by_id_and_the_token_method(world: World) -> None:
    alpha = world.alpha
    code = world.created(alpha)
    body = json_of(world.get(alpha, f"/requests/{code}.json"))
    assert len(body) == 1 and body[0]["service_request_id"] == code
    root = xml_of(world.get(alpha, f"/requests/{code}.xml"))
    assert root.findtext("request/service_request_id") == code
    assert json_of(world.get(alpha, f"/tokens/{code}.json")) == [
        {"service_request_id": code, "token": code}]
    root = xml_of(world.get(alpha, f"/tokens/{code}.xml"))
    assert root.findtext("request/token") == code
    for path in ("/requests/AL-2026-999999-0", "/requests/garbage", "/tokens/garbage"):
        for fmt in ("json", "xml"):
            errors_of(world.get(alpha, f"{path}.{fmt}"), fmt, 404)


# --- jurisdiction, formats, unknown paths ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_id_must_be_the_tenant_or_absent(world: World, fmt: str) -> None:
    alpha = world.alpha
    assert world.get(alpha, f"/services.{fmt}?jurisdiction_id=alpha").status_code == 200
    assert world.get(alpha, f"/services.{fmt}?jurisdiction_id=").status_code == 200
    errors = errors_of(world.get(alpha, f"/services.{fmt}?jurisdiction_id=beta"), fmt, 404)
    assert "beta" in errors[0]["description"]
    before = world.count(alpha)
    errors_of(world.submit(alpha, fmt=fmt, jurisdiction_id="beta"), fmt, 404)
    assert world.count(alpha) == before
    assert world.submit(alpha, fmt=fmt, jurisdiction_id="alpha").status_code == 201


def test_unknown_formats_tenants_and_paths_answer_in_the_spec_format(world: World) -> None:
    errors = errors_of(world.get(world.alpha, "/services.csv"), "xml", 400)
    assert ".xml" in errors[0]["description"]
    errors_of(world.submit(world.alpha, fmt="html"), "xml", 400)
    errors_of(world.client.get("/nowhere/open311/v2/services.json"), "json", 404)
    errors_of(world.get(world.alpha, "/reports/1.json"), "json", 404)
    english = errors_of(world.get(world.alpha, "/services/x.json?locale=en"), "json", 404)
    chinese = errors_of(world.get(world.alpha, "/services/x.json"), "json", 404)
    assert english[0]["description"] != chinese[0]["description"]
