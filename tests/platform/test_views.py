"""The shared form path: a valid form runs its service, commits, flashes and redirects; an
invalid or refused one is drawn again with its errors, and a refusal writes nothing."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import BadRequest
from wtforms import StringField
from wtforms.validators import DataRequired

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.views import post_or_400, saved, submit


class _NameForm(FlaskForm):
    name = StringField(validators=[DataRequired()])
    email = StringField()


class _Refused(ValueError):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def _add_user(name: str, refuse: _Refused | None = None) -> User:
    user = User(email=f"{name.lower()}@example.com", name=name, password_hash="x")
    db.session.add(user)
    db.session.flush()
    if refuse is not None:
        raise refuse
    return user


def _validated_name(form: _NameForm) -> str:
    assert form.name.data
    return form.name.data


def test_a_get_runs_nothing_and_draws_the_page_with_200(app):
    ran = []
    with app.test_request_context("/", method="GET"):
        done = submit(_NameForm(), lambda: ran.append(1), to="/done")
    assert (done.response, done.status, ran) == (None, 200, [])


def test_an_invalid_form_runs_nothing_and_answers_400(app):
    ran = []
    with app.test_request_context("/", method="POST", data={"name": ""}):
        done = submit(_NameForm(), lambda: ran.append(1), to="/done")
    assert (done.response, done.status, ran) == (None, 400, [])


def test_a_valid_form_commits_flashes_and_goes_where_the_result_says(app):
    with app.test_request_context("/", method="POST", data={"name": "Ana"}):
        form = _NameForm()
        done = submit(
            form,
            lambda: _add_user(_validated_name(form)),
            to=lambda user: f"/users/{user.name}",
            flashed=lambda user: (f"{user.name} added.", "info"),
        )
        assert done.response is not None
        assert (done.response.status_code, done.response.location) == (302, "/users/Ana")
        assert get_flashed_messages(with_categories=True) == [("info", "Ana added.")]
    db.session.rollback()  # what was committed stays
    assert _users() == 1


@pytest.mark.parametrize(
    ("refusal", "field", "shown_on"),
    [
        (_Refused("Taken."), None, "name"),  # the form's first field
        (_Refused("Taken."), "email", "email"),  # the field the view gives
        (_Refused("Taken.", field="email"), "name", "email"),  # the field the error names
    ],
)
def test_a_refusal_is_rolled_back_and_shown_on_its_field(app, refusal, field, shown_on):
    with app.test_request_context("/", method="POST", data={"name": "Ana"}):
        form = _NameForm()
        done = submit(
            form,
            lambda: _add_user("Ana", refuse=refusal),
            to="/done",
            flashed="Added.",
            refused=_Refused,
            field=getattr(form, field) if field else None,
            refused_status=409,
        )
        assert (done.response, done.status) == (None, 409)
        assert form.errors == {shown_on: ["Taken."]}
        assert get_flashed_messages() == []
    assert _users() == 0


def test_a_refusal_may_be_worded_by_the_view(app):
    with app.test_request_context("/", method="POST", data={"name": "Ana"}):
        form = _NameForm()
        done = submit(
            form,
            lambda: _add_user("Ana", refuse=_Refused("unique constraint failed")),
            to="/done",
            refused=_Refused,
            refusal="This name is taken.",
        )
        assert done.status == 400
        assert form.name.errors == ["This name is taken."]


def test_post_or_400_refuses_an_invalid_form_and_runs_a_valid_one(app):
    with (
        app.test_request_context("/", method="POST", data={"name": ""}),
        pytest.raises(BadRequest),
    ):
        post_or_400(_NameForm(), lambda: _add_user("Nobody"), to="/done")
    with app.test_request_context("/", method="POST", data={"name": "Ana"}):
        response = post_or_400(_NameForm(), lambda: _add_user("Ana"), to="/done", flashed="Ok.")
        assert (response.status_code, response.location) == (302, "/done")
        assert get_flashed_messages(with_categories=True) == [("success", "Ok.")]
    assert _users() == 1


def test_saved_commits_says_so_and_redirects_with_the_code_asked(app):
    with app.test_request_context("/", method="POST"):
        _add_user("Ana")
        response = saved("/after", ("Saved.", "info"), code=303)
        assert (response.status_code, response.location) == (303, "/after")
        assert get_flashed_messages(with_categories=True) == [("info", "Saved.")]
    db.session.rollback()  # what was committed stays
    assert _users() == 1
