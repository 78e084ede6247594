"""Recalls: which cars a recall affects, the owners told once, booking the remedy, coverage for staff."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from dcx.automotive.models import (
    AutomotiveRecall,
    AutomotiveRecallCoverage,
    AutomotiveVehicle,
    CoverageStatus,
)
from dcx.automotive.rules import KEY
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales
from dcx.platform.timeline.services import record

# What a maker's recall campaign says, as the staff form and the showcase's data give it.
RECALL_FIELDS = (
    "campaign_number",
    "make",
    "model",
    "year_from",
    "year_to",
    "component",
    "summary",
    "consequence",
    "remedy",
)


def publish_recall(**fields: Any) -> AutomotiveRecall:
    """Publish (or find, by campaign number) a maker's recall and notify affected owners."""
    recall = db.session.execute(
        select(AutomotiveRecall).where(
            AutomotiveRecall.campaign_number == fields["campaign_number"]
        )
    ).scalar_one_or_none()
    if recall is None:
        recall = AutomotiveRecall(**fields)
        db.session.add(recall)
        db.session.flush()
    match_recalls()
    return recall


def match_recalls() -> int:
    """Cover every vehicle a recall affects and notify its owner; returns new notices.

    Set-based and idempotent: the coverage rows are inserted from a select that skips
    vehicles already covered, and the notice key is per (recall, vehicle).
    """
    missing = (
        select(
            AutomotiveRecall.id,
            AutomotiveVehicle.id,
            AutomotiveVehicle.user_id,
            AutomotiveRecall.campaign_number,
            AutomotiveRecall.component,
            AutomotiveRecall.do_not_drive,
            AutomotiveVehicle.make,
            AutomotiveVehicle.model,
        )
        .join(
            AutomotiveVehicle,
            and_(
                func.lower(AutomotiveVehicle.make) == func.lower(AutomotiveRecall.make),
                func.lower(AutomotiveVehicle.model) == func.lower(AutomotiveRecall.model),
                AutomotiveVehicle.year.between(
                    AutomotiveRecall.year_from, AutomotiveRecall.year_to
                ),
            ),
        )
        .outerjoin(
            AutomotiveRecallCoverage,
            and_(
                AutomotiveRecallCoverage.recall_id == AutomotiveRecall.id,
                AutomotiveRecallCoverage.vehicle_id == AutomotiveVehicle.id,
            ),
        )
        .where(AutomotiveRecallCoverage.id.is_(None))
    )
    rows = db.session.execute(missing).all()
    if not rows:
        return 0
    now = clock.now()
    db.session.execute(
        insert_ignoring_duplicates(AutomotiveRecallCoverage),
        [
            {
                "recall_id": r[0],
                "vehicle_id": r[1],
                "status": CoverageStatus.NOTIFIED.value,
                "notified_at": now,
            }
            for r in rows
        ],
    )
    recalls_link = link("automotive.recalls")
    locales = recipient_locales(row[2] for row in rows)
    notices = []
    for recall_id, vehicle_id, user_id, number, component, stop, make, model in rows:
        with in_locale(locales[user_id]):
            title = str(
                _l(
                    "Recall %(number)s affects your %(car)s",
                    number=number,
                    car=f"{make} {model}",
                )
            )
            body = str(
                _l(
                    "Do not drive the car until it is repaired: %(component)s.",
                    component=component,
                )
                if stop
                else _l(
                    "Component: %(component)s. The repair is free; book a visit.",
                    component=component,
                )
            )
        notices.append(
            {
                "user_id": user_id,
                "title": title,
                "body": body,
                "link": recalls_link,
                "key": f"automotive.recall:{recall_id}:{vehicle_id}",
            }
        )
    notify_bulk("automotive.recall", notices)
    for recall_id, _vehicle_id, user_id, number, component, _stop, make, model in rows:
        record(
            user_id,
            KEY,
            "recall_notice",
            _l("Recall %(number)s for your %(car)s", number=number, car=f"{make} {model}"),
            summary=component,
            link=recalls_link,
            key=f"automotive.recall:{recall_id}:{_vehicle_id}",
        )
    return len(rows)


def recalls_of(
    user_id: int,
) -> list[tuple[AutomotiveRecallCoverage, AutomotiveRecall, AutomotiveVehicle]]:
    """Every recall covering the customer's vehicles, open ones first."""
    return list(
        db.session.execute(
            select(AutomotiveRecallCoverage, AutomotiveRecall, AutomotiveVehicle)
            .join(AutomotiveRecall, AutomotiveRecall.id == AutomotiveRecallCoverage.recall_id)
            .join(AutomotiveVehicle, AutomotiveVehicle.id == AutomotiveRecallCoverage.vehicle_id)
            .where(AutomotiveVehicle.user_id == user_id)
            .order_by(
                AutomotiveRecallCoverage.status == CoverageStatus.REMEDIED,
                AutomotiveRecall.published_at.desc(),
            )
        ).all()
    )


def coverage_of(vehicle_id: int, recall_id: int) -> AutomotiveRecallCoverage | None:
    """The recall's coverage of this vehicle, or None if the recall does not cover it."""
    return db.session.execute(
        select(AutomotiveRecallCoverage).where(
            AutomotiveRecallCoverage.recall_id == recall_id,
            AutomotiveRecallCoverage.vehicle_id == vehicle_id,
        )
    ).scalar_one_or_none()


def mark_remedied(coverage: AutomotiveRecallCoverage) -> None:
    """The dealer did the recall repair on this vehicle."""
    coverage.status = CoverageStatus.REMEDIED
    coverage.remedied_at = clock.now()
    db.session.flush()


def recall_coverage_summary() -> list[dict[str, Any]]:
    """Per campaign: how many vehicles are at each step, notified (waiting to book), booked
    and remedied, and how many were told at all (``told``, the three together): one query,
    one row per campaign."""
    status = AutomotiveRecallCoverage.status

    def counted(step: CoverageStatus):
        return func.coalesce(func.sum(case((status == step, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            AutomotiveRecall,
            counted(CoverageStatus.NOTIFIED),
            counted(CoverageStatus.BOOKED),
            counted(CoverageStatus.REMEDIED),
        )
        .outerjoin(
            AutomotiveRecallCoverage, AutomotiveRecallCoverage.recall_id == AutomotiveRecall.id
        )
        .group_by(AutomotiveRecall.id)
        .order_by(AutomotiveRecall.published_at.desc())
    ).all()
    return [
        {
            "recall": recall,
            "notified": int(notified),
            "booked": int(booked),
            "remedied": int(remedied),
            "told": int(notified) + int(booked) + int(remedied),
        }
        for recall, notified, booked, remedied in rows
    ]
