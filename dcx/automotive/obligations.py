"""What a car owner owes and when, for the other industries and the customer's calendar.

The lender's schedule is the one truth about a car loan: the ``obligations`` hooks answer
every instalment in a window, issued as a bill or still only on the schedule, with the
lender as payee, so banking counts the instalment on the lender's date and never guesses it
from past payments. The calendar hook shows the same instalments, the booked service visits
and the date each car's next service falls due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.automotive.financing import add_months, amortisation, instalment_reference
from dcx.automotive.fleet_status import fleet_status
from dcx.automotive.models import (
    AppointmentStatus,
    AutomotiveAppointment,
    AutomotiveBill,
    AutomotiveLoan,
    AutomotiveVehicle,
)
from dcx.automotive.rules import KEY
from dcx.automotive.vehicles import vehicles_of
from dcx.extensions import db
from dcx.filters import money, number
from dcx.platform import clock
from dcx.platform.links import link
from dcx.verticals import CalendarEntry, Obligation

# Customers per round of queries of :func:`obligations_many`: the IN list stays far below the
# bound parameters a statement may carry (32,766 in SQLite, 65,535 in PostgreSQL).
OBLIGATIONS_BATCH = 5_000
CALENDAR_MONTHS = 2  # instalments this far ahead are in the calendar, as banking's bills are


def obligations(user_id: int, start: date, end: date) -> list[Obligation]:
    """What the customer owes between ``start`` and ``end`` (the ``obligations`` hook).

    One customer's answer of :func:`obligations_many`, so the two hooks cannot drift apart.
    """
    return obligations_many([user_id], start, end)[user_id]


def obligations_many(
    user_ids: Sequence[int], start: date, end: date
) -> dict[int, list[Obligation]]:
    """Every given customer's unpaid bills and scheduled instalments in [start, end], by id.

    The ``obligations_many`` hook: two queries per ``OBLIGATIONS_BATCH`` customers (their
    bills in the window, their loans), whatever their number; every given id is a key, with
    an empty list when nothing is owed. An instalment not yet issued as a bill is owed on its
    scheduled date all the same; one issued is owed while unpaid. Each list is ordered by due
    date (then bill, then instalment number). Instalments name their lender as ``payee``.
    """
    return {
        user_id: [owed for _reference, owed in rows]
        for user_id, rows in _owed_many(user_ids, start, end).items()
    }


def _owed_many(
    user_ids: Sequence[int], start: date, end: date
) -> dict[int, list[tuple[str, Obligation]]]:
    """:func:`obligations_many` with each obligation's reference (a bill's, an instalment's).

    An instalment keeps its reference from the schedule to its bill, so the calendar entry
    made from it keeps its identity when the bill is issued.
    """
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    found: dict[int, list[tuple[tuple[date, int, int], str, Obligation]]] = {i: [] for i in ids}
    for first in range(0, len(ids), OBLIGATIONS_BATCH):
        batch = ids[first : first + OBLIGATIONS_BATCH]
        bills = db.session.execute(
            select(AutomotiveBill, AutomotiveLoan.lender)
            .outerjoin(AutomotiveLoan, AutomotiveLoan.id == AutomotiveBill.loan_id)
            .where(
                AutomotiveBill.user_id.in_(batch),
                AutomotiveBill.due_on >= start,
                AutomotiveBill.due_on <= end,
            )
        ).all()
        issued = {bill.reference for bill, _lender in bills}
        for bill, lender in bills:
            if bill.paid_at is not None:
                continue
            owed = Obligation(
                vertical=KEY,
                title=bill.title,
                due_on=bill.due_on,
                amount_minor=bill.amount_minor,
                currency=bill.currency,
                link=link("automotive.financing", _anchor=f"bill-{bill.id}"),
                payee=lender or "",
            )
            found[bill.user_id].append(((bill.due_on, 0, bill.id), bill.reference, owed))
        loans = db.session.execute(
            select(AutomotiveLoan).where(AutomotiveLoan.user_id.in_(batch))
        ).scalars()
        for loan in loans:
            for row in amortisation(loan):
                reference = instalment_reference(loan, row.number)
                if not start <= row.due_on <= end or reference in issued:
                    continue
                owed = Obligation(
                    vertical=KEY,
                    title=_(
                        "%(lender)s instalment %(n)s of %(term)s",
                        lender=loan.lender,
                        n=row.number,
                        term=loan.term_months,
                    ),
                    due_on=row.due_on,
                    amount_minor=row.payment,
                    currency=loan.currency,
                    link=link("automotive.financing", _anchor=f"loan-{loan.id}"),
                    payee=loan.lender,
                )
                found[loan.user_id].append(((row.due_on, 1, row.number), reference, owed))
    return {
        user_id: [(reference, owed) for _key, reference, owed in sorted(rows, key=_by_date)]
        for user_id, rows in found.items()
    }


def _by_date(row: tuple[tuple[date, int, int], str, Obligation]) -> tuple[date, int, int, str]:
    return (*row[0], row[1])


def calendar_entries(user_id: int) -> list[CalendarEntry]:
    """The customer's booked service visits, instalments due and each car's next service.

    The ``calendar`` hook, rendered in the language in force (the calendar page's visitor,
    or the feed's owner). Instalments are the ones :func:`obligations` answers from today to
    ``CALENDAR_MONTHS`` ahead, on the lender's date, so banking's bills never repeat them.
    """
    today = clock.today()
    rows = db.session.execute(
        select(AutomotiveAppointment, AutomotiveVehicle)
        .join(AutomotiveVehicle, AutomotiveVehicle.id == AutomotiveAppointment.vehicle_id)
        .where(
            AutomotiveAppointment.user_id == user_id,
            AutomotiveAppointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(AutomotiveAppointment.starts_at)
    ).all()
    entries = [
        CalendarEntry(
            uid=f"automotive-appointment-{a.id}@dcx",
            title=str(_l("Car service: %(name)s", name=v.name)),
            starts_at=a.starts_at,
            ends_at=a.starts_at + timedelta(hours=1),
            location=a.dealer,
            description=a.reason,
        )
        for a, v in rows
    ]
    owed_rows = _owed_many([user_id], today, add_months(today, CALENDAR_MONTHS))[user_id]
    for reference, owed in owed_rows:
        entries.append(
            CalendarEntry(
                uid=f"automotive-due-{reference}@dcx",
                title=f"{owed.title}: {money(owed.amount_minor, owed.currency)}",
                starts_at=datetime.combine(owed.due_on, time(9, 0), tzinfo=UTC),
                description=_("Payment due"),
                url=owed.link,
            )
        )
    for status in fleet_status(vehicles_of(user_id), today):
        entries.append(
            CalendarEntry(
                uid=f"automotive-service-due-{status.vehicle.id}@dcx",
                title=_("Service due: %(name)s", name=status.vehicle.name),
                starts_at=datetime.combine(status.due.due_on, time(9, 0), tzinfo=UTC),
                description=_(
                    "The next service falls due on this date, or at %(km)s km.",
                    km=number(status.due.due_km),
                ),
                url=link("automotive.vehicle", vehicle_id=status.vehicle.id),
            )
        )
    return entries
