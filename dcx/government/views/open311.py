"""Open311 GeoReport v2's endpoints at /open311/v2/ (the rules are in :mod:`dcx.government.open311`)."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from dcx.extensions import db
from dcx.government.models import REPAIR_CATEGORIES, GovernmentRepair
from dcx.government.open311 import (
    SPECIFICATION,
    Open311Error,
    file_request,
    find_requests,
    service,
    service_request,
)
from dcx.platform.links import base_url
from dcx.platform.notify.services import in_locale, site_language

bp = Blueprint("open311", __name__)


def _errors(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


def _key_is_valid(key: str) -> bool:
    keys = [k.strip() for k in current_app.config.get("OPEN311_API_KEYS", "").split(",")]
    return any(k and hmac.compare_digest(k.encode(), key.encode()) for k in keys)


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error):
    return _errors(error.status, error.description)


@bp.route("/discovery.json")
def discovery():
    """Where this endpoint is and what it speaks (the standard's service discovery)."""
    return jsonify(
        {
            "changeset": "2026-12-06T00:00:00Z",
            "contact": base_url() + "/government/status",
            "key_service": "OPEN311_API_KEYS, from the city",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base_url() + "/open311/v2",
                    "changeset": "2026-12-06T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@bp.route("/services.json")
def services():
    """Every service: the city's repair categories, in the city's language."""
    with in_locale(site_language()):
        return jsonify([service(code) for code in REPAIR_CATEGORIES])


@bp.route("/services/<code>.json")
def service_definition(code: str):
    """A service's definition: no extra attributes are asked for any category."""
    if code not in REPAIR_CATEGORIES:
        return _errors(404, "service_code not found")
    return jsonify({"service_code": code, "attributes": []})


@bp.route("/requests.json", methods=["GET", "POST"])
def requests_list():
    """GET: the requests (filters service_request_id, service_code, status). POST: file one."""
    if request.method == "POST":
        fields = {k: str(v) for k, v in (request.get_json(silent=True) or request.form).items()}
        if not _key_is_valid(fields.get("api_key", "")):
            return _errors(403, "api_key is missing or not valid")
        repair = file_request(fields)
        db.session.commit()
        return jsonify([{"service_request_id": str(repair.id), "service_notice": ""}]), 201
    raw_ids = request.args.get("service_request_id", "")
    try:
        ids = [int(i) for i in raw_ids.split(",") if i.strip()]
    except ValueError:
        return _errors(400, "service_request_id must be numbers")
    status = request.args.get("status", "")
    if status not in ("", "open", "closed"):
        return _errors(400, "status is open or closed")
    found = find_requests(ids, request.args.get("service_code", ""), status)
    with in_locale(site_language()):
        return jsonify([service_request(r) for r in found])


@bp.route("/requests/<int:request_id>.json")
def request_detail(request_id: int):
    """One request, as a list of one (the standard's shape)."""
    repair = db.session.get(GovernmentRepair, request_id)
    if repair is None:
        return _errors(404, "service_request_id not found")
    with in_locale(site_language()):
        return jsonify([service_request(repair)])
