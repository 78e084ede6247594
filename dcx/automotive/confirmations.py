"""What the owner is told when a service visit is booked: a confirmation in their inbox.

Written in the booking's transaction (inbox and outbox together), in the owner's language,
once per appointment.
"""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from dcx.automotive.models import AutomotiveAppointment, AutomotiveVehicle
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import in_locale, notify, recipient_locales

TOPIC = "automotive.booking"


def confirm_booking(
    appointment: AutomotiveAppointment, vehicle: AutomotiveVehicle, link: str, slot_format: str
) -> Message | None:
    """Tell the owner their visit is booked: the car, the dealer, the slot (UTC) and why.

    ``link`` is the car's page; ``slot_format`` the way slots are written (the booking page's).
    None when this appointment was already confirmed.
    """
    owner = appointment.user_id
    with in_locale(recipient_locales([owner])[owner]):
        title = str(_l("Service booked for %(name)s", name=vehicle.name))
        body = str(
            _l(
                "%(dealer)s expects you on %(when)s UTC. Reason: %(reason)s. "
                "The visit is in your calendar.",
                dealer=appointment.dealer,
                when=format_datetime(appointment.starts_at, slot_format, rebase=False),
                reason=appointment.reason,
            )
        )
    return notify(owner, TOPIC, title, body, link=link, key=f"{TOPIC}:{appointment.id}")
