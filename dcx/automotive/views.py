"""Automotive pages: the owner's dashboard, a car's health, booking, recalls, financing, staff."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.automotive import appointments as automotive_appointments
from dcx.automotive import codes as dtc
from dcx.automotive import financing as automotive_financing
from dcx.automotive import fleet_status, labels, rules, workspace
from dcx.automotive import recalls as automotive_recalls
from dcx.automotive import vehicles as automotive_vehicles
from dcx.automotive.forms import BookingForm, RecallForm, VehicleForm
from dcx.automotive.models import (
    AutomotiveAppointment,
    AutomotiveBill,
    AutomotiveLoan,
    AutomotiveVehicle,
    CoverageStatus,
)
from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.platform import charts, clock, staff_lists
from dcx.platform.blueprints import vertical_blueprints
from dcx.platform.forms import SelectChoice, validated
from dcx.platform.views import submit

# its pages at /automotive and the staff workspace at /automotive/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("automotive", labels.label)


@bp.route("/")
def index():
    """The landing page; for a signed-in customer with cars, their dashboard."""
    statuses, appointments, bills, loans = [], [], [], []
    if current_user.is_authenticated:
        vehicles = automotive_vehicles.vehicles_of(current_user.id)
        statuses = fleet_status.fleet_status(vehicles)
        if vehicles:
            appointments = automotive_appointments.upcoming_appointments(current_user.id)
            bills = automotive_financing.bills_of(current_user.id, unpaid_only=True)
            loans = automotive_financing.loans_of(current_user.id)
    return render_template(
        "automotive/index.html",
        statuses=statuses,
        appointments=appointments,
        bills=bills,
        loans=loans,
        today=clock.today(),
        explain=dtc.explain,
    )


@bp.route("/live.json")
@login_required
def live():
    """The dashboard's polling feed: each car's latest odometer, health and codes."""
    statuses = fleet_status.fleet_status(automotive_vehicles.vehicles_of(current_user.id))
    return {
        "vehicles": [
            {
                "id": s.vehicle.id,
                "odometer_km": s.reading.odometer_km if s.reading else None,
                "last_seen": s.reading.recorded_at.isoformat() if s.reading else None,
                "health": s.health,
                "codes": sorted(c.code for c in s.codes),
            }
            for s in statuses
        ]
    }


@bp.route("/vehicles/new", methods=["GET", "POST"])
@login_required
def add_vehicle():
    """Register a car by its VIN."""
    form = VehicleForm()
    done = submit(
        form,
        lambda: automotive_vehicles.add_vehicle(
            current_user.id,
            vin=form.vin.data,
            make=form.make.data,
            model=form.model.data,
            year=form.year.data,
            plate=form.plate.data or "",
            colour=form.colour.data or "",
            fuel_type=form.fuel_type.data,
            last_service_on=form.last_service_on.data,
            last_service_km=form.last_service_km.data or 0,
        ),
        to=lambda vehicle: url_for("automotive.vehicle", vehicle_id=vehicle.id),
        flashed=lambda vehicle: _(
            "%(name)s added. Connect it to start receiving its diagnostics.", name=vehicle.name
        ),
        refused=ValueError,
        field=form.vin,
        refusal=_("This VIN is already registered."),
    )
    return done.response or (
        render_template("automotive/vehicle_form.html", form=form),
        done.status,
    )


def _history_charts(vehicle_id: int):
    history = fleet_status.reading_history(vehicle_id)
    if len(history) < 2:
        return []
    # Day and month in the visitor's language ("3 mar"), not strftime's English "03 Mar".
    days = [format_date(r.recorded_at, "d MMM") for r in history]
    return [
        (
            charts.line_chart(
                _("Odometer (km)"), days, {_("Odometer"): [r.odometer_km for r in history]}
            ),
            _("Distance driven over the last 90 days."),
        ),
        (
            charts.line_chart(
                _("Battery (V)"),
                days,
                {_("Battery"): [r.battery_v for r in history]},
                guides={_("Low"): rules.LOW_BATTERY_V},
            ),
            _("Resting battery voltage; below the dashed line the car may not start."),
        ),
        (
            charts.line_chart(
                _("Tyre pressure (kPa)"),
                days,
                {
                    _("Front left"): [r.tyre_fl_kpa for r in history],
                    _("Front right"): [r.tyre_fr_kpa for r in history],
                    _("Rear left"): [r.tyre_rl_kpa for r in history],
                    _("Rear right"): [r.tyre_rr_kpa for r in history],
                },
                guides={_("Low"): rules.LOW_TYRE_KPA},
            ),
            _("Tyre pressures; a tyre drifting away from the others may have a slow puncture."),
        ),
    ]


@bp.route("/vehicles/<int:vehicle_id>")
@login_required
def vehicle(vehicle_id: int):
    """One car: health, trouble codes explained, service due, recalls, charts, connection."""
    car = owned_or_404(AutomotiveVehicle, vehicle_id, current_user.id)
    status = fleet_status.fleet_status([car])[0]
    appointments = [
        a
        for a in automotive_appointments.upcoming_appointments(current_user.id)
        if a.vehicle_id == car.id
    ]
    return render_template(
        "automotive/vehicle.html",
        s=status,
        car=car,
        appointments=appointments,
        remedied=[
            coverage
            for coverage, _recall, owned in automotive_recalls.recalls_of(current_user.id)
            if owned.id == car.id and coverage.status == CoverageStatus.REMEDIED
        ],
        charts=_history_charts(car.id),
        explain=dtc.explain,
        token=None,
    )


@bp.route("/vehicles/<int:vehicle_id>/connect", methods=["POST"])
@login_required
def connect(vehicle_id: int):
    """Issue the car's telematics token and show it once."""
    car = owned_or_404(AutomotiveVehicle, vehicle_id, current_user.id)
    token = automotive_vehicles.connect_vehicle(car)
    db.session.commit()
    return render_template("automotive/token.html", car=car, token=token)


