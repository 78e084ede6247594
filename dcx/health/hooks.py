"""What health offers the platform: the customer's calendar entries and the customer card, with
health data shown only to the care team or with the patient's consent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import select

from dcx.extensions import db
from dcx.health import goals, medication, panel
from dcx.health.models import (
    HealthCareTeamMember,
    HealthObservation,
)
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.links import link


def calendar(user_id: int) -> list[Any]:
    """Next visits and medication reviews for the customer's calendar feed.

    Titles are written now, in the current locale: the platform builds the feed (or the
    calendar page) right after asking, for the person it is meant for.
    """
    from dcx.verticals import CalendarEntry

    entries = []
    today = clock.today()
    for visit in panel.visits_of(user_id):
        if visit.next_visit_on and visit.next_visit_on >= today:
            start = datetime.combine(visit.next_visit_on, time(9), tzinfo=UTC)
            entries.append(
                CalendarEntry(
                    uid=f"health-visit-{visit.id}@dcx",
                    title=gettext("Follow-up visit"),
                    starts_at=start,
                    ends_at=start + timedelta(minutes=30),
                )
            )
    for med in medication.medications_of(user_id):
        if med.review_on and med.review_on >= today:
            start = datetime.combine(med.review_on, time(9), tzinfo=UTC)
            entries.append(
                CalendarEntry(
                    uid=f"health-medreview-{med.id}@dcx",
                    title=gettext("Medication review: %(n)s", n=med.name),
                    starts_at=start,
                    ends_at=start + timedelta(minutes=15),
                )
            )
    return entries


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The customer-360 card: counts only, and nothing at all without the patient's consent.

    Written now, in the language of the staff member looking at it, with plural forms.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return None
    has_record = (
        db.session.execute(
            select(HealthCareTeamMember.id).where(HealthCareTeamMember.patient_id == user_id)
        ).first()
        or db.session.execute(
            select(HealthObservation.id).where(HealthObservation.patient_id == user_id)
        ).first()
    )
    if not has_record:
        return None
    record_link = link("health.staff.staff_patient", patient_id=user_id)
    if not user.health_consent:
        return {
            "title": gettext("Health"),
            "lines": [gettext("Private: the patient has not agreed to share health details.")],
            "link": record_link,
        }
    active = len(goals.goals_of(user_id, ("active",)))
    achieved = len(goals.goals_of(user_id, ("achieved",)))
    pdc = medication.adherence(user_id)
    lines = [
        ngettext(
            "%(num)d active goal, %(achieved)d achieved",
            "%(num)d active goals, %(achieved)d achieved",
            active,
            achieved=achieved,
        )
    ]
    if pdc is not None:
        lines.append(gettext("Medication adherence %(p)s%%", p=round(pdc * 100)))
    return {"title": gettext("Health"), "lines": lines, "link": record_link}
