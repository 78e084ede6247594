"""The city staff's traffic dashboard: congestion by segment, the live feed and sensors' health."""

from __future__ import annotations

from flask import jsonify, make_response, render_template
from flask_babel import gettext as _

from dcx.extensions import db
from dcx.government import (
    crews,
    sensors,
)
from dcx.government.models import (
    GovernmentCrew,
    GovernmentSensor,
)
from dcx.government.views.base import _congestion_context, _department, _map_context, staff_bp
from dcx.platform import charts, clock


@staff_bp.route("")
def home():
    """The traffic dashboard: live counts, congestion, incidents, crews on the map."""
    now = clock.now()
    labels, series = sensors.traffic_series(now)
    tti_labels, tti_series = sensors.index_series(now)
    department = _department()
    traffic_chart = charts.line_chart(_("Vehicles per hour"), labels, series)
    index_chart = charts.line_chart(
        _("Travel-time index"),
        tti_labels,
        tti_series,
        guides={_("Congested"): 1.3, _("Severe"): 1.5},
    )
    return render_template(
        "government/staff.html",
        department=department,
        traffic_chart=traffic_chart,
        index_chart=index_chart,
        **{**_map_context(), **_congestion_context(department)},
    )


@staff_bp.route("/live.json")
def live():
    """What the dashboard's polling script redraws: sensors, segments, crews, congestion."""
    now = clock.now()
    congestion = _congestion_context(_department())
    return jsonify(
        at=now.isoformat(),
        sensors=sensors.sensor_overview(now),
        segments=sensors.segment_overview(),
        crews=crews.crew_overview(),
        congestion_key=congestion["congestion_key"],
        congestion_html=render_template("government/_congestion.html", **congestion),
    )


@staff_bp.post("/<any(sensor, crew):kind>/<int:ident>/token")
def issue_token(kind: str, ident: int):
    """Issue a new device token for a sensor or a crew; it is shown once, in this answer only.

    The token is never put in the session: a flash message would carry it in the session
    cookie, which is signed but not encrypted (readable by anyone who sees the cookie, and
    kept by the browser). The page is answered directly and marked not to be stored.
    """
    if kind == "sensor":
        sensor = db.get_or_404(GovernmentSensor, ident)
        token, name = sensors.issue_sensor_token(sensor), sensor.code
    else:
        crew = db.get_or_404(GovernmentCrew, ident)
        token, name = crews.issue_crew_token(crew), crew.code
    db.session.commit()
    response = make_response(_devices_page(issued={"name": name, "token": token}))
    response.headers["Cache-Control"] = "no-store"
    return response


def _devices_page(issued: dict[str, str] | None = None) -> str:
    return render_template(
        "government/devices.html",
        sensors=sensors.sensor_overview(clock.now()),
        crews=crews.crew_overview(),
        issued=issued,
    )


@staff_bp.route("/devices")
def devices():
    """Sensors and crews with their status; issue device tokens here."""
    return _devices_page()