@bp.route("/vehicles/<int:vehicle_id>/revoke", methods=["POST"])
@login_required
def revoke(vehicle_id: int):
    """Stop accepting the car's token."""
    car = owned_or_404(AutomotiveVehicle, vehicle_id, current_user.id)
    automotive_vehicles.revoke_token(car)
    db.session.commit()
    flash(_("The car's token is revoked; it can no longer send data."), "info")
    return redirect(url_for("automotive.vehicle", vehicle_id=car.id))


def _prefilled_reason(car: AutomotiveVehicle) -> tuple[str, str, int | None]:
    """The reason, code and recall a booking link carries (?code=, ?recall=, ?reason=service)."""
    code = dtc.normalise(request.args.get("code", ""))[:5]
    if code and dtc.is_valid(code):
        info = dtc.explain(code)
        return _("Trouble code %(code)s: %(title)s", code=code, title=info.title), code, None
    recall_id = request.args.get("recall", type=int)
    if recall_id:
        coverage = automotive_recalls.coverage_of(car.id, recall_id)
        if coverage is None:
            abort(404)
        recall = coverage.recall
        return (
            _(
                "Recall %(number)s: %(component)s",
                number=recall.campaign_number,
                component=recall.component,
            ),
            "",
            recall.id,
        )
    if request.args.get("reason") == "service":
        return _("Scheduled service"), "", None
    return "", "", None


@bp.route("/vehicles/<int:vehicle_id>/book", methods=["GET", "POST"])
@login_required
def book(vehicle_id: int):
    """Book a service visit, the reason prefilled from the reminder, code or recall."""
    car = owned_or_404(AutomotiveVehicle, vehicle_id, current_user.id)
    reason, code, recall_id = _prefilled_reason(car)
    form = BookingForm()
    if request.method == "GET":
        form.reason.data = reason
        form.dealer.data = (
            request.args.get("dealer")
            if request.args.get("dealer") in rules.DEALERS
            else rules.DEALERS[0]
        )
    dealer = form.dealer.data if form.dealer.data in rules.DEALERS else rules.DEALERS[0]
    slots = automotive_appointments.available_slots(dealer, clock.today())
    form.slot.choices = [
        # Slots are UTC and say so: rebase=False keeps them from moving to another zone.
        SelectChoice(s.isoformat(), format_datetime(s, rules.SLOT_FORMAT, rebase=False) + " UTC")
        for s in slots
    ]
    if form.validate_on_submit():
        starts_at = datetime.fromisoformat(form.slot.data).astimezone(UTC)
        try:
            automotive_appointments.book_appointment(
                car,
                form.dealer.data,
                starts_at,
                validated(form.reason.data),
                code=code,
                recall_id=recall_id,
            )
        except ValueError:
            form.slot.errors = [_("That slot has just been taken; please pick another.")]
        else:
            db.session.commit()
            flash(
                _("Service booked at %(dealer)s. It is in your calendar.", dealer=form.dealer.data),
                "success",
            )
            return redirect(url_for("automotive.vehicle", vehicle_id=car.id))
    status = 400 if request.method == "POST" else 200
    return render_template("automotive/book.html", form=form, car=car, code=code), status


