"""Driving OneDoor's pages from a Flask test client: CSRF tokens and signing in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of a page (every form carries one)."""
    found = _CSRF.search(html)
    if found is None:
        raise AssertionError("the page has no form with a CSRF token")
    return found.group(1)


def sign_in(client: FlaskClient, slug: str, username: str, password: str) -> None:
    """Sign ``username`` in to tenant ``slug`` through the login form (signing out first)."""
    client.post(f"/{slug}/logout", data={"csrf_token": csrf_of(
        client.get(f"/{slug}/login").get_data(as_text=True))})
    page = client.get(f"/{slug}/login").get_data(as_text=True)
    response = client.post(f"/{slug}/login", data={
        "username": username, "password": password, "csrf_token": csrf_of(page)})
    if response.status_code != 302:
        raise AssertionError(f"signing in {username} to {slug} failed: "
                             f"{response.status_code} {response.get_data(as_text=True)[:500]}")
