"""Service appointments: free slots at the dealers, booking, rescheduling and cancelling a visit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from dcx.automotive import codes as dtc
from dcx.automotive import fleet_status, recalls
from dcx.automotive.confirmations import confirm_booking
from dcx.automotive.models import (
    AppointmentStatus,
    AutomotiveAppointment,
    AutomotiveRecallCoverage,
    AutomotiveVehicle,
    CoverageStatus,
)
from dcx.automotive.rules import DEALERS, KEY, SLOT_FORMAT, SLOT_HOURS
from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record


def available_slots(dealer: str, today: date, days: int = 10) -> list[datetime]:
    """Free slots at ``dealer`` on the next working days (the day after ``today`` onwards)."""
    candidates: list[datetime] = []
    day = today
    while len(candidates) < days * len(SLOT_HOURS):
        day += timedelta(days=1)
        if day.weekday() >= 5:
            continue
        candidates.extend(datetime.combine(day, time(hour), tzinfo=UTC) for hour in SLOT_HOURS)
    # One row whatever the bookings: for each slot of the window, whether any booking holds
    # it, so the page reads the same however many customers have booked.
    booked = AutomotiveAppointment.starts_at
    taken = db.session.execute(
        select(*(func.max(case((booked == slot, 1), else_=0)) for slot in candidates)).where(
            AutomotiveAppointment.dealer == dealer,
            AutomotiveAppointment.status == AppointmentStatus.BOOKED,
            booked >= candidates[0],
            booked <= candidates[-1],
        )
    ).one()
    return [slot for slot, held in zip(candidates, taken, strict=True) if not held]


def book_appointment(
    vehicle: AutomotiveVehicle,
    dealer: str,
    starts_at: datetime,
    reason: str,
    code: str = "",
    recall_id: int | None = None,
) -> AutomotiveAppointment:
    """Book a service visit; ValueError if the dealer or slot is not available."""
    if dealer not in DEALERS:
        raise ValueError("unknown dealer")
    if starts_at not in available_slots(dealer, clock.today()):
        raise ValueError("slot not available")
    code = dtc.normalise(code)
    if code and not dtc.is_valid(code):
        code = ""
    appointment = AutomotiveAppointment(
        user_id=vehicle.user_id,
        vehicle_id=vehicle.id,
        dealer=dealer,
        starts_at=starts_at,
        reason=reason.strip()[:300],
        code=code,
        recall_id=recall_id,
    )
    db.session.add(appointment)
    if recall_id is not None:
        coverage = db.session.execute(
            select(AutomotiveRecallCoverage).where(
                AutomotiveRecallCoverage.recall_id == recall_id,
                AutomotiveRecallCoverage.vehicle_id == vehicle.id,
            )
        ).scalar_one_or_none()
        if coverage is not None and coverage.status == CoverageStatus.NOTIFIED:
            coverage.status = CoverageStatus.BOOKED
    db.session.flush()
    record(
        vehicle.user_id,
        KEY,
        "service_booked",
        _l("Service booked for %(name)s", name=vehicle.name),
        # Slots are UTC and say so; the date is written in the owner's language.
        summary=LazyString(
            lambda: (
                f"{dealer} · {format_datetime(starts_at, SLOT_FORMAT, rebase=False)} UTC"
                f" · {appointment.reason}"
            )
        ),
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.appointment:{appointment.id}",
    )
    confirm_booking(
        appointment, vehicle, link("automotive.vehicle", vehicle_id=vehicle.id), SLOT_FORMAT
    )
    return appointment


def complete_appointment(appointment: AutomotiveAppointment) -> None:
    """The dealer finished the visit: what it was for is done.

    A recall visit remedies the recall; a visit about a code clears that code; a scheduled
    service restarts the service interval from today's date and odometer.
    """
    if appointment.status != AppointmentStatus.BOOKED:
        return
    appointment.status = AppointmentStatus.DONE
    vehicle = appointment.vehicle
    now = clock.now()
    if appointment.recall_id is not None:
        coverage = db.session.execute(
            select(AutomotiveRecallCoverage).where(
                AutomotiveRecallCoverage.recall_id == appointment.recall_id,
                AutomotiveRecallCoverage.vehicle_id == vehicle.id,
            )
        ).scalar_one_or_none()
        if coverage is not None:
            recalls.mark_remedied(coverage)
    elif appointment.code:
        for row in fleet_status.active_codes([vehicle.id])[vehicle.id]:
            if row.code == appointment.code:
                row.cleared_at = now
    else:
        reading = fleet_status.latest_readings([vehicle.id]).get(vehicle.id)
        vehicle.last_service_on = clock.today()
        if reading is not None:
            vehicle.last_service_km = reading.odometer_km
    db.session.flush()
    record(
        vehicle.user_id,
        KEY,
        "service_done",
        _l("Visit completed for %(name)s", name=vehicle.name),
        summary=appointment.reason,
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.appointment_done:{appointment.id}",
    )


def booked_appointments(limit: int = 200) -> list[AutomotiveAppointment]:
    """The ``limit`` soonest booked visits at the dealers (the service advisor's list)."""
    return list(
        db.session.execute(
            select(AutomotiveAppointment)
            .options(joinedload(AutomotiveAppointment.vehicle))
            .where(AutomotiveAppointment.status == AppointmentStatus.BOOKED)
            .order_by(AutomotiveAppointment.starts_at, AutomotiveAppointment.id)
            .limit(limit)
        ).scalars()
    )


def upcoming_appointments(user_id: int) -> list[AutomotiveAppointment]:
    """The customer's booked visits from today on, soonest first."""
    start = datetime.combine(clock.today(), time(0), tzinfo=UTC)
    return rows_where(
        AutomotiveAppointment,
        AutomotiveAppointment.user_id == user_id,
        AutomotiveAppointment.status == AppointmentStatus.BOOKED,
        AutomotiveAppointment.starts_at >= start,
        order_by=(AutomotiveAppointment.starts_at,),
    )
