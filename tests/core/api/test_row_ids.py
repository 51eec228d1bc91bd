"""Ids in URLs: a number no column can hold is simply not there (404), never a server error."""

from __future__ import annotations

import pytest

from tests.core.api.conftest import World


@pytest.mark.parametrize("number", ["0", "2147483648", "9223372036854775808"])
def test_ids_out_of_range_are_404(world: World, number: str):
    case = world.create_case(world.alpha)
    for method, path in (("DELETE", f"/tokens/{number}"),
                         ("POST", f"/cases/{case['code']}/parties/{number}/reveal")):
        response = world.call(method, world.alpha, path, world.alpha.token,
                              json={"field": "phone", "reason": "check"})
        assert response.status_code == 404, (method, path, response.get_data(as_text=True))


def test_the_document_bounds_row_ids(world: World):
    document = world.client.get("/alpha/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/tokens/{token_id}"]["parameters"]
    assert parameters[0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
