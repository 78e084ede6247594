"""Cross-device forms in Chromium: half a form on a laptop, the rest on a phone.

A small resumable form is mounted on the live app for this test only: a Flask-WTF form with
``data-draft="test.profile"``, text, select, radio, checkbox, textarea, a hidden ``step`` and
a password, plus the ``continue_on_phone`` macro.
"""

import re

import pytest
from flask import Blueprint, flash, redirect, render_template_string, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from playwright.sync_api import Browser, Page, expect
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from dcx.extensions import db
from dcx.platform.drafts import services
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

KEY = "test.profile"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)

PAGE = """{% extends "base.html" %}
{% from "bootstrap5/form.html" import render_field %}
{% from "drafts/macros.html" import continue_on_phone %}
{% block content %}
<h1 class="h3">Your profile</h1>
{{ continue_on_phone("test.profile") }}
<form method="post" novalidate data-draft="test.profile" id="profile-form">
  {{ form.hidden_tag() }}
  <fieldset data-step="1">
    {{ render_field(form.name) }}
    {{ render_field(form.plan) }}
    {{ render_field(form.contact) }}
    {{ render_field(form.password) }}
    <button type="button" class="btn btn-secondary" id="next-step">Next</button>
  </fieldset>
  <fieldset data-step="2" hidden>
    {{ render_field(form.about) }}
    {{ render_field(form.newsletter) }}
    {{ render_field(form.city) }}
    <button type="submit" class="btn btn-primary">Save profile</button>
  </fieldset>
</form>
{% endblock %}
{% block scripts %}
<script nonce="{{ csp_nonce() }}">
(function () {
  var form = document.getElementById("profile-form");
  var step = form.querySelector('input[name="step"]');
  function show() {
    form.querySelectorAll("fieldset[data-step]").forEach(function (set) {
      set.hidden = set.getAttribute("data-step") !== step.value;
    });
  }
  document.getElementById("next-step").addEventListener("click", function () {
    step.value = "2";
    show();
    form.dispatchEvent(new Event("change"));
  });
  form.addEventListener("dcx:draft-restored", show);
  show();
}());
</script>
{% endblock %}
"""


class ProfileForm(FlaskForm):
    """A two-step form with one field of every kind the drafts script restores."""

    name = StringField("Full name", validators=[DataRequired(), Length(max=80)])
    plan = SelectField(
        "Plan",
        choices=[
            SelectChoice("basic", "Basic"),
            SelectChoice("plus", "Plus"),
            SelectChoice("pro", "Pro"),
        ],
    )
    contact = RadioField(
        "Contact me by", choices=[SelectChoice("email", "Email"), SelectChoice("sms", "SMS")]
    )
    password = PasswordField("Password for this form", validators=[Optional()])
    about = TextAreaField("About you", validators=[Length(max=500)])
    newsletter = BooleanField("Send me the newsletter")
    city = StringField("City", validators=[Length(max=80)])
    step = HiddenField(default="1")


def _profile_blueprint(submitted: list) -> Blueprint:
    bp = Blueprint("drafttest", __name__)

    @bp.route("/test/profile", methods=["GET", "POST"])
    @login_required
    def profile():
        form = ProfileForm()
        if form.validate_on_submit():
            submitted.append({k: v for k, v in form.data.items() if k != "csrf_token"})
            services.discard(current_user.id, KEY)
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("drafttest.profile"))
        return render_template_string(PAGE, form=form), 400 if form.errors else 200

    return bp


def _sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_half_a_form_on_a_laptop_is_finished_on_a_phone(
    page: Page, browser: Browser, live_app, live_server, live_db
):
    submitted: list = []
    live_app.register_blueprint(_profile_blueprint(submitted))
    with live_db():
        casey = make_user("casey@example.com", "Casey Customer")
        casey_id = casey.id

    # --- on the laptop: sign in and fill half the form ---
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/account/signin?next=/test/profile")
    _sign_in(page, "casey@example.com")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_label("Full name").fill("Casey Laptop")
    page.get_by_label("Plan").select_option("plus")
    page.get_by_label("SMS").check()
    page.get_by_label("Password for this form").fill("never leaves the laptop")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("About you").fill("Started on the train,\nfinishing at home.")
    page.get_by_label("Send me the newsletter").check()

    status = page.locator("#profile-form [data-draft-status]")
    expect(status).to_have_text(re.compile(r"^Draft saved \d{1,2}:\d{2}.* on laptop$"))
    expect(status).to_have_attribute("aria-live", "polite")
    with live_db():
        draft = services.load(casey_id, KEY)
        assert draft.device == "laptop"
        assert draft.url == "/test/profile"
        assert draft.data["name"] == "Casey Laptop"
        assert draft.data["about"] == "Started on the train,\nfinishing at home."
        assert draft.data["step"] == "2"
        assert "password" not in draft.data
        assert "csrf_token" not in draft.data

    page.get_by_role("button", name="Continue on my phone").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    link = page.locator("[data-draft-handoff-link]").get_attribute("href")
    assert re.match(rf"^{re.escape(live_server)}/d/[\w.-]+$", link)

    # --- on the phone: a second browser context, same customer ---
    phone = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=IPHONE)
    try:
        mobile = phone.new_page()
        mobile.goto(link)
        expect(mobile).to_have_url(re.compile(r"/account/signin\?next="))
        _sign_in(mobile, "casey@example.com")
        expect(mobile).to_have_url(f"{live_server}/test/profile")

        expect(mobile.get_by_label("Full name")).to_have_value("Casey Laptop")
        expect(mobile.get_by_label("Plan")).to_have_value("plus")
        expect(mobile.get_by_label("SMS")).to_be_checked()
        expect(mobile.get_by_label("Email", exact=True)).not_to_be_checked()
        expect(mobile.get_by_label("About you")).to_have_value(
            "Started on the train,\nfinishing at home."
        )
        expect(mobile.get_by_label("Send me the newsletter")).to_be_checked()
        expect(mobile.locator('input[name="step"]')).to_have_value("2")
        expect(mobile.get_by_label("About you")).to_be_visible()  # the page showed step 2
        expect(mobile.get_by_label("Password for this form")).to_have_value("")
        expect(mobile.get_by_label("City")).to_have_value("")
        mobile_status = mobile.locator("#profile-form [data-draft-status]")
        expect(mobile_status).to_have_text(
            re.compile(r"^Restored the draft saved \d{1,2}:\d{2}.* on laptop$")
        )
        overflow = mobile.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0

        mobile.get_by_label("City").fill("Lisbon")
        expect(mobile_status).to_have_text(re.compile(r"^Draft saved .* on phone$"))
        mobile.get_by_role("button", name="Save profile").click()
        expect(mobile.locator(".alert-success")).to_contain_text("Profile saved.")
    finally:
        phone.close()

    assert submitted == [
        {
            "name": "Casey Laptop",
            "plan": "plus",
            "contact": "sms",
            "password": "",
            "about": "Started on the train,\r\nfinishing at home.",
            "newsletter": True,
            "city": "Lisbon",
            "step": "2",
        }
    ]
    with live_db():
        assert services.load(casey_id, KEY) is None

    # the laptop, reloaded, finds nothing left to restore
    page.reload()
    expect(page.get_by_label("Full name")).to_have_value("")
    page.wait_for_timeout(300)
    expect(page.locator("#profile-form [data-draft-status]")).to_have_count(0)
