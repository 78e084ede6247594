"""Medication and adherence: dose times, doses taken or missed, proportion of days covered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from dcx.extensions import db
from dcx.health import vitals
from dcx.health.models import (
    DoseStatus,
    HealthDose,
    HealthMedication,
)
from dcx.health.rules import KEY, HealthError
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record

DOSE_LABELS = {"taken": _l("Taken"), "late": _l("Taken late"), "skipped": _l("Skipped")}
LATE_AFTER = timedelta(hours=1)
MISSED_AFTER = timedelta(hours=3)
REMINDER_WINDOW = timedelta(hours=2)
PDC_MARK = 0.8


def parse_times(text: str) -> str:
    """Normalise "8:00, 20:00" into "08:00,20:00"; HealthError when a time is not valid."""
    found = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            hour, minute = (int(x) for x in part.split(":"))
            found.append(time(hour, minute).strftime("%H:%M"))
        except ValueError:
            raise HealthError(_l("Times look like 08:00, 20:00.")) from None
    if not found or len(found) > 6:
        raise HealthError(_l("Give between one and six times of day."))
    return ",".join(sorted(set(found)))


def prescribe(
    patient_id: int,
    clinician_id: int | None,
    name: str,
    dose: str,
    times: str,
    start_on: date | None = None,
    review_on: date | None = None,
    visit_id: int | None = None,
) -> HealthMedication:
    """Add a medication with its times of day (UTC on the demo clock)."""
    med = HealthMedication(
        patient_id=patient_id,
        prescribed_by=clinician_id,
        visit_id=visit_id,
        name=name.strip(),
        dose=dose.strip(),
        times=parse_times(times),
        start_on=start_on or clock.today(),
        review_on=review_on,
        active=True,
    )
    db.session.add(med)
    db.session.flush()
    record(
        patient_id,
        KEY,
        "medication_prescribed",
        _l("Medication: %(n)s", n=med.name),
        _l("At %(t)s", t=", ".join(med.time_list)),
        {"medication_id": med.id},
        link("health.medications"),
        key=f"health.medication:{med.id}",
    )
    return med


def medications_of(patient_id: int, active_only: bool = True) -> list[HealthMedication]:
    """The patient's medications."""
    stmt = select(HealthMedication).where(HealthMedication.patient_id == patient_id)
    if active_only:
        stmt = stmt.where(HealthMedication.active.is_(True))
    return list(db.session.execute(stmt.order_by(HealthMedication.name)).scalars())


def medications_of_many(
    patient_ids: Iterable[int], active_only: bool = True
) -> dict[int, list[HealthMedication]]:
    """:func:`medications_of` for many patients in one query: id -> medications by name."""
    ids = vitals._unique_ids(patient_ids)
    found: dict[int, list[HealthMedication]] = {pid: [] for pid in ids}
    if not ids:
        return found
    stmt = select(HealthMedication).where(HealthMedication.patient_id.in_(ids))
    if active_only:
        stmt = stmt.where(HealthMedication.active.is_(True))
    for med in db.session.execute(stmt.order_by(HealthMedication.name)).scalars():
        found[med.patient_id].append(med)
    return found


def dose_time(text: str) -> time:
    """A schedule's "HH:MM" as a time of day."""
    return time.fromisoformat(text)


def slots_on(med: HealthMedication, day: date) -> list[datetime]:
    """The scheduled dose times of ``med`` on ``day`` (none before it starts)."""
    if day < med.start_on:
        return []
    return [datetime.combine(day, dose_time(t), tzinfo=UTC) for t in med.time_list]


def slots_between(med: HealthMedication, start: datetime, end: datetime) -> list[datetime]:
    """The scheduled dose times of ``med`` in ``(start, end]``."""
    found: list[datetime] = []
    day = start.date()
    while day <= end.date():
        found.extend(s for s in slots_on(med, day) if start < s <= end)
        day += timedelta(days=1)
    return found


def doses_between(
    patient_id: int, start: datetime, end: datetime
) -> dict[tuple[int, datetime], HealthDose]:
    """The recorded doses in ``[start, end]`` by (medication id, scheduled time)."""
    rows = db.session.execute(
        select(HealthDose).where(
            HealthDose.patient_id == patient_id,
            HealthDose.scheduled_at >= start,
            HealthDose.scheduled_at <= end,
        )
    ).scalars()
    return {(d.medication_id, d.scheduled_at): d for d in rows}


def _dose_rows_many(
    patient_ids: Sequence[int], start: datetime, end: datetime, which: ColumnElement[bool]
) -> list[Any]:
    """The doses of many patients in ``[start, end]`` that meet ``which``, as light rows
    (patient_id, medication_id, scheduled_at; no ORM objects): a panel reads a month of
    doses for each of its patients."""
    return list(
        db.session.execute(
            select(HealthDose.patient_id, HealthDose.medication_id, HealthDose.scheduled_at).where(
                HealthDose.patient_id.in_(patient_ids),
                HealthDose.scheduled_at >= start,
                HealthDose.scheduled_at <= end,
                which,
            )
        )
    )


