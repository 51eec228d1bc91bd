"""``/<tenant>/portal/grid``: a grid worker's quick report from the grid (网格员上报).

A phone-sized form behind sign-in, for the roles that may register cases. The place defaults to
the worker's own membership node; a place outside the worker's subtrees is refused with a field
error and nothing written. The case is registered with channel ``grid_report`` as the worker
(:meth:`core.authz.Principal.actor` at the node), in one transaction.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from core import cases
from core.app import db_session, onedoor
from core.authz import PERMISSIONS, Principal, Resource, authorize
from core.messages import explain_reason
from core.models import TierNode
from core.portal import bp
from core.portal.forms import (
    GRID_FIELDS,
    grid_errors,
    grid_intake,
    grid_messages,
    new_form_key,
    schema_errors,
    typed,
)
from core.portal.helpers import case_type_options, node_code_of, nodes_below, vault
from core.web import current_locale
from core.web.auth import current_principal


def _intake_paths(principal: Principal) -> list[str]:
    """The nodes where the principal may register cases, most specific first."""
    roles = PERMISSIONS["case.create"]
    paths = {grant.node_path for grant in principal.grants if grant.role in roles}
    return sorted(paths, key=lambda p: (-p.count("/"), p))


def _page(paths: list[str], values: dict[str, str], errors: dict[str, list[str]],
          status: int = 200) -> Any:
    nodes = nodes_below(db_session(), paths)
    if not values.get("location_node"):
        values["location_node"] = node_code_of(paths[0])
    return render_template("portal/grid.html", tenant=g.tenant, locale=current_locale(),
                           values=values, errors=errors, nodes=nodes,
                           case_types=case_type_options(g.tenant)), status


@bp.route("/<tenant>/portal/grid", methods=["GET", "POST"])
@login_required
def grid() -> Any:
    """The report form; on POST, register the case at the chosen node of the worker's area."""
    tenant = g.tenant
    principal = current_principal()
    paths = _intake_paths(principal) if principal is not None else []
    if not paths:
        abort(403, gettext("Only staff who register cases (grid workers, clerks, dispatchers, "
                           "leaders) may report from the grid."))
    if request.method == "GET":
        return _page(paths, {"form_key": new_form_key(), "people_involved": "1"}, {})
    values = typed(request.form, GRID_FIELDS)
    data = grid_intake(values)
    errors = grid_errors(values, schema_errors(data))
    node_path = db_session().scalar(select(TierNode.path).where(
        TierNode.code == values["location_node"])) if values["location_node"] else None
    if node_path is None or not authorize(principal, "case.create", Resource((node_path,))):
        errors["location_node"] = [grid_messages()["location_node"]]
    code = None
    if not errors:
        try:
            with onedoor().database.transaction(tenant.id) as session:
                code = cases.register(session, tenant, data, principal.actor(node_path),
                                      vault=vault()).case.code
        except cases.CaseInvalid as exc:
            errors = grid_errors(values, exc.fields)
        except cases.TransitionRefused as exc:
            errors = {"_form": [explain_reason(r) for r in exc.reasons]}
    if errors or code is None:
        return _page(paths, values, errors, 422)
    flash(gettext("Reported: the case code is %(code)s.", code=code))
    return redirect(url_for("portal.grid"), 303)
