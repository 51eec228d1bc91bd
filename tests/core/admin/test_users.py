"""Users: accounts, roles, disabling and API tokens, straight through core.accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import ApiToken, LoginSession, User
from tests.core.admin.conftest import PASSWORD, Admin


def _count(site: Admin, model, slug: str = "alpha") -> int:
    with site.database.transaction(site.ids[slug]) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_list_shows_each_user_with_roles_and_nodes(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get("/alpha/admin/users?lang=en")
    assert status == 200
    assert "alpha-clerk" in html and "Window clerk · alpha市" in html
    assert "Tenant administrator · 海滨街道" in html  # alpha-townadmin


def test_a_new_user_with_a_first_role_can_sign_in(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/users/new", {
        "username": "wang", "display_name": "王调解员", "password": "a-long-password",
        "role": "mediator", "node": "alpha-t1", "department": ""}, follow=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "王调解员" in html
    assert site.audit_count("alpha", "user.create") == 4
    assert site.audit_count("alpha", "membership.add") == 4
    other = Admin(site.app, site.app.test_client(), site.ids)
    other.sign_in("alpha", "wang", "a-long-password")


def test_bad_user_input_is_shown_on_its_fields_and_writes_nothing(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = _count(site, User)
    response = site.post_form("/alpha/admin/users/new?lang=en", {
        "username": "li", "display_name": "李", "password": "short", "role": "",
        "node": "", "department": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-password">The initial password needs at least 10 characters' in html
    assert 'id="e-role"' in html and 'value="li"' in html
    response = site.post_form("/alpha/admin/users/new?lang=en", {
        "username": "li", "password": "a-long-password", "role": "department_liaison",
        "node": "", "department": ""})
    assert 'id="e-department"' in response.get_data(as_text=True)
    # a bad node is refused by core.accounts: the user is not created either (one transaction)
    response = site.post_form("/alpha/admin/users/new?lang=en", {
        "username": "li", "password": "a-long-password", "role": "clerk",
        "node": "nowhere", "department": ""})
    assert 'id="e-node">unknown tier node nowhere' in response.get_data(as_text=True)
    response = site.post_form("/alpha/admin/users/new?lang=en", {
        "username": "alpha-clerk", "password": "a-long-password", "role": "clerk"})
    assert 'id="e-username"' in response.get_data(as_text=True)
    assert _count(site, User) == before


def test_roles_are_added_and_removed_with_audit_events(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form("/alpha/admin/users/alpha-clerk/memberships", {
        "role": "department_liaison", "node": "alpha-t1", "department": "court"},
        page_url="/alpha/admin/users/alpha-clerk")
    html = site.get("/alpha/admin/users/alpha-clerk?lang=en")[1]
    assert "Department liaison · 海滨街道 · " in html
    assert site.audit_count("alpha", "membership.add") == 4
    with site.database.transaction(site.ids["alpha"]) as session:
        clerk = session.scalar(select(User).where(User.username == "alpha-clerk"))
        membership_id = clerk.memberships[-1].id
    site.post_form(f"/alpha/admin/users/alpha-clerk/memberships/{membership_id}/remove", {},
                   page_url="/alpha/admin/users/alpha-clerk")
    assert "Department liaison · " not in site.get("/alpha/admin/users/alpha-clerk?lang=en")[1]
    assert site.audit_count("alpha", "membership.remove") == 1


def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens(site: Admin):
    clerk = Admin(site.app, site.app.test_client(), site.ids)
    clerk.sign_in("alpha", "alpha-clerk")
    assert clerk.client.get("/alpha/?lang=en").get_data(as_text=True).count("Sign out")
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/users/alpha-clerk/tokens", {
        "name": "12345", "scopes": ["cases:read"]}, page_url="/alpha/admin/users/alpha-clerk")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    secret = html.split('id="secret" class="secret" readonly value="')[1].split('"')[0]
    assert secret.startswith("odt_")
    assert site.client.get("/alpha/api/v1/cases",
                           headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in site.get("/alpha/admin/users/alpha-clerk")[1]  # shown once
    site.post_form("/alpha/admin/users/alpha-clerk/active", {"active": "false"},
                   page_url="/alpha/admin/users/alpha-clerk")
    assert site.audit_count("alpha", "user.disable") == 1
    assert clerk.client.get("/alpha/admin/").status_code == 302  # signed out
    assert site.client.get("/alpha/api/v1/cases",
                           headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    with site.database.transaction(site.ids["alpha"]) as session:
        assert session.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.ended_at.is_(None), LoginSession.end_reason == "")) == 1  # the admin
        assert session.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.revoked_at.is_(None))) == 0
    site.post_form("/alpha/admin/users/alpha-clerk/active", {"active": "true"},
                   page_url="/alpha/admin/users/alpha-clerk")
    clerk.sign_in("alpha", "alpha-clerk", PASSWORD)


def test_a_token_is_revoked_from_its_page(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    html = site.post_form("/alpha/admin/users/alpha-clerk/tokens", {
        "name": "x", "scopes": ["cases:read"]},
        page_url="/alpha/admin/users/alpha-clerk").get_data(as_text=True)
    secret = html.split('readonly value="')[1].split('"')[0]
    with site.database.transaction(site.ids["alpha"]) as session:
        token_id = session.scalar(select(ApiToken.id))
    site.post_form(f"/alpha/admin/users/alpha-clerk/tokens/{token_id}/revoke", {},
                   page_url="/alpha/admin/users/alpha-clerk")
    assert site.client.get("/alpha/api/v1/cases",
                           headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert site.audit_count("alpha", "token.revoke") == 1


def test_no_scope_is_refused_on_the_scopes_field(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/users/alpha-clerk/tokens?lang=en", {"name": "x"},
                              page_url="/alpha/admin/users/alpha-clerk")
    assert response.status_code == 422
    assert 'id="e-scopes">Choose at least one scope.' in response.get_data(as_text=True)
    assert _count(site, ApiToken) == 0


def test_an_administrator_cannot_lock_themselves_out(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form("/alpha/admin/users/alpha-admin/active", {"active": "false"},
                   page_url="/alpha/admin/users/alpha-admin")
    assert site.client.get("/alpha/admin/").status_code == 200
    assert site.audit_count("alpha", "user.disable") == 0


def test_another_tenants_users_are_not_found(both_site: Admin):
    both_site.sign_in("beta", "beta-admin")
    assert both_site.client.get("/beta/admin/users/alpha-clerk").status_code == 404
