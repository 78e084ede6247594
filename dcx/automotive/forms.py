"""Automotive forms: every field has a size limit and a translated label."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from dcx.automotive.models import FUEL_TYPES
from dcx.automotive.rules import DEALERS
from dcx.automotive.vehicles import is_valid_vin, normalise_vin
from dcx.platform.forms import SelectChoice, SelectField

FUEL_LABELS = {
    "petrol": _l("Petrol"),
    "diesel": _l("Diesel"),
    "hybrid": _l("Hybrid"),
    "electric": _l("Electric"),
}


class VehicleForm(FlaskForm):
    """Add a car: its VIN, what it is, and when it was last serviced."""

    vin = StringField(
        _l("VIN (17 characters)"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("On the registration document or at the base of the windscreen."),
    )
    make = StringField(_l("Make"), validators=[DataRequired(), Length(max=40)])
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=60)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(1980, 2100)])
    plate = StringField(_l("Number plate"), validators=[Optional(), Length(max=16)])
    colour = StringField(_l("Colour"), validators=[Optional(), Length(max=30)])
    fuel_type = SelectField(
        _l("Fuel"),
        choices=[SelectChoice(key, FUEL_LABELS[key]) for key in FUEL_TYPES],
        default="petrol",
    )
    last_service_on = DateField(_l("Last service date"), validators=[Optional()])
    last_service_km = IntegerField(
        _l("Odometer at last service (km)"), validators=[Optional(), NumberRange(0, 2_000_000)]
    )

    def validate_vin(self, field) -> None:
        """A VIN is 17 letters and digits without I, O or Q."""
        if not is_valid_vin(field.data or ""):
            raise ValidationError(_l("A VIN has 17 letters and digits, never I, O or Q."))
        field.data = normalise_vin(field.data)


class BookingForm(FlaskForm):
    """Book a service visit: dealer, slot and the reason (prefilled)."""

    dealer = SelectField(_l("Dealer"), choices=[SelectChoice(d, d) for d in DEALERS])
    slot = SelectField(_l("Time slot"), choices=[], validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class RecallForm(FlaskForm):
    """A maker publishes a recall campaign (staff)."""

    campaign_number = StringField(
        _l("Campaign number"), validators=[DataRequired(), Length(max=30)]
    )
    make = StringField(_l("Make"), validators=[DataRequired(), Length(max=40)])
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=60)])
    year_from = IntegerField(_l("From year"), validators=[DataRequired(), NumberRange(1980, 2100)])
    year_to = IntegerField(_l("To year"), validators=[DataRequired(), NumberRange(1980, 2100)])
    component = StringField(_l("Component"), validators=[DataRequired(), Length(max=120)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=2000)])
    consequence = TextAreaField(_l("Consequence"), validators=[DataRequired(), Length(max=2000)])
    remedy = TextAreaField(_l("Remedy"), validators=[DataRequired(), Length(max=2000)])
    do_not_drive = SelectField(
        _l("Do not drive until repaired?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
    )

    def validate_year_to(self, field) -> None:
        """The range must not run backwards."""
        if self.year_from.data and field.data and field.data < self.year_from.data:
            raise ValidationError(_l("The last year comes before the first."))
