"""Open311 GeoReport v2 at /open311/v2/: city reports for the apps and dashboards that speak it.

The standard's service requests are the city's repair reports: a service is a repair category,
a request is a :class:`GovernmentRepair`, and its status is "open" while the repair is in one
of :data:`repairs.OPEN_STATUSES`, "closed" after; ``status_notes`` names the step it is at, so a
client follows the repair as staff move it. A POST files a report as a citizen's report would,
at the street nearest the given point; it needs one of the ``OPEN311_API_KEYS``.

The city's map is a plane in metres (x east, y south of its north-west corner); the corner
lies at ``OPEN311_ORIGIN`` on Earth, and points are converted with the local scale of a degree,
which is exact enough for a city.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

# ElementTree only writes XML here, it never parses any (the reason bandit warns about it).
from xml.etree import ElementTree  # nosec B405

from flask import Response, current_app, jsonify
from flask_babel import gettext
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import districts, repairs
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import REPAIR_CATEGORIES, GovernmentRepair, GovernmentStreet
from dcx.platform import clock
from dcx.platform.links import base_url

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
METRES_PER_DEGREE = 111_320.0
LIMIT = 1000  # the standard's suggested most requests per answer
WINDOW = timedelta(days=90)  # the standard's default (and widest) date range of a search
FORMAT = "<any(json, xml):fmt>"  # XML is the standard's default format, JSON its alternative
# The element of each list's items in the standard's XML (a list of requests is
# <service_requests><request>...; of formats, <formats><format>...).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}


class Open311Error(Exception):
    """A request the standard answers with an error list: ``[{"code": ..., "description": ...}]``."""

    def __init__(self, status: int, description: str):
        """``status`` is the HTTP status and the error's code."""
        super().__init__(description)
        self.status = status
        self.description = description


def jurisdiction_id() -> str:
    """The city's jurisdiction_id: ``OPEN311_JURISDICTION_ID``, else the base URL's host name
    (the standard suggests the city's domain)."""
    return current_app.config.get("OPEN311_JURISDICTION_ID") or urlsplit(base_url()).hostname or ""


def check_jurisdiction(value: str | None) -> None:
    """A request may name the jurisdiction it means (the standard's ``jurisdiction_id``): none,
    or this city's (case aside, as domain names are), answers; another one is not served here."""
    if value and value.strip().lower() != jurisdiction_id().lower():
        raise Open311Error(404, "jurisdiction_id not found")


# --- places -------------------------------------------------------------------------------


def _origin() -> tuple[float, float]:
    lat, lon = (float(p) for p in current_app.config["OPEN311_ORIGIN"].split(","))
    return lat, lon


def to_lat_long(x: float, y: float) -> tuple[float, float]:
    """A point of the city's map as (latitude, longitude)."""
    lat0, lon0 = _origin()
    lat = lat0 - y / METRES_PER_DEGREE
    lon = lon0 + x / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    return round(lat, 6), round(lon, 6)


def to_map(lat: float, lon: float) -> tuple[float, float]:
    """(latitude, longitude) as a point of the city's map; Open311Error outside the city."""
    lat0, lon0 = _origin()
    x = (lon - lon0) * METRES_PER_DEGREE * math.cos(math.radians(lat0))
    y = (lat0 - lat) * METRES_PER_DEGREE
    if not (0 <= x <= districts.CITY_WIDTH and 0 <= y <= districts.CITY_HEIGHT):
        raise Open311Error(400, "lat/long is outside the city")
    return x, y


def _distance(street: GovernmentStreet, x: float, y: float) -> float:
    dx, dy = street.x2 - street.x1, street.y2 - street.y1
    length = dx * dx + dy * dy
    t = (
        0.0
        if not length
        else max(0.0, min(1.0, ((x - street.x1) * dx + (y - street.y1) * dy) / length))
    )
    return math.hypot(street.x1 + t * dx - x, street.y1 + t * dy - y)


def nearest_street(x: float, y: float) -> GovernmentStreet:
    """The street closest to a point of the map."""
    streets = list(db.session.execute(select(GovernmentStreet)).scalars())
    if not streets:
        raise Open311Error(400, "the city has no streets to report on")
    return min(streets, key=lambda street: _distance(street, x, y))


# --- the standard's shapes ----------------------------------------------------------------


def service(code: str) -> dict[str, Any]:
    """One service of the list: a repair category."""
    return {
        "service_code": code,
        "service_name": str(CATEGORY_LABELS[code]),
        "description": str(CATEGORY_LABELS[code]),
        "metadata": False,
        "type": "realtime",
        "keywords": "repair",
        "group": "streets",
    }


