"""The citizen portal (网上申请、查询、评价) and the grid worker's phone form (网格员上报).

Citizens need no account: they submit a dispute online (:mod:`core.portal.submit`), track it
with its code and the last four digits of their phone (:mod:`core.portal.track`), and evaluate it
after closure (:mod:`core.portal.evaluate`). Grid workers report from the grid on a phone-sized
form behind sign-in (:mod:`core.portal.grid`). Every write goes through :mod:`core.cases` in one
transaction; every public POST is CSRF-checked and rate-limited per tenant and address.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__)

# The views register their routes on ``bp`` when imported.
from core.portal import evaluate, grid, submit, track  # noqa: E402,F401
