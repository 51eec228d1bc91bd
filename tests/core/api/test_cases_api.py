"""``/<tenant>/api/v1/cases``: intake, lists, ETags, transitions, idempotency and PII reveal."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import AuditEvent, Case, Party
from tests.core.api.conftest import World, intake

PROBLEM = "application/problem+json"


def count_cases(world: World, tenant) -> int:
    with world.database.transaction(tenant.id) as session:
        return session.scalar(select(func.count()).select_from(Case))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body.get("detail")
    return body


def fields_of(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def test_intake_answers_201_with_location_etag_and_masked_personal_data(world: World) -> None:
    alpha = world.alpha
    response = world.call("POST", alpha, "/cases", alpha.token, json=intake())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    code = body["code"]
    assert response.headers["Location"].endswith(f"/alpha/api/v1/cases/{code}")
    assert response.headers["ETag"] == f'"{code}.v{body["version"]}"'
    applicant = body["parties"][0]
    assert applicant["phone"] == "138****5678"
    assert applicant["id_number"] == "110***********002X"
    text = response.get_data(as_text=True)
    assert "13812345678" not in text and "11010519491231002X" not in text
    assert body["status"] == "registered" and body["location_node"] == "alpha-t1"

    fetched = world.call("GET", alpha, f"/cases/{code}", alpha.token)
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == response.headers["ETag"]
    assert fetched.get_json()["code"] == code and "accept" in fetched.get_json()["actions"]
    assert "13812345678" not in fetched.get_data(as_text=True)


def test_a_cases_clocks_carry_their_rules_name_in_the_requests_language(world: World) -> None:
    alpha = world.alpha
    code = world.create_case(alpha)["code"]

    chinese = world.call("GET", alpha, f"/cases/{code}?lang=zh_Hans", alpha.token).get_json()
    english = world.call("GET", alpha, f"/cases/{code}?lang=en", alpha.token).get_json()

    assert [(d["rule"], d["rule_name"]) for d in chinese["deadlines"]] == [
        ("general_accept", "受理期限")]
    assert english["deadlines"][0]["rule_name"] == "Acceptance"


def test_a_leader_extends_a_clock_within_its_statute_and_an_auditor_may_not(world) -> None:
    alpha = world.alpha
    code = world.create_case(alpha, case_type="petition", channel="petition")["code"]
    assert world.call("POST", alpha, f"/cases/{code}/transitions", alpha.token,
                      json={"transition": "accept"}).status_code == 200
    url = f"/cases/{code}/deadlines/petition_handle/extension?lang=en"

    too_much = assert_problem(world.call("POST", alpha, url, alpha.token,
                                         json={"days": 31, "reason": "会商"}), 422)
    assert fields_of(too_much) == {"days"}
    unknown = world.call("POST", alpha, f"/cases/{code}/deadlines/nothing/extension",
                         alpha.token, json={"days": 1, "reason": "x"})
    assert fields_of(assert_problem(unknown, 422)) == {"rule"}
    assert_problem(world.call("POST", alpha, url, alpha.auditor_token,
                              json={"days": 5, "reason": "x"}), 403)

    done = world.call("POST", alpha, url, alpha.token, json={"days": 30, "reason": "会商"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["extended_by"] == 30
    case = world.call("GET", alpha, f"/cases/{code}", alpha.token).get_json()
    handle = next(d for d in case["deadlines"] if d["rule"] == "petition_handle")
    assert handle["extended_by"] == 30 and handle["due_at"] == done.get_json()["due_at"]
    with world.database.transaction(alpha.id) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "deadline.extended")) == 1


def test_an_unknown_case_code_is_a_404_problem(world: World) -> None:
    assert_problem(world.call("GET", world.alpha, "/cases/AL-2026-999999-0", world.alpha.token),
                   404)


def test_an_invalid_id_number_names_the_field_and_writes_nothing(world: World) -> None:
    alpha = world.alpha
    data = intake()
    data["parties"][0]["id_number"] = "110105194912310021"  # wrong check digit
    before = count_cases(world, alpha)
    body = assert_problem(world.call("POST", alpha, "/cases", alpha.token, json=data), 422)
    assert "parties.0.id_number" in fields_of(body)
    error = next(e for e in body["errors"] if e["field"] == "parties.0.id_number")
    assert error["pointer"] == "#/parties/0/id_number" and error["detail"]
    assert count_cases(world, alpha) == before


def test_a_body_that_is_not_an_object_is_a_400_problem(world: World) -> None:
    assert_problem(world.call("POST", world.alpha, "/cases", world.alpha.token, json=[1, 2]),
                   400)


def test_the_list_filters_and_pages_with_a_cursor(world: World) -> None:
    alpha = world.alpha
    codes = [world.create_case(alpha)["code"] for _ in range(5)]
    walk_in = world.create_case(alpha, channel="hotline_12345")["code"]
    first = world.call("GET", alpha, "/cases?limit=2", alpha.token)
    assert first.status_code == 200
    page = first.get_json()
    assert [c["code"] for c in page["items"]] == [walk_in, codes[4]]  # newest first
    seen = [c["code"] for c in page["items"]]
    while "next_cursor" in page:
        page = world.call("GET", alpha, f"/cases?limit=2&cursor={page['next_cursor']}",
                          alpha.token).get_json()
        seen += [c["code"] for c in page["items"]]
    assert seen == [walk_in, *reversed(codes)]
    by_channel = world.call("GET", alpha, "/cases?channel=walk_in", alpha.token).get_json()
    assert [c["code"] for c in by_channel["items"]] == list(reversed(codes))
    by_status = world.call("GET", alpha, "/cases?status=closed", alpha.token).get_json()
    assert by_status["items"] == [] and "next_cursor" not in by_status
    by_node = world.call("GET", alpha, "/cases?node=alpha-c1", alpha.token).get_json()
    assert len(by_node["items"]) == 6


def test_a_bad_cursor_or_filter_is_a_422_naming_it(world: World) -> None:
    alpha = world.alpha
    body = assert_problem(world.call("GET", alpha, "/cases?cursor=not-ours", alpha.token), 422)
    assert "cursor" in fields_of(body)
    body = assert_problem(world.call("GET", alpha, "/cases?node=nowhere", alpha.token), 422)
    assert "node" in fields_of(body)
    body = assert_problem(world.call("GET", alpha, "/cases?status=bogus", alpha.token), 422)
    assert any(f.startswith("status") for f in fields_of(body))


def test_a_transition_needs_the_current_etag(world: World) -> None:
    alpha = world.alpha
    created = world.create_case(alpha)
    code = created["code"]
    etag = world.call("GET", alpha, f"/cases/{code}", alpha.token).headers["ETag"]
    stale = f'"{code}.v{created["version"] - 1}"'
    refused = world.call("POST", alpha, f"/cases/{code}/transitions", alpha.token,
                         json={"transition": "accept"}, headers={"If-Match": stale})
    assert_problem(refused, 412)
    assert world.call("GET", alpha, f"/cases/{code}", alpha.token).get_json()["status"] \
        == "registered"
    moved = world.call("POST", alpha, f"/cases/{code}/transitions", alpha.token,
                       json={"transition": "accept"}, headers={"If-Match": etag})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "accepted"
    assert moved.headers["ETag"] != etag
    # The ETag read before the step no longer matches: a full answer; the new one: 304.
    again = world.call("GET", alpha, f"/cases/{code}", alpha.token,
                       headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["status"] == "accepted"
    fresh = world.call("GET", alpha, f"/cases/{code}", alpha.token,
                       headers={"If-None-Match": moved.headers["ETag"]})
    assert fresh.status_code == 304 and fresh.get_data() == b""
    assert fresh.headers["ETag"] == moved.headers["ETag"]
    assert moved.headers["ETag"] == f'"{code}.v{moved.get_json()["version"]}"'
    again = world.call("POST", alpha, f"/cases/{code}/transitions", alpha.token,
                       json={"transition": "assign"}, headers={"If-Match": etag})
    assert_problem(again, 412)  # the old tag is stale now


def test_a_refused_transition_explains_each_reason_in_the_readers_language(world: World) -> None:
    alpha = world.alpha
    code = world.create_case(alpha)["code"]
    answers = {}
    for lang in ("en", "zh_Hans"):
        response = world.call("POST", alpha, f"/cases/{code}/transitions?lang={lang}",
                              alpha.token, json={"transition": "resolve"})
        body = assert_problem(response, 409)
        assert body["errors"], body
        for error in body["errors"]:
            assert error["code"] and error["detail"]
        answers[lang] = {e["code"]: e["detail"] for e in body["errors"]}
    assert "state:registered" in answers["en"]
    assert answers["en"].keys() == answers["zh_Hans"].keys()
    assert answers["en"]["state:registered"] != answers["zh_Hans"]["state:registered"]


def test_a_transition_missing_only_a_field_is_a_422_naming_it(world: World) -> None:
    alpha = world.alpha
    code = world.create_case(alpha)["code"]
    body = assert_problem(world.call("POST", alpha, f"/cases/{code}/transitions", alpha.token,
                                     json={"transition": "reject"}), 422)
    assert {"reason", "statutory_route"} <= fields_of(body)
    assert {e["code"] for e in body["errors"]} >= {"missing:reason", "missing:statutory_route"}


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(world: World) -> None:
    alpha = world.alpha
    before = count_cases(world, alpha)
    headers = {"Idempotency-Key": "hotline-call-0001"}
    first = world.call("POST", alpha, "/cases", alpha.token, json=intake(), headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    second = world.call("POST", alpha, "/cases", alpha.token, json=intake(), headers=headers)
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert count_cases(world, alpha) == before + 1

    different = world.call("POST", alpha, "/cases", alpha.token,
                           json=intake(title="另一件事"), headers=headers)
    body = assert_problem(different, 422)
    assert "Idempotency-Key" in fields_of(body)
    assert count_cases(world, alpha) == before + 1


def test_party_reveal_shows_the_plain_value_and_audits_it(world: World) -> None:
    alpha = world.alpha
    case = world.create_case(alpha)
    party_id = case["parties"][0]["id"]
    response = world.call("POST", alpha, f"/cases/{case['code']}/parties/{party_id}/reveal",
                          alpha.token, json={"field": "phone", "reason": "回访当事人"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"party": party_id, "field": "phone", "value": "13812345678"}
    with world.database.transaction(alpha.id) as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "party.revealed")).all()
    assert len(events) == 1
    assert "13812345678" not in repr(events[0].data)


def test_an_email_is_kept_encrypted_shown_masked_and_revealed_with_an_audit(world) -> None:
    alpha = world.alpha
    body = intake()
    body["parties"][0]["email"] = "zhang.san@example.com"
    created = world.call("POST", alpha, "/cases", alpha.token, json=body)
    assert created.status_code == 201, created.get_json()
    applicant = created.get_json()["parties"][0]
    assert applicant["email"] == "z***@example.com"
    with world.database.transaction(alpha.id) as session:
        stored = session.get(Party, applicant["id"])
        assert "zhang.san" not in (stored.email_encrypted or "")
    revealed = world.call(
        "POST", alpha, f"/cases/{created.get_json()['code']}/parties/{applicant['id']}/reveal",
        alpha.token, json={"field": "email", "reason": "书面回复当事人"})
    assert revealed.get_json()["value"] == "zhang.san@example.com"
    bad = dict(body, parties=[dict(body["parties"][0], email="not-an-address"),
                              body["parties"][1]])
    refused = world.call("POST", alpha, "/cases", alpha.token, json=bad)
    assert "parties.0.email" in fields_of(assert_problem(refused, 422))


def test_a_token_without_pii_reveal_may_not_reveal(world: World) -> None:
    alpha = world.alpha
    case = world.create_case(alpha)
    party_id = case["parties"][0]["id"]
    response = world.call("POST", alpha, f"/cases/{case['code']}/parties/{party_id}/reveal",
                          alpha.plain_token, json={"field": "phone", "reason": "回访当事人"})
    body = assert_problem(response, 403)
    assert "13812345678" not in repr(body)
    with world.database.transaction(alpha.id) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "party.revealed")) == 0


def test_a_party_of_another_case_is_not_found(world: World) -> None:
    alpha = world.alpha
    first, second = world.create_case(alpha), world.create_case(alpha)
    other_party = second["parties"][0]["id"]
    response = world.call("POST", alpha, f"/cases/{first['code']}/parties/{other_party}/reveal",
                          alpha.token, json={"field": "phone", "reason": "回访当事人"})
    assert_problem(response, 404)


def test_requests_without_a_valid_token_are_401_problems(world: World) -> None:
    alpha = world.alpha
    assert_problem(world.call("GET", alpha, "/cases"), 401)
    assert_problem(world.call("GET", alpha, "/cases", "odt_not-a-real-token"), 401)
    response = world.call("GET", alpha, "/cases", headers={"Authorization": "Basic abc"})
    assert_problem(response, 401)
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_an_auditor_reads_but_may_not_register(world: World) -> None:
    alpha = world.alpha
    world.create_case(alpha)
    assert world.call("GET", alpha, "/cases", alpha.auditor_token).status_code == 200
    before = count_cases(world, alpha)
    assert_problem(world.call("POST", alpha, "/cases", alpha.auditor_token, json=intake()), 403)
    assert count_cases(world, alpha) == before


def test_a_body_that_is_not_json_is_a_400_problem_naming_the_body(world: World) -> None:
    code = world.create_case(world.alpha)["code"]
    response = world.call("POST", world.alpha, f"/cases/{code}/transitions", world.alpha.token,
                          data=b"\x00", content_type="application/json")
    body = assert_problem(response, 400)
    assert fields_of(body) == {"_schema"}


def test_granting_a_role_twice_is_a_422_not_a_500(world: World) -> None:
    alpha = world.alpha
    url = "/users/alpha-auditor/memberships"
    body = assert_problem(world.call("POST", alpha, url, alpha.token, json={"role": "auditor"}),
                          422)
    assert fields_of(body) == {"role"}
    created = world.call("POST", alpha, "/users", alpha.token, json={
        "username": "twice", "memberships": [{"role": "clerk"}, {"role": "clerk"}]})
    assert "memberships.1.role" in fields_of(assert_problem(created, 422))
    assert world.call("GET", alpha, "/users/twice", alpha.token).status_code == 404


def test_the_document_declares_the_headers_the_api_honours(world: World) -> None:
    document = world.call("GET", world.alpha, "/openapi.json").get_json()

    def headers(path: str, method: str) -> set[str]:
        operation = document["paths"][path][method]
        return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}

    posts = [(path, "post") for path, item in document["paths"].items() if "post" in item]
    assert posts and all("Idempotency-Key" in headers(*op) for op in posts)
    assert "If-Match" in headers("/cases/{code}/transitions", "post")
    assert "If-None-Match" in headers("/cases/{code}", "get")
    read = document["paths"]["/cases/{code}"]["get"]["responses"]
    assert "ETag" in read["304"]["headers"] and "ETag" in read["200"]["headers"]
    assert "If-Match" not in headers("/cases", "post")


def test_the_document_lists_problem_responses_on_every_operation(world: World) -> None:
    document = world.call("GET", world.alpha, "/openapi.json").get_json()
    problem = document["components"]["responses"]["NOT_FOUND"]["content"]
    assert problem == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            expected = {"400", "401", "403", "404", "422", "429"}
            if method != "get":
                expected |= {"409", "412"}
            assert expected <= set(operation["responses"]), (method, operation["summary"])
            assert "default" not in operation["responses"]
    amount = document["components"]["schemas"]["CaseIn"]["properties"]["amount"]
    assert amount["maximum"] == 999999999999 and amount["minimum"] == 0
    assert document["components"]["schemas"]["CaseOut"]["properties"]["amount"]["type"] == \
        "string"
