"""The one way the administration pages change a tenant's configuration: edit its tenant.toml.

A form takes the tenant's current configuration as a TOML document (exactly what
``onedoor tenant export`` writes), changes the table it is about with tomlkit, and
:func:`submit` writes the document with the exported files (logo, nodes CSV) to a temporary
folder, loads it with :func:`core.tenantconfig.load` and applies it with
:func:`core.tenantconfig.apply` — the CLI's own steps, so the messages, the field paths, the
single transaction and the ``tenant.applied`` audit event are the same. Nothing here writes a
configuration table itself.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from flask import g
from flask_babel import gettext
from tomlkit.toml_document import TOMLDocument

from core.app import onedoor
from core.tenantconfig import ConfigError, ConfigErrors, apply, load, render
from core.tenantconfig.loader import TOML_NAME
from core.tenantconfig.messages import translate_config

#: The key of errors that belong to no field of the form (shown above it).
GENERAL = "_general"


@dataclass
class Draft:
    """The tenant's configuration being edited: the document, its files, the version read."""

    doc: TOMLDocument
    files: dict[str, str]
    version: int


@dataclass
class Outcome:
    """What :func:`submit` did: the change lines, or the errors by form field."""

    changes: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    applied: bool = False
    config_version: int = 0

    @property
    def ok(self) -> bool:
        """True when the configuration was valid (and, unless a dry run, applied)."""
        return not self.errors


def current_draft() -> Draft:
    """The request tenant's configuration as an editable TOML document."""
    app = onedoor()
    exported = render(app.database, app.registry, g.tenant.slug)
    return Draft(tomlkit.parse(exported.toml), dict(exported.files), g.tenant.config_version)


def rendered_toml() -> str:
    """The request tenant's ``tenant.toml`` as ``onedoor tenant export`` prints it."""
    app = onedoor()
    return render(app.database, app.registry, g.tenant.slug).toml


def exported_files() -> dict[str, str]:
    """The files ``tenant.toml`` refers to (logo, nodes CSV), by file name."""
    app = onedoor()
    return dict(render(app.database, app.registry, g.tenant.slug).files)


def submit(draft: Draft, *, dry_run: bool, fields: Collection[str],
           renames: Sequence[tuple[str, str]] = (), form_version: str | None = None) -> Outcome:
    """Validate and apply (or, with ``dry_run``, preview) the edited ``draft``.

    ``fields`` are the form's input names, written as paths into the file
    (``branding.hotline``); an error is shown on the input whose path is the longest prefix of
    the error's field, after ``renames`` (pairs of a file path prefix and the form's prefix, such
    as ``("centers[2].stationed[4]", "stationed")``); errors matching no input are ``GENERAL``.
    ``form_version`` is the ``config_version`` the form was built from: when the tenant has
    changed since, nothing is applied and the administrator is asked to look again.
    """
    if form_version is not None and form_version != str(g.tenant.config_version):
        return Outcome(errors={GENERAL: [gettext(
            "The configuration was changed by someone else since this page was opened. "
            "Nothing was applied; look at the current values and try again.")]})
    app = onedoor()
    principal_name = _actor()
    with tempfile.TemporaryDirectory(prefix="onedoor-admin-") as folder:
        base = Path(folder)
        for name, text in draft.files.items():
            (base / name).write_text(text, encoding="utf-8")
        (base / TOML_NAME).write_text(tomlkit.dumps(draft.doc), encoding="utf-8")
        try:
            config = load(base, app.registry)
            if config.slug != g.tenant.slug:  # the forms never touch it; refuse all the same
                raise ConfigErrors([ConfigError(str(base / TOML_NAME), 1, "slug",
                                                "the slug of a tenant cannot be changed here")])
            result = apply(app.database, app.registry, config, dry_run=dry_run,
                           actor=principal_name)
        except ConfigErrors as exc:
            return Outcome(errors=map_errors(exc.errors, fields, renames))
    return Outcome(changes=list(result.changes), applied=not dry_run and result.changed,
                   config_version=result.config_version)


def map_errors(errors: Sequence[ConfigError], fields: Collection[str],
               renames: Sequence[tuple[str, str]] = ()) -> dict[str, list[str]]:
    """The loader's errors by form input (see :func:`submit`), each in the reader's language.

    The loader writes English (the CLI prints it as it is); :func:`translate_config` matches
    each message against the loader's templates and translates it.
    """
    result: dict[str, list[str]] = {}
    for error in errors:
        path = _renamed(error.field, renames)
        target = _closest(path, fields)
        message = translate_config(error.message)
        if target is None:
            target = GENERAL
            where = error.field
            other_file = Path(error.file).name
            if other_file != TOML_NAME:
                where = f"{other_file}:{error.line}" + (f" {where}" if where else "")
            message = f"{where}: {message}" if where else message
        result.setdefault(target, []).append(message)
    return result


def _renamed(path: str, renames: Sequence[tuple[str, str]]) -> str:
    for prefix, replacement in renames:
        if _under(path, prefix):
            return replacement + path[len(prefix):]
    return path


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def _closest(path: str, fields: Collection[str]) -> str | None:
    candidates = [name for name in fields if _under(path, name)]
    return max(candidates, key=len) if candidates else None


def _actor() -> str:
    from core.web.auth import current_principal  # noqa: PLC0415

    principal = current_principal()
    return principal.name if principal is not None else "web"


# --- small tomlkit helpers the forms share ---------------------------------------------------


def table(doc: TOMLDocument, key: str, *, super_table: bool = False):
    """The table ``key`` of ``doc``, created (at the end) when missing."""
    if key not in doc:
        doc[key] = tomlkit.table(is_super_table=super_table)
    return doc[key]


def set_or_remove(container, key: str, value) -> None:
    """``container[key] = value``; an empty string, list or None removes the key instead."""
    if value is None or value == "" or value == []:
        if key in container:
            del container[key]
    else:
        container[key] = value


def lines(text: str) -> list[str]:
    """The non-empty lines of a textarea, stripped: one item per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
