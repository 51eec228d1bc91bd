"""A link may open the online form with a case type chosen and some of its details filled in."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import Case
from tests.core.portal.conftest import citizen_form, count, post_form

LINK = "/alpha/portal/submit?case_type=hotline_order&detail.order_number=ZS20261102001"


def test_a_link_chooses_the_case_type_and_carries_its_details(world) -> None:
    html = world.client.get(LINK + "&lang=en").get_data(as_text=True)
    assert re.search(r'<option value="hotline_order"\s+selected', html)
    assert '<input type="hidden" name="detail.order_number" value="ZS20261102001">' in html
    response = post_form(world, LINK, citizen_form(
        case_type="hotline_order", location_node="alpha-t1",
        **{"detail.order_number": "ZS20261102001"}))
    assert response.status_code == 303, response.get_data(as_text=True)
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case))
        assert (case.case_type, case.details["order_number"]) == ("hotline_order",
                                                                  "ZS20261102001")


def test_a_link_whose_details_are_not_enough_or_unknown_prefills_nothing(world) -> None:
    for link in ("/alpha/portal/submit?case_type=hotline_order",
                 "/alpha/portal/submit?case_type=hotline_order&detail.order_number=1"
                 "&detail.colour=red",
                 "/alpha/portal/submit?case_type=no_such_type&detail.order_number=1"):
        html = world.client.get(link).get_data(as_text=True)
        assert 'value="hotline_order"' not in html and 'name="detail.' not in html


def test_sent_details_are_validated_by_the_case_types_schema(world) -> None:
    response = post_form(world, LINK, citizen_form(
        case_type="hotline_order", location_node="alpha-t1",
        **{"detail.order_number": "x" * 41}))
    assert response.status_code == 422
    assert count(world, world.alpha.id) == 0
