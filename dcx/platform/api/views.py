"""The API's own pages: the OpenAPI document and a readable reference page."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, render_template

from dcx.platform.api.openapi import build_document

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the routes and their schemas."""
    return jsonify(build_document())


@bp.route("/docs")
def docs():
    """A readable reference of every ingest route, rendered from the same document."""
    document = build_document()
    return render_template(
        "api/docs.html", document=document, dumps=lambda v: json.dumps(v, indent=2)
    )