@bp.route("/recalls")
@login_required
def recalls():
    """Recalls covering the customer's cars, open first, with what to do."""
    return render_template(
        "automotive/recalls.html", rows=automotive_recalls.recalls_of(current_user.id)
    )


@bp.route("/financing")
@login_required
def financing():
    """Loans and leases with their position, and every bill with a pay action."""
    today = clock.today()
    loans = [
        (loan, automotive_financing.loan_position(loan, today))
        for loan in automotive_financing.loans_of(current_user.id)
    ]
    return render_template(
        "automotive/financing.html",
        loans=loans,
        bills=automotive_financing.bills_of(current_user.id),
        today=today,
    )


@bp.route("/financing/<int:loan_id>")
@login_required
def loan(loan_id: int):
    """One loan: its amortisation table and payoff figure."""
    row = owned_or_404(AutomotiveLoan, loan_id, current_user.id)
    today = clock.today()
    return render_template(
        "automotive/loan.html",
        loan=row,
        position=automotive_financing.loan_position(row, today),
        schedule=automotive_financing.amortisation(row),
        today=today,
    )


@bp.route("/bills/<int:bill_id>/pay", methods=["POST"])
@login_required
def pay(bill_id: int):
    """Record the payment of one bill."""
    bill = owned_or_404(AutomotiveBill, bill_id, current_user.id)
    if automotive_financing.pay_bill(bill):
        db.session.commit()
        flash(_("Paid %(title)s.", title=bill.title), "success")
    else:
        flash(_("This bill was already paid."), "info")
    return redirect(url_for("automotive.financing", _anchor=f"bill-{bill.id}"))


@staff_bp.route("")
def home():
    """The service advisor's view: a page of the cars needing attention, searchable, the
    soonest booked visits and recall coverage."""
    wanted = staff_lists.requested()
    page, statuses, owners = workspace.needing_attention_page(wanted)
    return render_template(
        "automotive/staff.html",
        page=page,
        q=wanted.q,
        statuses=statuses,
        owners=owners,
        coverage=automotive_recalls.recall_coverage_summary(),
        appointments=automotive_appointments.booked_appointments(staff_lists.page_size()),
        # The platform's customer-360 page, when the timeline package provides it.
        customer_360="timeline.customer_360"
        if "timeline.customer_360" in current_app.view_functions
        else None,
    )


@staff_bp.route("/appointments/<int:appointment_id>/done", methods=["POST"])
def complete(appointment_id: int):
    """The advisor marks a visit done: recall remedied, code cleared or service restarted."""
    appointment = db.get_or_404(AutomotiveAppointment, appointment_id)
    automotive_appointments.complete_appointment(appointment)
    db.session.commit()
    flash(_("Visit for %(name)s completed.", name=appointment.vehicle.name), "success")
    return redirect(url_for("automotive.staff.home"))


@staff_bp.route("/recalls/new", methods=["GET", "POST"])
def publish_recall():
    """Publish a maker's recall campaign; every affected owner is notified."""
    form = RecallForm()
    done = submit(
        form,
        lambda: automotive_recalls.publish_recall(
            **{name: form[name].data for name in automotive_recalls.RECALL_FIELDS},
            do_not_drive=form.do_not_drive.data == "yes",
        ),
        to=url_for("automotive.staff.home"),
        flashed=_("Recall %(number)s published.", number=form.campaign_number.data),
    )
    return done.response or (render_template("automotive/recall_form.html", form=form), done.status)
