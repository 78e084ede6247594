"""Automotive: Your car reports its own health: diagnostics, service reminders, recalls, financing and bills in one place."""

from flask_babel import lazy_gettext as _l

from dcx.automotive import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="automotive",
    title=_l("Automotive"),
    icon="car-front",
    promise=_l(
        "Your car reports its own health: diagnostics, service reminders, recalls, financing and bills in one place."
    ),
    persona=_l("Alex, who owns two connected cars"),
    story=_l(
        "A new car sends its diagnostics to the maker through an API. Its owner follows them on a dashboard with service reminders and recall notices, and manages the car loan and bill payments in the same place. The brand becomes the trusted expert in caring for the car."
    ),
    blueprint=views.bp,
)
