"""Learning: modules assigned and read, quizzes answered, and what to read next."""

from __future__ import annotations

import math
from collections.abc import Sequence

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.health import goals, medication, vitals
from dcx.health.learning import MODULES, Module
from dcx.health.models import (
    HealthModuleProgress,
)
from dcx.health.rules import KEY, HealthError
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record


def progress_of(patient_id: int) -> dict[str, HealthModuleProgress]:
    """The patient's progress rows by module slug."""
    rows = db.session.execute(
        select(HealthModuleProgress).where(HealthModuleProgress.patient_id == patient_id)
    ).scalars()
    return {p.module: p for p in rows}


def _progress_row(patient_id: int, slug: str) -> HealthModuleProgress:
    row = progress_of(patient_id).get(slug)
    if row is None:
        row = HealthModuleProgress(patient_id=patient_id, module=slug, pages_seen=0)
        db.session.add(row)
        db.session.flush()
    return row


def module_or_404(slug: str) -> Module:
    """The bundled module with this slug, or 404."""
    module = MODULES.get(slug)
    if module is None:
        abort(404)
    return module


def assign_module(patient_id: int, slug: str, clinician_id: int | None) -> HealthModuleProgress:
    """Assign a module to the patient (keeps any progress already made)."""
    if slug not in MODULES:
        raise HealthError(_l("Unknown module."))
    row = _progress_row(patient_id, slug)
    row.assigned_by = clinician_id
    db.session.flush()
    return row


def see_page(patient_id: int, slug: str, page: int) -> HealthModuleProgress:
    """Note that the patient has read up to ``page`` (1-based)."""
    row = _progress_row(patient_id, slug)
    row.pages_seen = max(row.pages_seen or 0, min(page, len(MODULES[slug].pages)))
    db.session.flush()
    return row


def submit_quiz(patient_id: int, slug: str, answers: Sequence[int | None]) -> tuple[int, bool]:
    """Score the quiz; passing (two thirds right) completes the module. Returns (score, passed)."""
    module = MODULES[slug]
    score = sum(
        1 for q, a in zip(module.quiz, answers, strict=False) if a is not None and a == q.answer
    )
    passed = score >= math.ceil(len(module.quiz) * 2 / 3)
    row = _progress_row(patient_id, slug)
    row.score = max(row.score or 0, score)
    row.pages_seen = len(module.pages)
    if passed and row.completed_at is None:
        row.completed_at = clock.now()
        record(
            patient_id,
            KEY,
            "module_completed",
            _l("Completed: %(t)s", t=module.title),
            _l("%(s)s of %(n)s right", s=score, n=len(module.quiz)),
            {"module": slug},
            link("health.module", slug=slug),
            key=f"health.module:{slug}",
        )
    db.session.flush()
    return score, passed


def suggested_modules(patient_id: int) -> list[str]:
    """Modules that fit the patient's goals and recent readings, not yet completed."""
    wanted: set[str] = {g.measure for g in goals.goals_of(patient_id, ("proposed", "active"))}
    latest = vitals.latest_by_kind(patient_id)
    bp = latest.get("bp")
    if bp and vitals.classify_blood_pressure(bp.value, bp.value2 or 0) != "normal":
        wanted.update({"systolic", "diastolic"})
    glucose = latest.get("glucose")
    if glucose and vitals.out_of_range("glucose", glucose.value):
        wanted.add("glucose")
    pdc = medication.adherence(patient_id)
    if pdc is not None and pdc < medication.PDC_MARK:
        wanted.add("adherence")
    done = {slug for slug, p in progress_of(patient_id).items() if p.completed_at}
    return [
        slug for slug, m in MODULES.items() if slug not in done and wanted.intersection(m.measures)
    ]
