"""Daily automotive jobs: service reminders, critical codes, recall matches, bills due.

Each job catches up from state and sends through ``notify_bulk`` with a key per fact (the
service cycle and urgency, the code row, the recall and vehicle, the bill), so running a job
twice, or after downtime, never sends the same message twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.automotive import codes as dtc
from dcx.automotive import services
from dcx.automotive.models import Bill, Loan, TroubleCode, Vehicle
from dcx.extensions import db
from dcx.platform.notify.services import notify_bulk


def service_reminders(now: datetime) -> int:
    """Remind owners whose next service became due soon, urgent or overdue."""
    vehicles = list(db.session.execute(select(Vehicle)).scalars())
    rows = []
    for status in services.fleet_status(vehicles, now.date()):
        due = status.due
        if due.urgency == "not_urgent":
            continue
        vehicle = status.vehicle
        cycle = f"{vehicle.last_service_on.isoformat()}:{vehicle.last_service_km}"
        rows.append(
            {
                "user_id": vehicle.user_id,
                "title": str(
                    _l(
                        "Service %(urgency)s: %(name)s",
                        urgency=due.urgency_label.lower(),
                        name=vehicle.name,
                    )
                ),
                "body": str(
                    _l(
                        "Next service due on %(day)s or at %(km)s km, whichever comes first.",
                        day=due.due_on.isoformat(),
                        km=due.due_km,
                    )
                ),
                "link": services.link("automotive.book", vehicle_id=vehicle.id, reason="service"),
                "key": f"automotive.service:{vehicle.id}:{cycle}:{due.urgency}",
            }
        )
    return notify_bulk("automotive.service_reminder", rows)


def critical_codes(now: datetime) -> int:
    """Tell owners about confirmed codes that mean they should act now."""
    rows = db.session.execute(
        select(TroubleCode, Vehicle)
        .join(Vehicle, Vehicle.id == TroubleCode.vehicle_id)
        .where(TroubleCode.cleared_at.is_(None), TroubleCode.status == "confirmed")
    ).all()
    messages = []
    for code, vehicle in rows:
        info = dtc.explain(code.code)
        if info.severity != "critical":
            continue
        messages.append(
            {
                "user_id": vehicle.user_id,
                "title": str(
                    _l(
                        "%(code)s on your %(name)s: %(title)s",
                        code=code.code,
                        name=vehicle.name,
                        title=info.title,
                    )
                ),
                "body": info.drive_advice,
                "link": services.link("automotive.vehicle", vehicle_id=vehicle.id, _anchor="codes"),
                "key": f"automotive.critical:{code.id}",
            }
        )
    return notify_bulk("automotive.trouble_code", messages)


def recall_matches(now: datetime) -> int:
    """Cover vehicles added since a recall was published and notify their owners."""
    return services.match_recalls()


def bills_due(now: datetime) -> int:
    """Issue instalment bills that fell due and remind owners three days before each."""
    today = now.date()
    for loan in db.session.execute(select(Loan)).scalars():
        services.issue_instalments(loan, today + timedelta(days=3))
    bills = db.session.execute(
        select(Bill).where(
            Bill.paid_at.is_(None),
            Bill.due_on >= today,
            Bill.due_on <= today + timedelta(days=3),
        )
    ).scalars()
    return notify_bulk(
        "automotive.bill_due",
        [
            {
                "user_id": bill.user_id,
                "title": str(
                    _l(
                        "Payment due on %(day)s: %(title)s",
                        day=bill.due_on.isoformat(),
                        title=bill.title,
                    )
                ),
                "body": "",
                "link": services.link("automotive.financing", _anchor=f"bill-{bill.id}"),
                "key": f"automotive.bill_due:{bill.id}",
            }
            for bill in bills
        ],
    )
