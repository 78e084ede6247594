"""Government forms: the citizen's repair report and the staff's sharing, planning and workflow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dcx.government.models import REPAIR_CATEGORIES
from dcx.platform.forms import SelectChoice, SelectField

CATEGORY_LABELS = {
    "streetlight": _l("Streetlight"),
    "pothole": _l("Pothole"),
    "traffic_signal": _l("Traffic signal"),
    "sign": _l("Road sign"),
    "pavement": _l("Pavement"),
    "other": _l("Something else"),
}
DEPARTMENT_CHOICES = [
    SelectChoice("transport", _l("Transport")),
    SelectChoice("public_works", _l("Public works")),
    SelectChoice("police", _l("Police")),
    SelectChoice("communications", _l("Communications")),
]
CATEGORY_CHOICES = [SelectChoice(c, CATEGORY_LABELS[c]) for c in REPAIR_CATEGORIES]


class RepairReportForm(FlaskForm):
    """A citizen reports something broken on a street, with an optional photo."""

    category = SelectField(_l("What is broken?"), choices=CATEGORY_CHOICES)
    street = SelectField(_l("Street"), coerce=int, validators=[InputRequired()])
    location = StringField(
        _l("Where exactly (house number, corner)"), validators=[Optional(), Length(max=100)]
    )
    description = TextAreaField(
        _l("Describe the problem"), validators=[DataRequired(), Length(min=5, max=2000)]
    )
    photo = FileField(
        _l("Photo (JPEG, PNG or WebP, up to 1 MB)"),
        validators=[FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Only JPEG, PNG or WebP."))],
    )


class DescribeIncidentForm(FlaskForm):
    """The cause of an incident, as the officer understands it."""

    cause = TextAreaField(_l("Cause"), validators=[DataRequired(), Length(max=1000)])


class ShareForm(FlaskForm):
    """Share an incident with a department."""

    department = SelectField(_l("Department"), choices=DEPARTMENT_CHOICES)


class CommentForm(FlaskForm):
    """A department's comment on an incident."""

    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=1000)])


class HandoffForm(FlaskForm):
    """Hand a follow-on task to another department."""

    to_department = SelectField(_l("To department"), choices=DEPARTMENT_CHOICES)
    task = StringField(_l("Task"), validators=[DataRequired(), Length(max=300)])


class RepairFromIncidentForm(FlaskForm):
    """Open a repair request for what causes an incident."""

    citizen_report = SelectField(_l("From a citizen's report"), coerce=int, default=0)
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES)
    location = StringField(_l("Location"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("What needs repairing"), validators=[Length(max=2000)])


class ScheduleForm(FlaskForm):
    """Book a crew for a repair in a slot of the week."""

    repair = SelectField(_l("Repair"), coerce=int, validators=[InputRequired()])
    crew = SelectField(_l("Crew"), coerce=int, validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired()])
    start_hour = IntegerField(
        _l("Start hour (0-23, UTC)"), validators=[InputRequired(), NumberRange(0, 23)]
    )
    hours = IntegerField(
        _l("Duration (hours)"), default=2, validators=[InputRequired(), NumberRange(1, 12)]
    )


class StatusForm(FlaskForm):
    """Move a repair to another status."""

    to_status = HiddenField(validators=[DataRequired(), Length(max=20)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class ReopenForm(FlaskForm):
    """A citizen says a repair is not really fixed."""

    note = StringField(_l("What is still wrong?"), validators=[Optional(), Length(max=300)])


class FollowForm(FlaskForm):
    """Follow a district to hear when something there is fixed."""

    district = SelectField(_l("District"))
