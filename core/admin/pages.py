"""What every administration page shares: its frame, the form round trip and the result notice."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response

from core.admin.editing import Draft, Outcome, current_draft, submit
from core.web import current_locale

#: The sections of the administration pages, in order: endpoint and label.
SECTIONS = (
    ("admin.index", lazy_gettext("Overview")),
    ("admin.settings", lazy_gettext("Tenant settings")),
    ("admin.plugins", lazy_gettext("Plugins")),
    ("admin.users", lazy_gettext("Users")),
    ("admin.centers", lazy_gettext("Departments and windows")),
    ("admin.calendar", lazy_gettext("Calendar and deadlines")),
    ("admin.policies", lazy_gettext("Escalation and risk")),
    ("admin.dispatch", lazy_gettext("Categories and dispatch")),
)
#: At most this many change lines, each cut to MAX_LINE characters, are carried to the next
#: page: they travel in the session cookie, which browsers cap at 4 kB.
MAX_SHOWN_CHANGES = 15
MAX_LINE = 160


def page(template: str, **context: Any) -> str:
    """Render an administration page with the section navigation."""
    from flask import g  # noqa: PLC0415

    return render_template(template, tenant=g.tenant, locale=current_locale(),
                           admin_sections=SECTIONS, **context)


Renames = Sequence[tuple[str, str]]


def edit_config(edit: Callable[[Draft, Mapping[str, str]], Renames | None], *,
                fields: Collection[str],
                renames: Sequence[tuple[str, str]] = (), form: Mapping[str, str] | None = None,
                ) -> Outcome:
    """Apply ``edit`` to the current tenant.toml with the posted form, then preview or apply.

    The form's ``step`` says which: ``apply`` applies, anything else is a dry run whose change
    lines the page shows before the administrator confirms. ``edit`` may return more
    ``renames`` (see :func:`core.admin.editing.submit`): the position of the entry it wrote is
    known only once the document is read.
    """
    form = request.form if form is None else form
    draft = current_draft()
    more = edit(draft, form) or ()
    return submit(draft, dry_run=form.get("step") != "apply", fields=fields,
                  renames=[*renames, *more], form_version=form.get("version"))


def finish(outcome: Outcome, endpoint: str, **values: Any) -> Response | None:
    """After an apply: say what changed and redirect to ``endpoint``; None for a preview."""
    if not outcome.ok or request.form.get("step") != "apply":
        return None
    if outcome.applied:
        flash(gettext("Applied: %(count)s change(s); the configuration is now version "
                      "%(version)s.", count=len(outcome.changes),
                      version=outcome.config_version), "applied")
        shown = outcome.changes[:MAX_SHOWN_CHANGES]
        for line in shown:
            flash(line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…", "change")
        if len(outcome.changes) > len(shown):
            flash(gettext("… and %(count)s more.", count=len(outcome.changes) - len(shown)),
                  "change")
    else:
        flash(gettext("Nothing to change: the configuration already says this."), "info")
    return redirect(url_for(endpoint, **values))
