"""Helpers for the JSON ingest API under /api/v1: device tokens, bodies validated by schema.

Every route declared with :func:`ingest_route` records its JSON Schema in one registry, from
which the OpenAPI document is generated, so the validation and the documentation cannot drift.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Create the registry of API routes that verticals fill in."""
    app.extensions.setdefault("dcx_api_routes", [])
