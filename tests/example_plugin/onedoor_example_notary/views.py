"""The notary plugin's own page: the certificates the tenant has issued."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from core.toolkit import current_tenant, db_session

from .models import Certificate

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.get("/certificates")
def certificates() -> str:
    """The tenant's certificates, newest first."""
    rows = db_session().scalars(select(Certificate).order_by(Certificate.issued_at.desc()))
    return render_template("example_notary/certificates.html", tenant=current_tenant(),
                           certificates=list(rows))
