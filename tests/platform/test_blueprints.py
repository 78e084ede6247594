"""Every vertical starts from the same two blueprints: its pages and its guarded staff pages."""

from flask import render_template_string

from dcx.platform.blueprints import vertical_blueprints
from tests.conftest import AuthActions, make_user


def _lab(app, label=None):
    bp, staff_bp = vertical_blueprints("lab", label)

    @bp.route("/")
    def index():
        return "lab for everyone"

    @staff_bp.route("")
    def home():
        return "lab workspace"

    app.register_blueprint(bp, url_prefix="/lab")
    return bp, staff_bp


def test_the_staff_pages_are_nested_under_the_vertical_and_guarded(app):
    bp, staff_bp = _lab(app)
    assert bp.name == "lab" and staff_bp.name == "staff"
    assert {"lab.index", "lab.staff.home"} <= set(app.view_functions)
    make_user(email="c@example.com")
    customer = app.test_client()
    AuthActions(customer).login("c@example.com")
    assert customer.get("/lab/").get_data(as_text=True) == "lab for everyone"
    assert customer.get("/lab/staff").status_code == 403
    make_user(email="s@example.com", role="staff", department="lab")
    staff = app.test_client()
    AuthActions(staff).login("s@example.com")
    assert staff.get("/lab/staff").get_data(as_text=True) == "lab workspace"


def test_a_label_function_becomes_the_verticals_template_filter(app):
    def label(kind, value):
        return f"{kind}:{value}"

    _lab(app, label)
    with app.test_request_context():
        assert render_template_string('{{ "open"|lab_label("status") }}') == "status:open"


def test_without_a_label_function_there_is_no_filter(app):
    _lab(app)
    assert "lab_label" not in app.jinja_env.filters


def test_every_vertical_labels_its_stored_keys_through_its_filter(app):
    with app.test_request_context():
        assert render_template_string('{{ "booked"|automotive_label("coverage") }}') == (
            "Repair booked"
        )
        assert render_template_string('{{ "unknown"|health_label("measure") }}') == "unknown"
