"""Plugin panels on the workbench case page (hook ``onedoor_case_panels``).

A plugin enabled by the case's tenant may add a section to the case page: its title, and a body
that is either a template of the plugin (rendered with ``context``) or HTML it built itself
(:class:`markupsafe.Markup`, already escaped). Panels are shown after core's sections in their
``order`` (then by title); a plugin returns none for a case it has nothing to say about, and
none to a viewer who may not see what it would show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from markupsafe import Markup


@dataclass(frozen=True)
class CasePanel:
    """One plugin section of the case page.

    :param key: a short identifier, unique on the page (the section's anchor ``panel-<key>``).
    :param title: the section's heading, lazily translated (``lazy_gettext``) or a plain text.
    :param template: the name of a Jinja template of the plugin, rendered with ``context``;
    :param html: or the body as already-safe :class:`markupsafe.Markup` (exactly one of the two).
    :param context: the variables the template is rendered with.
    :param order: where the panel goes among the panels (lower first; core's own are above).
    """

    key: str
    title: Any
    template: str | None = None
    html: Markup | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100

    def __post_init__(self) -> None:
        if (self.template is None) == (self.html is None):
            raise ValueError("a CasePanel has either a template or html, not both or neither")

    def body(self) -> Markup:
        """The panel's rendered body."""
        if self.html is not None:
            return Markup(self.html)
        return Markup(render_template(self.template, **dict(self.context)))


def case_panels(tenant: Any, case: Any, viewer: Any, session: Any) -> list[dict[str, Any]]:
    """The panels the tenant's enabled plugins give for ``case`` and ``viewer``, rendered."""
    panels = [p for batch in tenant.hooks.onedoor_case_panels(
        tenant=tenant, case=case, viewer=viewer, session=session) for p in batch or []]
    panels.sort(key=lambda p: (p.order, str(p.title)))
    return [{"key": p.key, "title": str(p.title), "body": p.body()} for p in panels]
