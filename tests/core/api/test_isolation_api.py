"""No tenant reaches another's data through the API or a session, on SQLite and under RLS."""

from __future__ import annotations

import re

import pytest

from tests.core.api.conftest import PASSWORD, World

SKIP_BODY_CHECK = ("/docs/assets/",)  # Swagger UI's own files


def probes(world: World, case: dict) -> list[tuple[str, str, bool]]:
    """(method, path under /api/v1, names an alpha object) for every operation of the spec."""
    alpha = world.alpha
    document = world.call("GET", alpha, "/openapi.json").get_json()
    values = {"username": alpha.username, "party_id": str(case["parties"][0]["id"]),
              "token_id": str(alpha.token_id), "filename": "swagger-ui.css",
              "rule": "general_accept"}
    out = []
    for template, item in document["paths"].items():
        code = ("alpha-t1" if template.startswith("/tiers") else
                "alpha-center" if template.startswith("/centers") else case["code"])
        path = template.replace("{code}", code)
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no value for a parameter of {template}"
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                out.append((method.upper(), path, "{" in template))
    return out


def alpha_marks(world: World, case: dict) -> list[str]:
    return [case["code"], world.alpha.username, "alpha-auditor", "alpha-t1", "alpha-center",
            world.alpha.token[:12]]


@pytest.fixture
def probed(both_world: World):
    case = both_world.create_case(both_world.alpha)
    return both_world, case, probes(both_world, case)


def test_the_probe_covers_the_whole_document(probed) -> None:
    _world, _case, operations = probed
    paths = {path for _m, path, _named in operations}
    assert len(operations) > 20
    assert any("/reveal" in p for p in paths) and any(p.startswith("/tokens/") for p in paths)


def test_beta_never_sees_alphas_objects_through_any_endpoint(probed) -> None:
    world, case, operations = probed
    beta = world.beta
    for method, path, names_alpha_object in operations:
        kwargs = {"json": {"active": False}} if method == "PATCH" else (
            {"json": {}} if method in {"POST", "PUT"} else {})
        response = world.call(method, beta, path, beta.token, **kwargs)
        where = f"{method} /beta/api/v1{path} -> {response.status_code}"
        if names_alpha_object and "/docs/" not in path:
            # 422: the body is checked before the case is looked up, alike for any code.
            assert response.status_code in {401, 403, 404, 422}, where
            assert response.status_code != 422 or method != "GET", where
        assert response.status_code < 500, where
        if not path.startswith(SKIP_BODY_CHECK):
            body = response.get_data(as_text=True)
            for mark in alpha_marks(world, case):
                assert mark not in body, f"{where} shows {mark}"
    # Nothing done under beta touched alpha: its token, user and case are as they were.
    alpha = world.alpha
    me = world.call("GET", alpha, "/me", alpha.token)
    assert me.status_code == 200 and me.get_json()["username"] == alpha.username
    still = world.call("GET", alpha, f"/cases/{case['code']}", alpha.token).get_json()
    assert still["status"] == "registered" and still["version"] == case["version"]


def test_alphas_token_is_unknown_under_beta(probed) -> None:
    world, case, operations = probed
    for method, path, _named in operations:
        response = world.call(method, world.beta, path, world.alpha.token,
                              json={} if method in {"POST", "PATCH", "PUT"} else None)
        where = f"{method} /beta/api/v1{path} with alpha's token"
        assert response.status_code == 401, where
        assert case["code"] not in response.get_data(as_text=True), where


def csrf_token(world: World, slug: str = "alpha") -> str:
    page = world.client.get(f"/{slug}/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the login form carries a CSRF token"
    return found.group(1)


def login(world: World, password: str = PASSWORD, *, csrf: bool = True):
    form = {"username": world.alpha.username, "password": password}
    if csrf:
        form["csrf_token"] = csrf_token(world)
    return world.client.post("/alpha/login", data=form)


def test_a_wrong_password_is_a_401_page_and_signs_nobody_in(both_world: World) -> None:
    world = both_world
    assert world.app.config["TESTING"] is True
    response = login(world, "not the password")
    assert response.status_code == 401 and response.mimetype == "text/html"
    assert world.client.get("/alpha/api/v1/me").status_code == 401


def test_a_login_without_the_csrf_token_is_refused(both_world: World) -> None:
    world = both_world
    response = login(world, csrf=False)
    assert response.status_code == 400  # TESTING does not switch CSRF off
    assert world.client.get("/alpha/api/v1/me").status_code == 401


def test_a_session_works_in_its_tenant_only_and_ends_at_logout(both_world: World) -> None:
    world = both_world
    response = login(world)
    assert response.status_code == 302, response.get_data(as_text=True)
    me = world.client.get("/alpha/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["username"] == world.alpha.username and me.get_json()["token"] is False
    assert world.client.get("/beta/api/v1/me").status_code == 401
    assert world.client.get("/beta/api/v1/cases").status_code == 401
    cookie = world.client.get_cookie("session")
    assert cookie is not None

    # Writes with a session cookie need the CSRF token too.
    refused = world.client.post("/alpha/api/v1/cases", json={})
    assert refused.status_code == 400

    token = csrf_token(world)
    out = world.client.post("/alpha/logout", data={"csrf_token": token})
    assert out.status_code == 302
    assert world.client.get("/alpha/api/v1/me").status_code == 401
    world.client.set_cookie("session", cookie.value)  # someone kept a copy of the cookie
    assert world.client.get("/alpha/api/v1/me").status_code == 401
