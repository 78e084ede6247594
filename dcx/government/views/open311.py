"""Open311 GeoReport v2's endpoints at /open311/v2/, in XML (the standard's default) and JSON.

The rules, the standard's shapes and its XML are in :mod:`dcx.government.open311`.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from dcx.extensions import db
from dcx.government.models import REPAIR_CATEGORIES, GovernmentRepair
from dcx.government.open311 import (
    FORMAT,
    SPECIFICATION,
    Open311Error,
    answer,
    check_jurisdiction,
    file_request,
    find_requests,
    jurisdiction_id,
    search_window,
    service,
    service_request,
)
from dcx.platform.inputs import JSONBodyError, json_object
from dcx.platform.links import base_url
from dcx.platform.notify.services import in_locale, site_language

bp = Blueprint("open311", __name__)

# --- the endpoints ------------------------------------------------------------------------


def _format() -> str:
    return (request.view_args or {}).get("fmt", "json")


def _errors(status: int, description: str, fmt: str = "json") -> Response:
    return answer(fmt, "errors", [{"code": status, "description": description}], status)


def _key_is_valid(key: str) -> bool:
    keys = [k.strip() for k in current_app.config.get("OPEN311_API_KEYS", "").split(",")]
    return any(k and hmac.compare_digest(k.encode(), key.encode()) for k in keys)


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error):
    return _errors(error.status, error.description, _format())


def _fields() -> dict[str, str]:
    """A POST's fields, sent as a form (the standard's way) or as one JSON object."""
    if not request.is_json:
        return dict(request.form.items())
    try:
        body = json_object()
    except JSONBodyError as error:
        raise Open311Error(400, str(error)) from None
    return {key: str(value) for key, value in body.items()}


@bp.before_request
def _jurisdiction() -> None:
    """Every endpoint takes the standard's optional ``jurisdiction_id``; another city's is 404."""
    sent = request.args.get("jurisdiction_id")
    if sent is None and request.method == "POST":
        sent = _fields().get("jurisdiction_id")
    check_jurisdiction(sent)


@bp.route(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    """Where this endpoint is and what it speaks (the standard's service discovery)."""
    return answer(
        fmt,
        "discovery",
        {
            "changeset": "2026-12-06T00:00:00Z",
            "jurisdiction_id": jurisdiction_id(),
            "contact": base_url() + "/government/status",
            "key_service": "OPEN311_API_KEYS, from the city",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base_url() + "/open311/v2",
                    "changeset": "2026-12-06T00:00:00Z",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@bp.route(f"/services.{FORMAT}")
def services(fmt: str):
    """Every service: the city's repair categories, in the city's language."""
    with in_locale(site_language()):
        return answer(fmt, "services", [service(code) for code in REPAIR_CATEGORIES])


@bp.route(f"/services/<code>.{FORMAT}")
def service_definition(code: str, fmt: str):
    """A service's definition: no extra attributes are asked for any category."""
    if code not in REPAIR_CATEGORIES:
        return _errors(404, "service_code not found", fmt)
    return answer(fmt, "service_definition", {"service_code": code, "attributes": []})


@bp.route(f"/requests.{FORMAT}", methods=["GET", "POST"])
def requests_list(fmt: str):
    """GET: the requests (filters service_request_id, service_code, start_date, end_date,
    status; the last 90 days by default). POST: file one."""
    if request.method == "POST":
        fields = _fields()
        if not _key_is_valid(fields.get("api_key", "")):
            return _errors(403, "api_key is missing or not valid", fmt)
        repair = file_request(fields)
        db.session.commit()
        created = [{"service_request_id": str(repair.id), "service_notice": ""}]
        return answer(fmt, "service_requests", created, 201)
    raw_ids = request.args.get("service_request_id", "")
    try:
        ids = [int(i) for i in raw_ids.split(",") if i.strip()]
    except ValueError:
        return _errors(400, "service_request_id must be numbers", fmt)
    status = request.args.get("status", "")
    if status not in ("", "open", "closed"):
        return _errors(400, "status is open or closed", fmt)
    window = search_window(request.args.get("start_date", ""), request.args.get("end_date", ""))
    found = find_requests(ids, request.args.get("service_code", ""), status, window)
    with in_locale(site_language()):
        return answer(fmt, "service_requests", [service_request(r) for r in found])


@bp.route(f"/requests/<int:request_id>.{FORMAT}")
def request_detail(request_id: int, fmt: str):
    """One request, as a list of one (the standard's shape)."""
    repair = db.session.get(GovernmentRepair, request_id)
    if repair is None:
        return _errors(404, "service_request_id not found", fmt)
    with in_locale(site_language()):
        return answer(fmt, "service_requests", [service_request(repair)])
