"""Banking forms: open a savings account, goals, bills, filters and the advisor's note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from dcx.banking import amounts, labels
from dcx.platform.forms import SelectField

SAVINGS_STEPS = 5


def _amount(form, field) -> None:
    try:
        value = amounts.parse_amount(field.data)
    except ValueError:
        raise ValidationError(_l("Enter an amount like 250 or 250.00.")) from None
    if value <= 0:
        raise ValidationError(_l("The amount must be more than zero."))
    field.minor = value


def amount_field(label):
    """A money field typed as text (``1,250.00``) and parsed to minor units on validation."""
    return StringField(label, validators=[DataRequired(), Length(max=16), _amount])


class OpenSavingsForm(FlaskForm):
    """The five steps of opening a savings account, in one form shown a step at a time."""

    step = HiddenField(default="1")
    # 1. personal details
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    date_of_birth = DateField(_l("Date of birth"), validators=[InputRequired()])
    phone = StringField(
        _l("Mobile phone"),
        validators=[DataRequired(), Length(max=32), Regexp(r"^\+?[0-9 ()-]{6,32}$")],
    )
    address = TextAreaField(_l("Home address"), validators=[DataRequired(), Length(max=300)])
    # 2. identity check
    last4 = StringField(
        _l("Last four digits of your current account number"),
        validators=[DataRequired(), Regexp(r"^[0-9]{4}$", message=_l("Four digits, please."))],
    )
    purpose = SelectField(
        _l("What will you use the account for?"),
        choices=[
            ("", _l("Choose…")),
            ("goals", _l("Saving for goals")),
            ("emergency", _l("An emergency fund")),
            ("long_term", _l("Long-term savings")),
        ],
        validators=[DataRequired()],
    )
    source_of_funds = SelectField(
        _l("Where does the money come from?"),
        choices=[
            ("", _l("Choose…")),
            ("salary", _l("Salary")),
            ("savings", _l("Existing savings")),
            ("other", _l("Other")),
        ],
        validators=[DataRequired()],
    )
    # 3. product
    product = RadioField(_l("Product"), validators=[DataRequired()], choices=[])
    # 4. initial deposit
    source_account_id = SelectField(_l("Pay from"), coerce=str, validators=[DataRequired()])
    deposit = amount_field(_l("Initial deposit (EUR)"))
    # 5. consents
    consent_terms = BooleanField(
        _l("I accept the account terms"), validators=[DataRequired(_l("Required."))]
    )
    consent_privacy = BooleanField(
        _l("I have read the privacy notice"), validators=[DataRequired(_l("Required."))]
    )
    consent_marketing = BooleanField(_l("Send me savings tips (optional)"))

    STEP_OF = {
        "full_name": 1,
        "date_of_birth": 1,
        "phone": 1,
        "address": 1,
        "last4": 2,
        "purpose": 2,
        "source_of_funds": 2,
        "product": 3,
        "source_account_id": 4,
        "deposit": 4,
        "consent_terms": 5,
        "consent_privacy": 5,
        "consent_marketing": 5,
    }

    def first_error_step(self) -> int:
        """The step holding the first field with an error (to show it after a 400)."""
        steps = [self.STEP_OF[name] for name in self.errors if name in self.STEP_OF]
        return min(steps) if steps else 1


class GoalForm(FlaskForm):
    """Set a savings goal."""

    name = StringField(_l("Goal name"), validators=[DataRequired(), Length(max=80)])
    target = amount_field(_l("Target amount (EUR)"))
    target_date = DateField(_l("Reach it by"), validators=[InputRequired()])
    account_id = SelectField(_l("Save in"), coerce=str, validators=[Optional()])


class GoalMoneyForm(FlaskForm):
    """Put money into a goal or take it out."""

    amount = amount_field(_l("Amount (EUR)"))
    direction = SelectField(
        _l("Action"),
        choices=[("in", _l("Contribute")), ("out", _l("Withdraw"))],
        validators=[DataRequired()],
    )


class BillForm(FlaskForm):
    """Add a recurring bill by hand."""

    name = StringField(_l("Bill"), validators=[DataRequired(), Length(max=80)])
    amount = amount_field(_l("Expected amount (EUR)"))
    next_due_on = DateField(_l("Next due date"), validators=[InputRequired()])


class TransactionFilterForm(FlaskForm):
    """Search and filter an account's transactions (GET, no CSRF)."""

    class Meta:
        """A search form: nothing changes, so no CSRF token."""

        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=80)])
    category = SelectField(
        _l("Category"),
        choices=[("", _l("All categories")), *labels.category_choices()],
        validators=[Optional()],
    )
    direction = SelectField(
        _l("Direction"),
        choices=[("", _l("In and out")), ("in", _l("Money in")), ("out", _l("Money out"))],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=[("", _l("Any")), ("booked", _l("Booked")), ("pending", _l("Pending"))],
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class NoteForm(FlaskForm):
    """The advisor's note to a customer."""

    title = StringField(_l("Subject"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])