def _time(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() if value else None


def service_request(repair: GovernmentRepair) -> dict[str, Any]:
    """One repair as a GeoReport v2 service request."""
    lat, lon = to_lat_long(repair.x, repair.y)
    last = max((e.at for e in repair.events), default=repair.created_at)
    return {
        "service_request_id": str(repair.id),
        "status": "open" if repair.status in repairs.OPEN_STATUSES else "closed",
        "status_notes": str(repairs.STATUS_LABELS.get(repair.status, repair.status)),
        "service_name": str(CATEGORY_LABELS.get(repair.category, repair.category)),
        "service_code": repair.category,
        "description": repair.description,
        "agency_responsible": gettext("City of DCX"),
        "service_notice": "",
        "requested_datetime": _time(repair.created_at),
        "updated_datetime": _time(last),
        "expected_datetime": None,
        "address": repair.location,
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": "",
    }


def parse_w3c_datetime(name: str, value: str) -> datetime:
    """A W3C datetime (``2026-11-01T00:00:00Z``, ``...+01:00`` or a date) as UTC.

    A value without an offset is read as UTC; anything else is an Open311Error (400).
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def search_window(start: str = "", end: str = "") -> tuple[datetime, datetime]:
    """The [start, end] range of requested_datetime a search covers: the standard's 90 days.

    With neither date, the last 90 days; with one, the 90 days after or before it; a range
    that ends before it starts or spans more than 90 days is an Open311Error (400).
    """
    start_at = parse_w3c_datetime("start_date", start) if start else None
    end_at = parse_w3c_datetime("end_date", end) if end else None
    if start_at is None:
        until = end_at or clock.now()
        return until - WINDOW, until
    if end_at is None:
        return start_at, start_at + WINDOW
    if end_at < start_at:
        raise Open311Error(400, "end_date is before start_date")
    if end_at - start_at > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start_at, end_at


def find_requests(
    ids: Iterable[int] = (),
    service_code: str = "",
    status: str = "",
    window: tuple[datetime, datetime] | None = None,
) -> list[GovernmentRepair]:
    """Repairs as the GET filters ask: by ids (which override every other filter), else by
    service code, open/closed status and the window of requested_datetime; at most LIMIT."""
    stmt = select(GovernmentRepair).order_by(GovernmentRepair.id.desc())
    wanted = list(ids)
    if wanted:
        stmt = stmt.where(GovernmentRepair.id.in_(wanted[:LIMIT]))
        return list(db.session.execute(stmt.limit(LIMIT)).scalars())
    if window is not None:
        stmt = stmt.where(GovernmentRepair.created_at.between(*window))
    if service_code:
        stmt = stmt.where(GovernmentRepair.category.in_(service_code.split(",")))
    if status == "open":
        stmt = stmt.where(GovernmentRepair.status.in_(repairs.OPEN_STATUSES))
    elif status == "closed":
        stmt = stmt.where(GovernmentRepair.status.not_in(repairs.OPEN_STATUSES))
    return list(db.session.execute(stmt.limit(LIMIT)).scalars())


def file_request(fields: dict[str, str]) -> GovernmentRepair:
    """File a report from a POST's fields (service_code, lat, long, description)."""
    code = fields.get("service_code", "")
    if code not in REPAIR_CATEGORIES:
        raise Open311Error(404, "service_code not found")
    try:
        lat, lon = float(fields.get("lat", "")), float(fields.get("long", ""))
    except ValueError:
        raise Open311Error(400, "lat and long are required numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise Open311Error(400, "lat and long are required numbers")
    x, y = to_map(lat, lon)
    description = fields.get("description", "").strip()[:4000]
    if not description:
        raise Open311Error(400, "description is required")
    street = nearest_street(x, y)
    return repairs.new_reported_repair(
        category=code, location=street.name[:160], description=description, x=x, y=y
    )


# --- the formats -------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _xml_fill(ElementTree.SubElement(element, name), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ElementTree.SubElement(element, XML_ITEMS[element.tag]), item)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, value: Any) -> bytes:
    """The standard's XML for a JSON-shaped value: lists become repeated elements
    (``service_requests`` of ``request``), ``None`` an empty element, booleans true/false."""
    element = ElementTree.Element(root)
    _xml_fill(element, value)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def answer(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """``value`` as JSON, or as XML under ``root``: the same answer in either format."""
    if fmt == "xml":
        return Response(to_xml(root, value), status=status, mimetype="text/xml")
    response = jsonify(value)
    response.status_code = status
    return response
