"""Daily automotive jobs: service reminders, critical codes, recall matches, bills due.

Each job catches up from state and sends through ``notify_bulk`` with a key per fact (the
service cycle and urgency, the code row, the recall and vehicle, the bill), so running a job
twice, or after downtime, never sends the same message twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.automotive import codes as dtc
from dcx.automotive import financing, fleet_status, recalls
from dcx.automotive.models import (
    AutomotiveBill,
    AutomotiveLoan,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
    CodeStatus,
)
from dcx.extensions import db
from dcx.filters import number
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales


def service_reminders(now: datetime) -> int:
    """Remind owners whose next service became due soon, urgent or overdue.

    Each reminder is written in its owner's language, read for every owner in one query.
    """
    vehicles = list(db.session.execute(select(AutomotiveVehicle)).scalars())
    due_now = [
        status
        for status in fleet_status.fleet_status(vehicles, now.date())
        if status.due.urgency != "not_urgent"
    ]
    locales = recipient_locales(status.vehicle.user_id for status in due_now)
    rows = []
    for status in due_now:
        due = status.due
        vehicle = status.vehicle
        cycle = f"{vehicle.last_service_on.isoformat()}:{vehicle.last_service_km}"
        with in_locale(locales[vehicle.user_id]):
            title = str(
                _l(
                    "Service %(urgency)s: %(name)s",
                    urgency=due.urgency_label.lower(),
                    name=vehicle.name,
                )
            )
            body = str(
                _l(
                    "Next service due on %(day)s or at %(km)s km, whichever comes first.",
                    day=format_date(due.due_on),
                    km=number(due.due_km),
                )
            )
        rows.append(
            {
                "user_id": vehicle.user_id,
                "title": title,
                "body": body,
                "link": link("automotive.book", vehicle_id=vehicle.id, reason="service"),
                "key": f"automotive.service:{vehicle.id}:{cycle}:{due.urgency}",
            }
        )
    return notify_bulk("automotive.service_reminder", rows)


def critical_codes(now: datetime) -> int:
    """Tell owners about confirmed codes that mean they should act now, in their language."""
    rows = db.session.execute(
        select(AutomotiveTroubleCode, AutomotiveVehicle)
        .join(AutomotiveVehicle, AutomotiveVehicle.id == AutomotiveTroubleCode.vehicle_id)
        .where(
            AutomotiveTroubleCode.cleared_at.is_(None),
            AutomotiveTroubleCode.status == CodeStatus.CONFIRMED,
        )
    ).all()
    critical = [
        (code, vehicle) for code, vehicle in rows if dtc.explain(code.code).severity == "critical"
    ]
    locales = recipient_locales(vehicle.user_id for _code, vehicle in critical)
    messages = []
    for code, vehicle in critical:
        with in_locale(locales[vehicle.user_id]):
            info = dtc.explain(code.code)  # its title and advice, in the owner's language
            title = str(
                _l(
                    "%(code)s on your %(name)s: %(title)s",
                    code=code.code,
                    name=vehicle.name,
                    title=info.title,
                )
            )
            body = str(info.drive_advice)
        messages.append(
            {
                "user_id": vehicle.user_id,
                "title": title,
                "body": body,
                "link": link("automotive.vehicle", vehicle_id=vehicle.id, _anchor="codes"),
                "key": f"automotive.critical:{code.id}",
            }
        )
    return notify_bulk("automotive.trouble_code", messages)


def recall_matches(now: datetime) -> int:
    """Cover vehicles added since a recall was published and notify their owners."""
    return recalls.match_recalls()


def bills_due(now: datetime) -> int:
    """Issue instalment bills that fell due and remind owners three days before each."""
    today = now.date()
    loans = list(db.session.execute(select(AutomotiveLoan).order_by(AutomotiveLoan.id)).scalars())
    # set-based: a few statements per batch of loans, whatever the loans' history
    financing.issue_instalments_many(loans, today + timedelta(days=3))
    bills = list(
        db.session.execute(
            select(AutomotiveBill).where(
                AutomotiveBill.paid_at.is_(None),
                AutomotiveBill.due_on >= today,
                AutomotiveBill.due_on <= today + timedelta(days=3),
            )
        ).scalars()
    )
    locales = recipient_locales(bill.user_id for bill in bills)
    rows = []
    for bill in bills:
        with in_locale(locales[bill.user_id]):
            title = str(
                _l(
                    "Payment due on %(day)s: %(title)s",
                    day=format_date(bill.due_on),
                    title=bill.title,
                )
            )
        rows.append(
            {
                "user_id": bill.user_id,
                "title": title,
                "body": "",
                "link": link("automotive.financing", _anchor=f"bill-{bill.id}"),
                "key": f"automotive.bill_due:{bill.id}",
            }
        )
    return notify_bulk("automotive.bill_due", rows)
