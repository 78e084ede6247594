"""Health jobs: dose reminders, missed-dose follow-ups, the weekly summary and crisis alerts.

Each catches up from state and sends with a once-only key, so a rerun sends nothing twice,
and writes each message in its recipient's language.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Row, case, func, or_, select

from dcx.extensions import db
from dcx.health import medication
from dcx.health.models import (
    HealthCareTeamMember,
    HealthDose,
    HealthExercise,
    HealthMedication,
    HealthObservation,
    ObservationKind,
)
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.notify.services import notify_each
from dcx.verticals import scheduled


def _open_slots(now: datetime, start: datetime, end: datetime):
    """(medication, slot) pairs in ``(start, end]`` with no dose recorded yet."""
    meds = list(
        db.session.execute(
            select(HealthMedication).where(
                HealthMedication.active.is_(True), HealthMedication.start_on <= end.date()
            )
        ).scalars()
    )
    if not meds:
        return []
    recorded = set(
        db.session.execute(
            select(HealthDose.medication_id, HealthDose.scheduled_at).where(
                HealthDose.scheduled_at > start, HealthDose.scheduled_at <= end
            )
        ).all()
    )
    return [
        (med, slot)
        for med in meds
        for slot in medication.slots_between(med, start, end)
        if (med.id, slot) not in recorded
    ]


def _patient(slot: tuple[HealthMedication, datetime]) -> int:
    """Who a dose reminder goes to: the patient of the medication."""
    return slot[0].patient_id


@scheduled({"minute": "*/15"}, _l("Remind patients of each dose at its time, once per dose."))
def dose_reminders(now: datetime) -> int:
    """Remind patients of each dose whose time has come (within two hours) and not yet marked.

    Each reminder is written in its patient's language, read for all of them in one query.
    """
    due = _open_slots(now, now - medication.REMINDER_WINDOW, now)

    def reminder(due_slot: tuple[HealthMedication, datetime]) -> dict[str, Any]:
        med, slot = due_slot
        return {
            "title": _l("Time for %(n)s", n=med.name),
            "body": _l("%(d)s, due at %(t)s.", d=med.dose or med.name, t=f"{slot:%H:%M}"),
            "link": link("health.medications"),
            "key": f"health.dose:{med.id}:{slot:%Y%m%dT%H%M}",
        }

    return notify_each("health.dose_reminder", due, _patient, reminder)


@scheduled(
    {"minute": 30},
    _l("Follow up doses left unmarked three hours after their time."),
    name="missed_doses",
)
def missed_dose_follow_up(now: datetime) -> int:
    """A gentle follow-up for each dose left unmarked three hours after its time (last day)."""
    end = now - medication.MISSED_AFTER
    missed = _open_slots(now, end - timedelta(days=1), end)

    def follow_up(missed_slot: tuple[HealthMedication, datetime]) -> dict[str, Any]:
        med, slot = missed_slot
        return {
            "title": _l("Did you take %(n)s?", n=med.name),
            "body": _l(
                "The %(t)s dose is not marked yet. Mark it taken or skipped.", t=f"{slot:%H:%M}"
            ),
            "link": link("health.medications"),
            "key": f"health.missed:{med.id}:{slot:%Y%m%dT%H%M}",
        }

    return notify_each("health.missed_dose", missed, _patient, follow_up)


@scheduled(
    {"minute": "*/10"}, _l("Alert the care team of crisis blood pressure readings not yet alerted.")
)
def crisis_alerts(now: datetime) -> int:
    """Catch-up: alert each care-team clinician of crisis readings of the last two days, once."""
    rows = db.session.execute(
        select(
            HealthObservation.id,
            HealthObservation.value,
            HealthObservation.value2,
            User.name,
            HealthCareTeamMember,
        )
        .join(HealthCareTeamMember, HealthCareTeamMember.patient_id == HealthObservation.patient_id)
        .join(User, User.id == HealthObservation.patient_id)
        .where(
            HealthObservation.kind == ObservationKind.BP,
            HealthObservation.observed_at >= now - timedelta(days=2),
            or_(HealthObservation.value > 180, HealthObservation.value2 > 120),
        )
    ).all()

    def alert(row: Row[int, float, float | None, str, HealthCareTeamMember]) -> dict[str, Any]:
        obs_id, value, value2, name, member = row
        return {
            "title": _l("Crisis blood pressure: %(name)s", name=name),
            "body": f"{int(value)}/{int(value2 or 0)} mmHg",
            "link": link("health.staff.staff_patient", patient_id=member.patient_id),
            "key": f"health.crisis:{obs_id}",
        }

    return notify_each("health.crisis_alert", rows, lambda row: row[4].clinician_id, alert)


@scheduled(
    {"day_of_week": "mon", "hour": 7},
    _l("Each patient's week of readings and active minutes."),
    each_period=True,
)
def weekly_summary(now: datetime) -> int:
    """Each active patient's week: readings, average blood pressure and active minutes."""
    today: date = now.date()
    start = now - timedelta(days=7)
    week = today.isocalendar()
    readings = {
        uid: (count, sys_avg, dia_avg)
        for uid, count, sys_avg, dia_avg in db.session.execute(
            select(
                HealthObservation.patient_id,
                func.count(HealthObservation.id),
                func.avg(HealthObservation.value).filter(
                    HealthObservation.kind == ObservationKind.BP
                ),
                func.avg(HealthObservation.value2).filter(
                    HealthObservation.kind == ObservationKind.BP
                ),
            )
            .where(HealthObservation.observed_at > start, HealthObservation.observed_at <= now)
            .group_by(HealthObservation.patient_id)
        ).all()
    }
    minutes = dict(
        db.session.execute(
            select(
                HealthExercise.patient_id,
                func.sum(
                    HealthExercise.minutes
                    * case(
                        (HealthExercise.intensity == "vigorous", 2),
                        (HealthExercise.intensity == "moderate", 1),
                        else_=0,
                    )
                ),
            )
            .where(
                HealthExercise.performed_on > today - timedelta(days=7),
                HealthExercise.performed_on <= today,
            )
            .group_by(HealthExercise.patient_id)
        ).all()
    )
    patients = sorted(set(readings) | set(minutes))

    def summary(uid: int) -> dict[str, Any]:
        count, sys_avg, dia_avg = readings.get(uid, (0, None, None))
        parts = [ngettext("%(num)d reading", "%(num)d readings", count)]
        if sys_avg is not None:
            parts.append(str(_l("average BP %(s)s/%(d)s", s=round(sys_avg), d=round(dia_avg or 0))))
        parts.append(
            ngettext(
                "%(num)d active minute",
                "%(num)d active minutes",
                int(minutes.get(uid) or 0),
            )
        )
        return {
            "title": _l("Your health week"),
            "body": ", ".join(parts) + ".",
            "link": link("health.index"),
            "key": f"health.weekly:{week.year}-W{week.week:02d}",
        }

    return notify_each("health.weekly_summary", patients, lambda uid: uid, summary)
