"""Helpers for the JSON ingest API under /api/v1: device tokens, bodies validated by schema.

Every route declared with :func:`ingest_route` records its JSON Schema in one registry, from
which the OpenAPI document is generated, so the validation and the documentation cannot drift.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Mount the OpenAPI document and the API reference page."""
    from dcx.platform.api.views import bp

    app.register_blueprint(bp)
