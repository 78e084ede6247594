"""Education forms: a test built from its questions, chat messages, bookings and slots."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateTimeLocalField,
    Field,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from dcx.education.models import EducationQuestion, QuestionKind
from dcx.platform.forms import SelectChoice, SelectField, add_error
from dcx.platform.numbers import parse_number


class ActionForm(FlaskForm):
    """A form with no fields: a button that posts (start, read, cancel) with its CSRF token."""


class MessageForm(FlaskForm):
    """One chat message."""

    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=4000)])


class NewConversationForm(FlaskForm):
    """Start a thread with a professor, about one course or one-to-one."""

    target = SelectField(_l("Professor"), validators=[DataRequired()])


class BookingForm(FlaskForm):
    """Book an office-hour slot, optionally about a topic."""

    topic = StringField(_l("Topic (optional)"), validators=[Optional(), Length(max=120)])
    note = StringField(_l("Note for the professor (optional)"), validators=[Length(max=500)])


class SlotForm(FlaskForm):
    """A professor publishes an office-hour slot (times in UTC)."""

    starts_at = DateTimeLocalField(
        _l("Starts at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    minutes = IntegerField(
        _l("Length in minutes"), default=30, validators=[InputRequired(), NumberRange(10, 240)]
    )
    place = StringField(_l("Place"), validators=[Length(max=160)])
    video_link = StringField(
        _l("Video link"), validators=[Optional(), URL(require_tld=False), Length(max=300)]
    )
    capacity = IntegerField(
        _l("Places"), default=1, validators=[InputRequired(), NumberRange(1, 50)]
    )
    closes_hours_before = IntegerField(
        _l("Booking closes (hours before)"),
        default=12,
        validators=[InputRequired(), NumberRange(0, 168)],
    )
    course = SelectField(_l("Course"), validators=[Optional()])


class _MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple-choice question."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def field_name(question: EducationQuestion) -> str:
    """The form field name of a question."""
    return f"q{question.id}"


def test_form(
    questions: list[EducationQuestion], formdata: MultiDict[str, str] | None = None
) -> FlaskForm:
    """A form with one field per question: radios, checkboxes or a number box.

    Numeric answers are text boxes parsed by :func:`responses_from`, so a comma decimal or a
    typo is reported on the field instead of failing the whole submission.
    """

    class _TestForm(FlaskForm):
        pass

    for q in questions:
        choices = [SelectChoice(str(i), text) for i, text in enumerate(q.choices)]
        field: Field
        if q.kind == QuestionKind.SINGLE:
            field = RadioField(
                q.prompt, choices=choices, validate_choice=False, validators=[Optional()]
            )
        elif q.kind == QuestionKind.MULTIPLE:
            field = _MultiCheckboxField(
                q.prompt, choices=choices, validate_choice=False, validators=[Optional()]
            )
        else:
            field = StringField(q.prompt, validators=[Optional(), Length(max=40)])
        setattr(_TestForm, field_name(q), field)
    return _TestForm(formdata=formdata) if formdata is not None else _TestForm()


def responses_from(form: FlaskForm, questions: list[EducationQuestion]) -> dict[int, list] | None:
    """The answers as the scorer takes them; None (with field errors set) when a number is bad."""
    responses: dict[int, list] = {}
    ok = True
    for q in questions:
        field = form[field_name(q)]
        valid = {str(i) for i in range(len(q.choices))}
        if q.kind == QuestionKind.SINGLE:
            responses[q.id] = [int(field.data)] if field.data in valid else []
        elif q.kind == QuestionKind.MULTIPLE:
            responses[q.id] = sorted({int(v) for v in (field.data or []) if v in valid})
        else:
            text = (field.data or "").strip()
            if not text:
                responses[q.id] = []
                continue
            try:
                value = float(parse_number(text))
            except ValueError:
                add_error(field, str(_l("Enter a number, e.g. 3.5")))
                ok = False
                continue
            responses[q.id] = [value]
    return responses if ok else None
