"""The dashboard (数据看板): indicators with their definitions, charts and a node picker.

``views`` holds the page, ``charts`` the SVG geometry (pure), ``formatting`` how figures read
in the reader's locale, ``period`` the presets and chosen dates.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from core.web.dashboard import views  # noqa: E402,F401 - registers the routes on bp
