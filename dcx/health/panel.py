"""Visits and the clinician's panel: every patient's flags in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.health import care_team, medication, vitals
from dcx.health import goals as health_goals
from dcx.health.models import (
    HealthCareTeamMember,
    HealthGoalCheckIn,
    HealthVisit,
)
from dcx.health.rules import KEY
from dcx.platform import staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.staff_lists import ListRequest
from dcx.platform.timeline.services import record


def record_visit(
    clinician_id: int,
    patient_id: int,
    notes: str = "",
    next_visit_on: date | None = None,
) -> HealthVisit:
    """Record a consultation; goals, medications and modules agreed are attached by the caller."""
    visit = HealthVisit(
        patient_id=patient_id,
        clinician_id=clinician_id,
        notes=notes.strip(),
        next_visit_on=next_visit_on,
    )
    db.session.add(visit)
    db.session.flush()
    record(
        patient_id,
        KEY,
        "visit",
        _l("Visit with your care team"),
        visit.notes[:200],
        {"visit_id": visit.id},
        link("health.index"),
        key=f"health.visit:{visit.id}",
    )
    return visit


def visits_of(patient_id: int) -> list[HealthVisit]:
    """The patient's visits, newest first."""
    return rows_where(
        HealthVisit,
        HealthVisit.patient_id == patient_id,
        order_by=(HealthVisit.occurred_at.desc(),),
    )


@dataclass(frozen=True)
class PanelFlag:
    """A reading of the last week that needs attention: why, and when it was taken.

    ``reason`` is a lazy string and ``observed_at`` a datetime, so the panel writes both in the
    clinician's language ("Hypertensive crisis (3 mar)"), never in the server's.
    """

    reason: LazyString
    observed_at: datetime
    crisis: bool = False


@dataclass
class PanelRow:
    """One patient on the clinician's panel, with what needs attention and a need score."""

    patient: User
    flags: list[PanelFlag]
    missed: int
    adherence: float | None
    wrong_way: list[LazyString]
    last_bp: str
    need: int


def panel(clinician_id: int) -> list[PanelRow]:
    """The clinician's patients, most in need first.

    Scores: a crisis reading in the last 7 days 100, each other out-of-range reading 20, each
    missed dose 5, each goal going the wrong way 15, adherence under 80 % 10.

    Set-based: each kind of row (readings, goals, medicines, doses, exercise) is loaded for the
    whole panel at once by the ``*_many`` helpers, so the page costs the same ten or so queries
    for 2 patients or 2,000, and each row is what the per-patient helpers give that patient.
    """
    return rows_for(care_team.patients_of(clinician_id))


def panel_page(clinician_id: int, wanted: ListRequest) -> tuple[Pagination, list[PanelRow]]:
    """One page of the clinician's patients (by name, searchable by name or email), and the
    panel rows of just that page, most in need first: the page reads the same rows whether the
    clinician looks after twenty patients or two thousand."""
    stmt = (
        select(User)
        .join(HealthCareTeamMember, HealthCareTeamMember.patient_id == User.id)
        .where(HealthCareTeamMember.clinician_id == clinician_id)
        .order_by(User.name, User.id)
    )
    page = staff_lists.page_of(stmt, wanted, search=(User.name, User.email))
    return page, rows_for(list(page.items))


def rows_for(patients: list[User]) -> list[PanelRow]:
    """The panel rows of these patients, most in need first (see :func:`panel`)."""
    ids = [p.id for p in patients]
    week = vitals.recent_readings_many(ids, days=7)
    missed = medication.missed_doses_many(ids)
    pdc = medication.adherence_many(ids)
    goals = [
        g
        for by_patient in health_goals.goals_of_many(ids, ("proposed", "active")).values()
        for g in by_patient
    ]
    wrong: dict[int, list[LazyString]] = {pid: [] for pid in ids}
    for goal, wrong_way in zip(goals, health_goals.wrong_way_many(goals), strict=True):
        if wrong_way:
            wrong[goal.patient_id].append(health_goals.MEASURES[goal.measure].label)
    latest_bp = vitals.latest_by_kind_many(ids, ("bp",))
    rows = []
    for patient in patients:
        flags, need = [], 0
        for obs in week[patient.id]:
            reason = vitals.out_of_range(obs.kind, obs.value, obs.value2)
            if reason is not None:  # not ``if reason``: that would translate every flag here
                crisis = vitals.is_crisis(obs)
                flags.append(PanelFlag(reason, obs.observed_at, crisis))
                need += 100 if crisis else 20
        need += 5 * missed[patient.id] + 15 * len(wrong[patient.id])
        adherent = pdc[patient.id]
        if adherent is not None and adherent < medication.PDC_MARK:
            need += 10
        bp = latest_bp[patient.id].get("bp")
        last_bp = f"{int(bp.value)}/{int(bp.value2 or 0)}" if bp else ""
        rows.append(
            PanelRow(patient, flags, missed[patient.id], adherent, wrong[patient.id], last_bp, need)
        )
    return sorted(rows, key=lambda r: (-r.need, r.patient.name))


def check_ins_for(patient_id: int, limit: int = 20) -> list[HealthGoalCheckIn]:
    """The patient's latest goal check-ins (the care team reads them)."""
    return list(
        db.session.execute(
            select(HealthGoalCheckIn)
            .where(HealthGoalCheckIn.patient_id == patient_id)
            .order_by(HealthGoalCheckIn.id.desc())
            .limit(limit)
        ).scalars()
    )
