"""A tenant's home page answers under its slug; an unknown slug is a 404."""

from tests.factories import make_tenant


def test_tenant_home_and_unknown_tenant(database_url, make_app):
    app = make_app(database_url)
    make_tenant(app.extensions["onedoor"].database, "alpha", plugins={"maritime": {}})
    client = app.test_client()
    page = client.get("/alpha/")
    assert page.status_code == 200
    assert "alpha市" in page.get_data(as_text=True)
    assert client.get("/nowhere/").status_code == 404
    problem = client.get("/nowhere/api/v1/cases")
    assert problem.status_code == 404
    assert problem.mimetype == "application/problem+json"
