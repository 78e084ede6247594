"""Health forms; every field has a size limit and a translated label."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dcx.health import food_and_exercise, goals, medication, rules, vitals
from dcx.health.learning import MODULES
from dcx.platform.forms import SelectChoice, SelectField, add_error

FEELINGS = (
    SelectChoice("good", _l("Going well")),
    SelectChoice("ok", _l("So-so")),
    SelectChoice("hard", _l("Finding it hard")),
)


def _food_choices():
    return [SelectChoice("", _l("— none —"))] + [
        SelectChoice(f.code, f.name) for f in food_and_exercise.foods().values()
    ]


class ReadingForm(FlaskForm):
    """Log one vital-sign reading."""

    kind = SelectField(
        _l("Kind of reading"),
        choices=[SelectChoice(k, v.label) for k, v in vitals.VITALS.items()],
    )
    systolic = FloatField(
        _l("Upper number (systolic, mmHg)"), validators=[Optional(), NumberRange(50, 300)]
    )
    diastolic = FloatField(
        _l("Lower number (diastolic, mmHg)"), validators=[Optional(), NumberRange(20, 200)]
    )
    value = FloatField(_l("Value (other readings)"), validators=[Optional(), NumberRange(0, 1000)])

    def validate(self, extra_validators=None) -> bool:
        """Blood pressure needs both numbers; every other reading needs a value."""
        if not super().validate(extra_validators):
            return False
        if self.kind.data == "bp":
            ok = True
            for f in (self.systolic, self.diastolic):
                if f.data is None:
                    add_error(f, _l("Needed for blood pressure."))
                    ok = False
            return ok
        if self.value.data is None:
            add_error(self.value, _l("Enter the value."))
            return False
        return True


class SettingsForm(FlaskForm):
    """Height (for BMI) and the daily and weekly plans."""

    height_cm = FloatField(_l("Height (cm)"), validators=[Optional(), NumberRange(80, 250)])
    calorie_plan = IntegerField(
        _l("Daily energy plan (kcal)"), validators=[InputRequired(), NumberRange(800, 5000)]
    )
    weekly_minutes_goal = IntegerField(
        _l("Active minutes a week"), validators=[InputRequired(), NumberRange(10, 1500)]
    )


class MealForm(FlaskForm):
    """A meal with up to three foods."""

    kind = SelectField(
        _l("Meal"),
        choices=[
            SelectChoice("breakfast", _l("Breakfast")),
            SelectChoice("lunch", _l("Lunch")),
            SelectChoice("dinner", _l("Dinner")),
            SelectChoice("snack", _l("Snack")),
        ],
    )
    food1 = SelectField(_l("Food 1"), validators=[DataRequired()])
    grams1 = IntegerField(_l("Grams 1"), validators=[InputRequired(), NumberRange(1, 2000)])
    food2 = SelectField(_l("Food 2"), validators=[Optional()])
    grams2 = IntegerField(_l("Grams 2"), validators=[Optional(), NumberRange(1, 2000)])
    food3 = SelectField(_l("Food 3"), validators=[Optional()])
    grams3 = IntegerField(_l("Grams 3"), validators=[Optional(), NumberRange(1, 2000)])

    def __init__(self, *args, **kwargs):
        """Fill the food lists from the bundled table."""
        super().__init__(*args, **kwargs)
        for f in (self.food1, self.food2, self.food3):
            f.choices = _food_choices()

    def items(self) -> list[tuple[str, int]]:
        """The (food code, grams) pairs filled in."""
        pairs = [(self.food1, self.grams1), (self.food2, self.grams2), (self.food3, self.grams3)]
        return [(f.data, g.data or 100) for f, g in pairs if f.data]


class ExerciseForm(FlaskForm):
    """An activity: what, how long, how hard."""

    activity = StringField(_l("Activity"), validators=[DataRequired(), Length(max=60)])
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(), NumberRange(1, 600)])
    intensity = SelectField(
        _l("Intensity"),
        choices=[
            SelectChoice("light", _l("Light (easy, like a stroll)")),
            SelectChoice("moderate", _l("Moderate (can talk, not sing)")),
            SelectChoice("vigorous", _l("Vigorous (hard to talk)")),
        ],
        default="moderate",
    )


class CheckInForm(FlaskForm):
    """How a goal is going, in the patient's words."""

    feeling = SelectField(_l("How is it going?"), choices=FEELINGS)
    note = TextAreaField(_l("Note for your care team"), validators=[Optional(), Length(max=1000)])


