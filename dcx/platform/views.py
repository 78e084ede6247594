"""The form-handling path every view shares: a valid form runs its service, the transaction is
committed, a message is flashed and the visitor redirected (post/redirect/get); an invalid form,
or one the service refuses, is drawn again with its errors and a 400.

A view reads::

    done = submit(form, lambda: services.add(uid, form.name.data), to=url_for("x.list"),
                  flashed=_("Added."), refused=XError, field=form.name)
    if done.response:
        return done.response
    return render_template("x/page.html", form=form), done.status

Services never commit; this is the one place a form's change is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from dcx.extensions import db
from dcx.platform.forms import add_error

__all__ = ["Flashed", "Submission", "post_or_400", "saved", "submit"]

T = TypeVar("T")

#: What to flash after the commit: a message (shown as a success), a ``(message, category)``
#: pair, or a function of the service's result giving either (or ``None`` for nothing).
Flashed = str | tuple[str, str] | Callable[[T], str | tuple[str, str] | None] | None


@dataclass(frozen=True)
class Submission:
    """What a form's request came to: the redirect after a success, else the status to draw
    the page with (200 when nothing was sent, 400 or the refusal's status otherwise)."""

    response: Response | None = None
    status: int = 200


def _say(flashed: Flashed[T], result: T) -> None:
    """Flash what ``flashed`` says for ``result``."""
    said = flashed(result) if callable(flashed) else flashed
    if said is None:
        return
    if isinstance(said, tuple):
        flash(*said)
    else:
        flash(said, "success")


def _target(to: str | Callable[[T], str], result: T) -> str:
    """The address to go to after ``result``."""
    return to(result) if callable(to) else to


def _error_field(
    form: FlaskForm, exc: Exception, field: Field | Callable[[Exception], Field] | None
) -> Field:
    """The field a refusal is shown on: the one the error names (its ``field`` attribute),
    else ``field``, else the form's first field."""
    named = getattr(form, str(getattr(exc, "field", "") or ""), None)
    if isinstance(named, Field):
        return named
    if isinstance(field, Field):  # a field is callable too (it draws itself)
        return field
    if field is not None:
        return field(exc)
    return next(f for f in form if f.name != "csrf_token")


def _commit_and_go(
    result: T, to: str | Callable[[T], str], flashed: Flashed[T], code: int = 302
) -> Response:
    """Commit the service's work, flash, and redirect."""
    db.session.commit()
    _say(flashed, result)
    return redirect(_target(to, result), code)


def saved(to: str, flashed: str | tuple[str, str] | None = None, *, code: int = 302) -> Response:
    """For an action without a form to redraw (a button): commit what it changed, say so
    (``flashed`` as in :func:`submit`) and redirect to ``to`` (with ``code``)."""
    return _commit_and_go(None, to, flashed, code)


def submit(
    form: FlaskForm,
    act: Callable[[], T],
    *,
    to: str | Callable[[T], str],
    flashed: Flashed[T] = None,
    refused: type[Exception] | tuple[type[Exception], ...] = (),
    field: Field | Callable[[Exception], Field] | None = None,
    refused_status: int = 400,
    refusal: str | None = None,
) -> Submission:
    """Run ``act`` when ``form`` is sent and valid, then commit, flash and redirect to ``to``.

    An error of a ``refused`` type is rolled back and shown on the field it names, or on
    ``field`` (with ``refusal`` in place of the error's own text when given); the page is
    then drawn with ``refused_status``. An invalid form gives 400; a
    form not sent (a GET) gives 200 and runs nothing.
    """
    if not form.validate_on_submit():
        return Submission(status=400 if form.is_submitted() else 200)
    try:
        result = act()
    except refused as exc:
        db.session.rollback()
        add_error(_error_field(form, exc, field), refusal or str(exc))
        return Submission(status=refused_status)
    return Submission(response=_commit_and_go(result, to, flashed))


def post_or_400(
    form: FlaskForm,
    act: Callable[[], T],
    *,
    to: str | Callable[[T], str],
    flashed: Flashed[T] = None,
) -> Response:
    """For a form that only posts (a button, a small form on another page): 400 unless it is
    valid, else run ``act``, commit, flash and redirect to ``to``."""
    if not form.validate_on_submit():
        abort(400)
    return _commit_and_go(act(), to, flashed)
