"""The bookstore's forms, each with size limits."""

from __future__ import annotations

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dcx.platform.forms import SelectChoice, SelectField


def _stars_label(half_stars: int) -> str:
    """A rating choice as the visitor reads it: "4.5 ★", or "4,5 ★" in Spanish."""
    return f"{format_decimal(half_stars / 2, format='0.#')} ★"


# Labels are lazy: the choices are built once at import, and shown in each visitor's locale.
HALF_STARS = [SelectChoice(str(h), LazyString(_stars_label, h)) for h in range(10, 0, -1)]


class SearchForm(FlaskForm):
    """Search and filter the catalogue (GET, no CSRF)."""

    class Meta:
        """A search is a GET: no CSRF token."""

        csrf = False

    q = StringField(_l("Search title, author or ISBN"), validators=[Optional(), Length(max=100)])
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=60)])
    author = StringField(_l("Author"), validators=[Optional(), Length(max=120)])


class CafeReservationForm(FlaskForm):
    """Pick titles to be set aside at the café table for one day."""

    book_ids = SelectMultipleField(_l("Books"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Day at the café"), validators=[InputRequired()])


class ReviewForm(FlaskForm):
    """A review: half-star rating, title and text."""

    half_stars = SelectField(_l("Rating"), choices=HALF_STARS, validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Your review"), validators=[Optional(), Length(max=5000)])


class ReportForm(FlaskForm):
    """Report a review or a post to the staff."""

    reason = StringField(_l("Why?"), validators=[Optional(), Length(max=200)])


class ShelfForm(FlaskForm):
    """Put a book on a shelf (or take it off)."""

    shelf = SelectField(
        _l("Shelf"),
        choices=[
            SelectChoice("want", _l("Want to read")),
            SelectChoice("reading", _l("Reading")),
            SelectChoice("read", _l("Read")),
            SelectChoice("", _l("Not on a shelf")),
        ],
        validate_choice=True,
    )


class GoalForm(FlaskForm):
    """The year's reading goal."""

    target = IntegerField(
        _l("Books to read this year"), validators=[InputRequired(), NumberRange(1, 500)]
    )


class ThreadForm(FlaskForm):
    """Start a thread in a group."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class ReplyForm(FlaskForm):
    """Reply in a thread."""

    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=5000)])


class RsvpForm(FlaskForm):
    """Answer an event."""

    answer = SelectField(
        _l("Your answer"),
        choices=[
            SelectChoice("going", _l("Going")),
            SelectChoice("interested", _l("Interested")),
            SelectChoice("not_going", _l("Not going")),
        ],
    )


class RemoveAttendeeForm(FlaskForm):
    """Confirm taking a customer off an event's guest list (the form carries only its CSRF token)."""