class DisplayNameForm(FlaskForm):
    """The name shown in the community."""

    display_name = StringField(
        _l("Community display name"), validators=[DataRequired(), Length(min=2, max=40)]
    )


class PostForm(FlaskForm):
    """A post in a group."""

    body = TextAreaField(_l("Your post"), validators=[DataRequired(), Length(max=2000)])
    milestone = BooleanField(_l("This is a milestone I want to share"))


class ReplyForm(FlaskForm):
    """A reply to a post."""

    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=2000)])


class ReportForm(FlaskForm):
    """Report a post to the moderators."""

    reason = StringField(_l("Why?"), validators=[Optional(), Length(max=200)])


class CareTeamForm(FlaskForm):
    """Add a clinician to one's care team."""

    clinician = SelectField(_l("Clinician"), coerce=int, validators=[InputRequired()])


class VisitForm(FlaskForm):
    """What was agreed at a visit: notes, a goal, a medication, a learning module."""

    notes = TextAreaField(_l("Visit notes"), validators=[Optional(), Length(max=4000)])
    next_visit_on = DateField(_l("Next visit"), validators=[Optional()])
    goal_measure = SelectField(
        _l("Goal measure"),
        choices=[SelectChoice("", _l("— no new goal —"))]
        + [SelectChoice(k, m.label) for k, m in goals.MEASURES.items()],
        validators=[Optional()],
    )
    goal_baseline = FloatField(
        _l("Baseline (empty: latest readings)"), validators=[Optional(), NumberRange(0, 2000)]
    )
    goal_target = FloatField(_l("Goal target"), validators=[Optional(), NumberRange(0, 2000)])
    goal_due_on = DateField(_l("Goal due date"), validators=[Optional()])
    goal_status = SelectField(
        _l("Goal status"),
        choices=[SelectChoice(k, v) for k, v in goals.GOAL_STATUS_LABELS.items()],
        default="active",
    )
    med_name = StringField(_l("Medication name"), validators=[Optional(), Length(max=120)])
    med_dose = StringField(_l("Dose"), validators=[Optional(), Length(max=60)])
    med_times = StringField(
        _l("Times of day (e.g. 08:00, 20:00)"), validators=[Optional(), Length(max=60)]
    )
    med_review_on = DateField(_l("Medication review date"), validators=[Optional()])
    module = SelectField(
        _l("Assign a learning module"),
        choices=[SelectChoice("", _l("— none —"))]
        + [SelectChoice(k, m.title) for k, m in MODULES.items()],
        validators=[Optional()],
    )

    def validate(self, extra_validators=None) -> bool:
        """A goal needs a target and due date; a medication needs its times."""
        if not super().validate(extra_validators):
            return False
        ok = True
        if self.goal_measure.data:
            for f in (self.goal_target, self.goal_due_on):
                if f.data is None:
                    add_error(f, _l("Needed for the goal."))
                    ok = False
        if self.med_name.data and not self.med_times.data:
            add_error(self.med_times, _l("Needed for the medication."))
            ok = False
        if self.med_times.data:
            try:
                medication.parse_times(self.med_times.data)
            except rules.HealthError as exc:
                add_error(self.med_times, str(exc))
                ok = False
        return ok


class GoalStatusForm(FlaskForm):
    """A clinician changes a goal's status."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(k, v) for k, v in goals.GOAL_STATUS_LABELS.items()]
    )
