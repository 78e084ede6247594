"""What the patient is told when their clinician proposes a goal.

The message is written in the proposal's transaction (inbox and outbox together), in the
patient's language, once per goal. It names no measure or value: the details stay on the
goals page, behind the patient's sign-in, whatever channel carries the message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dcx.health.models import HealthGoal
from dcx.platform.links import link
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import in_locale, notify, recipient_locales

TOPIC = "health.goal_proposed"


def tell_patient_of_proposal(goal: HealthGoal) -> Message | None:
    """Ask the patient to read and agree to a goal proposed for them; None if already asked."""
    patient = goal.patient_id
    with in_locale(recipient_locales([patient])[patient]):
        title = str(_l("Your care team proposed a goal for you"))
        body = str(
            _l("Open your goals to read it and agree to it, or talk it over at your next visit.")
        )
    return notify(
        patient,
        TOPIC,
        title,
        body,
        link=link("health.goals", _anchor=f"goal-{goal.id}"),
        key=f"{TOPIC}:{goal.id}",
    )
