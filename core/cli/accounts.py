"""``onedoor user create`` and ``onedoor token create|revoke``: accounts for demos and integrations.

Bad input exits 2 naming the option; nothing is written unless everything is valid (one
transaction with its audit events).
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from core.authz import ALL_SCOPES, DEFAULT_SCOPES, ROLES
from core.models import Tenant

OPTION_OF_FIELD = {"username": "--username", "role": "--role", "node": "--node",
                   "department": "--department", "password": "--password",
                   "scope": "--scope", "user": "--user", "token": "TOKEN_ID"}


def _tenant_id(database, slug: str) -> int:
    from core.cli import fail  # noqa: PLC0415 - core.cli imports this module

    with database.transaction() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        fail(f"--tenant: no tenant {slug!r}")
    return tenant.id


def _fail_on(exc) -> None:
    from core.cli import fail  # noqa: PLC0415

    fail(f"{OPTION_OF_FIELD.get(exc.field, exc.field)}: {exc.message}")


@click.group("user")
def user_command() -> None:
    """Staff accounts of a tenant."""


@user_command.command("create")
@click.option("--tenant", "slug", required=True, metavar="SLUG")
@click.option("--username", required=True)
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLES),
              help="Repeat for several roles at the same node.")
@click.option("--node", metavar="CODE", help="Tier node the roles are bound to (default: root).")
@click.option("--department", metavar="CODE", help="A department liaison's department.")
@click.option("--name", "display_name", default="", help="Display name (default: username).")
@click.option("--password", envvar="ONEDOOR_NEW_PASSWORD", default=None,
              help="Password (or ONEDOOR_NEW_PASSWORD); asked for when omitted on a terminal.")
@click.option("--no-password", is_flag=True, help="An account that signs in only with tokens.")
def create_user(slug: str, username: str, roles: tuple[str, ...], node: str | None,
                department: str | None, display_name: str, password: str | None,
                no_password: bool) -> None:
    """Create a user with one or more roles at a tier node."""
    from core import accounts  # noqa: PLC0415 - keep `onedoor --help` fast
    from core.cli import fail, open_database  # noqa: PLC0415

    if password is None and not no_password:
        if not sys.stdin.isatty():
            fail("--password: give a password (or --no-password for a token-only account)")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = open_database(("users", "memberships"))
    try:
        tenant_id = _tenant_id(database, slug)
        try:
            with database.transaction(tenant_id) as session:
                user = accounts.create_user(session, username, None if no_password else password,
                                            display_name=display_name, actor="cli")
                for role in roles:
                    accounts.add_membership(session, user, role, node,
                                            department_code=department, actor="cli")
        except accounts.AccountError as exc:
            _fail_on(exc)
    finally:
        database.dispose()
    click.echo(f"{slug}: user {username} created ({', '.join(roles)} at {node or 'the root'})")


@click.group("token")
def token_command() -> None:
    """API tokens of a tenant (for integrations)."""


@token_command.command("create")
@click.option("--tenant", "slug", required=True, metavar="SLUG")
@click.option("--user", "username", required=True, help="The user the token acts for.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(ALL_SCOPES),
              help=f"Repeat for several (default: {' '.join(DEFAULT_SCOPES)}).")
@click.option("--name", default="", help="What the token is for (shown in lists).")
def create_token(slug: str, username: str, scopes: tuple[str, ...], name: str) -> None:
    """Issue a token and print it once: it cannot be shown again."""
    from core import accounts  # noqa: PLC0415
    from core.cli import open_database  # noqa: PLC0415

    database = open_database(("users", "api_tokens"))
    try:
        tenant_id = _tenant_id(database, slug)
        try:
            with database.transaction(tenant_id) as session:
                user = accounts.get_user(session, username)
                token, secret = accounts.issue_token(session, user, name=name,
                                                     scopes=scopes or None, actor="cli")
                token_scopes = list(token.scopes)
        except accounts.AccountError as exc:
            _fail_on(exc)
    finally:
        database.dispose()
    click.echo(f"# {slug}: token for {username}, scopes {' '.join(token_scopes)}; "
               "store it now, it is not shown again", err=True)
    click.echo(secret)


@token_command.command("revoke")
@click.option("--tenant", "slug", required=True, metavar="SLUG")
@click.argument("token_id", type=int)
def revoke_token(slug: str, token_id: int) -> None:
    """Revoke token TOKEN_ID at once."""
    from core import accounts  # noqa: PLC0415
    from core.cli import open_database  # noqa: PLC0415

    database = open_database(("api_tokens",))
    try:
        tenant_id = _tenant_id(database, slug)
        try:
            with database.transaction(tenant_id) as session:
                accounts.revoke_token(session, token_id, actor="cli")
        except accounts.AccountError as exc:
            _fail_on(exc)
    finally:
        database.dispose()
    click.echo(f"{slug}: token {token_id} revoked")