def record_dose(
    patient_id: int, medication_id: Any, scheduled_at: datetime, taken: bool
) -> HealthDose:
    """Record a scheduled dose as taken (or taken late, past an hour) or skipped."""
    from dcx.database import owned_or_404

    med = owned_or_404(HealthMedication, medication_id, patient_id, owner_attr="patient_id")
    now = clock.now()
    if scheduled_at not in slots_on(med, scheduled_at.date()):
        raise HealthError(_l("That is not one of this medicine's dose times."))
    if scheduled_at > now + timedelta(hours=3):
        raise HealthError(_l("That dose is not due yet."))
    status = "skipped"
    if taken:
        status = "late" if now > scheduled_at + LATE_AFTER else "taken"
    dose = db.session.execute(
        select(HealthDose).where(
            HealthDose.medication_id == med.id, HealthDose.scheduled_at == scheduled_at
        )
    ).scalar_one_or_none()
    if dose is None:
        dose = HealthDose(medication_id=med.id, patient_id=patient_id, scheduled_at=scheduled_at)
        db.session.add(dose)
    dose.status = status
    dose.recorded_at = now
    db.session.flush()
    return dose


def proportion_of_days_covered(
    due_by_day: Mapping[date, int], taken_by_day: Mapping[date, int]
) -> float | None:
    """PDC: the share of days with doses due on which every due dose was taken.

    A day counts as covered when the doses taken (on time or late) reach the doses due. Days
    with nothing due do not count. None when no day had a dose due.
    """
    days = [d for d, n in due_by_day.items() if n > 0]
    if not days:
        return None
    covered = sum(1 for d in days if taken_by_day.get(d, 0) >= due_by_day[d])
    return covered / len(days)


def adherence(patient_id: int, days: int = 30) -> float | None:
    """The patient's PDC over the last ``days`` days, all active medications together."""
    now = clock.now()
    start = datetime.combine(now.date() - timedelta(days=days - 1), time(), tzinfo=UTC)
    due: dict[date, int] = defaultdict(int)
    for med in medications_of(patient_id):
        for slot in slots_between(med, start - timedelta(seconds=1), now):
            due[slot.date()] += 1
    taken: dict[date, int] = defaultdict(int)
    for dose in doses_between(patient_id, start, now + timedelta(hours=3)).values():
        if dose.status in (DoseStatus.TAKEN, DoseStatus.LATE) and dose.scheduled_at <= now:
            taken[dose.scheduled_at.date()] += 1
    return proportion_of_days_covered(due, taken)


def adherence_many(patient_ids: Iterable[int], days: int = 30) -> dict[int, float | None]:
    """:func:`adherence` for many patients in two queries (medications, doses): id -> PDC."""
    ids = vitals._unique_ids(patient_ids)
    if not ids:
        return {}
    now = clock.now()
    start = datetime.combine(now.date() - timedelta(days=days - 1), time(), tzinfo=UTC)
    due: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    for pid, meds in medications_of_many(ids).items():
        for med in meds:
            for slot in slots_between(med, start - timedelta(seconds=1), now):
                due[pid][slot.date()] += 1
    taken: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    # as in adherence(): doses taken, on time or late, and due by now
    for dose in _dose_rows_many(
        ids, start, now, HealthDose.status.in_((DoseStatus.TAKEN, DoseStatus.LATE))
    ):
        taken[dose.patient_id][dose.scheduled_at.date()] += 1
    return {pid: proportion_of_days_covered(due[pid], taken[pid]) for pid in ids}


@dataclass
class DoseSlot:
    """One scheduled dose and what happened to it."""

    medication: HealthMedication
    scheduled_at: datetime
    status: str | None
    missed: bool


def schedule(patient_id: int, day: date | None = None) -> list[DoseSlot]:
    """The day's doses for all active medications, in time order."""
    day = day or clock.today()
    now = clock.now()
    start = datetime.combine(day, time(), tzinfo=UTC)
    recorded = doses_between(patient_id, start, start + timedelta(days=1))
    slots = []
    for med in medications_of(patient_id):
        for at in slots_on(med, day):
            dose = recorded.get((med.id, at))
            status = dose.status if dose else None
            slots.append(
                DoseSlot(med, at, status, missed=status is None and now > at + MISSED_AFTER)
            )
    return sorted(slots, key=lambda s: (s.scheduled_at, s.medication.name))


def missed_doses(patient_id: int, days: int = 7) -> int:
    """Doses in the last ``days`` days that were skipped or never recorded past 3 hours."""
    now = clock.now()
    start = now - timedelta(days=days)
    recorded = doses_between(patient_id, start, now)
    missed = 0
    for med in medications_of(patient_id):
        for at in slots_between(med, start, now - MISSED_AFTER):
            dose = recorded.get((med.id, at))
            if dose is None or dose.status == DoseStatus.SKIPPED:
                missed += 1
    return missed


def missed_doses_many(patient_ids: Iterable[int], days: int = 7) -> dict[int, int]:
    """:func:`missed_doses` for many patients in two queries (medications, doses): id -> count."""
    ids = vitals._unique_ids(patient_ids)
    if not ids:
        return {}
    now = clock.now()
    start = now - timedelta(days=days)
    # a skipped dose counts as missed, like one never recorded: only the others are read
    recorded = {
        (d.patient_id, d.medication_id, d.scheduled_at)
        for d in _dose_rows_many(ids, start, now, HealthDose.status != DoseStatus.SKIPPED)
    }
    missed = dict.fromkeys(ids, 0)
    for pid, meds in medications_of_many(ids).items():
        for med in meds:
            for at in slots_between(med, start, now - MISSED_AFTER):
                if (pid, med.id, at) not in recorded:
                    missed[pid] += 1
    return missed
