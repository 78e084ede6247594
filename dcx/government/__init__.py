"""Government: Street sensors spot congestion, departments act together, and repairs are published the moment they are done."""

from flask_babel import lazy_gettext as _l

from dcx.government import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="government",
    title=_l("Government"),
    icon="buildings",
    promise=_l(
        "Street sensors spot congestion, departments act together, and repairs are published the moment they are done."
    ),
    persona=_l("Jordan, a city traffic officer"),
    story=_l(
        "Bluetooth sensors on the streets count vehicles and pedestrians. A city employee watches the traffic and shares congestion with the other departments. When the cause is something broken, like a streetlight, the repair is scheduled in an online planner and the crew is followed on the map. When it is fixed, the public hears about it at once. The city comes across as modern and efficient."
    ),
    blueprint=views.bp,
)
