"""The campus page: its window, its organizations and this tenant's settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import get_locale
from marshmallow import missing

from core.toolkit import DepartmentSpec, WindowType, current_tenant

from .schemas import CampusSettings as SettingsSchema

NAME = "campus"

#: Page text by locale (moves to this plugin's gettext catalog when plugins get translations).
TEXT = {
    "zh_Hans": {
        "intro": "家校、师生和学生之间的矛盾纠纷在校园就近排查、"
        "调解，必要时联动教育、公安和心理辅导力量。",
        "window": "窗口", "organizations": "专业组织", "settings": "本地设置",
        "setting": "设置项", "value": "取值", "default": "默认", "unset": "未设置",
        "none": "无", "yes": "是", "no": "否",
    },
    "zh_Hant": {
        "intro": "家校、師生和學生之間的矛盾糾紛在校園就近排查、"
        "調解，必要時聯動教育、公安和心理輔導力量。",
        "window": "窗口", "organizations": "專業組織", "settings": "本地設定",
        "setting": "設定項", "value": "取值", "default": "預設", "unset": "未設定",
        "none": "無", "yes": "是", "no": "否",
    },
    "en": {
        "intro": "Disputes between families, schools, teachers and students are screened and "
        "mediated close to the campus, with the education bureau, the campus police post "
        "and counselors when needed.",
        "window": "Window", "organizations": "Organizations", "settings": "Settings here",
        "setting": "Setting", "value": "Value", "default": "default", "unset": "not set",
        "none": "none", "yes": "yes", "no": "no",
    },
}


def make_blueprint(
    names: dict[str, str], window: WindowType, organizations: list[DepartmentSpec]
) -> Blueprint:
    """A new blueprint with this plugin's page (every app registers its own copy)."""
    bp = Blueprint(NAME, __name__, template_folder="templates")

    @bp.get("/")
    def index() -> str:
        """What the plugin brings to the current tenant and how the tenant has set it up."""
        tenant = current_tenant()
        locale = str(get_locale() or tenant.default_locale)
        stored = tenant.plugins.get(NAME, {})
        fields = SettingsSchema().fields
        settings = [_row(field, stored.get(key, missing)) for key, field in fields.items()]
        return render_template(
            f"{NAME}/index.html", tenant=tenant, locale=locale,
            text=TEXT.get(locale, TEXT["zh_Hans"]), names=names, window=window,
            organizations=organizations, settings=settings,
        )

    return bp


def _row(field: Any, stored: Any) -> dict[str, Any]:
    """One row of the settings table: the label, the value and whether it is the default."""
    default = field.load_default
    default = None if default is missing else (default() if callable(default) else default)
    value = default if stored is missing else stored
    return {"names": field.metadata["names"], "choices": field.metadata.get("choices"),
            "value": value, "is_default": value == default}
