"""Account forms; every field has a size limit and a translated label."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from dcx.platform.accounts.services import MIN_PASSWORD_LENGTH
from dcx.platform.forms import SelectChoice, SelectField
from dcx.platform.timezones import timezone_choices

_password = [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)]


class SignUpForm(FlaskForm):
    """Create an account."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(_l("Password (at least 12 characters)"), validators=_password)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class SignInForm(FlaskForm):
    """Sign in with email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class ProfileForm(FlaskForm):
    """The customer's details and consents."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(
        _l("Mobile phone"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^\+?[0-9 ()-]{6,32}$", message=_l("Digits, spaces and + only.")),
        ],
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            SelectChoice("en", "English"),
            SelectChoice("es", "Español"),
            SelectChoice("ro", "Română"),
        ],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=lambda: [SelectChoice("", _l("The site's time zone")), *timezone_choices()],
    )
    health_consent = BooleanField(
        _l("Let staff outside my care team see my health events in my customer view")
    )


class PasswordForm(FlaskForm):
    """Change the password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(_l("New password (at least 12 characters)"), validators=_password)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )
