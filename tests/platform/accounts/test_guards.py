"""The one staff guard: a vertical's nested staff blueprint lets in its department only."""

import pytest
from flask import Blueprint

from dcx.platform.accounts.guards import staff_blueprint
from tests.conftest import AuthActions, make_user


@pytest.fixture
def guarded(app):
    """A vertical-like blueprint with a staff workspace nested under it."""
    outer = Blueprint("lab", __name__)
    staff = staff_blueprint("lab", __name__)

    @staff.route("/")
    def workspace():
        return "lab workspace"

    @outer.route("/")
    def index():
        return "lab for everyone"

    outer.register_blueprint(staff, url_prefix="/staff")
    app.register_blueprint(outer, url_prefix="/lab")
    return app


def _client_as(app, email, **who):
    make_user(email=email, **who)
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def test_signed_out_visitors_are_asked_to_sign_in(guarded):
    response = guarded.test_client().get("/lab/staff/")
    assert response.status_code == 302
    assert "/account/signin" in response.headers["Location"]


def test_customers_and_other_departments_are_refused(guarded):
    customer = _client_as(guarded, "c@example.com")
    other = _client_as(guarded, "o@example.com", role="staff", department="banking")
    assert customer.get("/lab/staff/").status_code == 403
    assert other.get("/lab/staff/").status_code == 403
    assert customer.get("/lab/").status_code == 200  # the vertical itself stays open


def test_the_department_and_admins_pass(guarded):
    staff = _client_as(guarded, "s@example.com", role="staff", department="lab")
    admin = _client_as(guarded, "a@example.com", role="admin")
    assert staff.get("/lab/staff/").get_data(as_text=True) == "lab workspace"
    assert admin.get("/lab/staff/").status_code == 200


def test_endpoints_are_named_under_the_vertical(guarded):
    assert "lab.staff.workspace" in guarded.view_functions
