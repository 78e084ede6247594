"""The OpenAPI 3.1 document of the ingest API, generated from the declared routes.

The same JSON Schemas that :func:`dcx.platform.api.services.ingest_route` validates bodies
against are placed in the document, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from dcx.platform import brand
from dcx.platform.api.services import documented_routes

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _path_and_parameters(url_rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = [
        {
            "name": m.group("name"),
            "in": "path",
            "required": True,
            "schema": _TYPES.get(m.group("conv") or "", {"type": "string"}),
        }
        for m in _CONVERTER.finditer(url_rule)
    ]
    return _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", url_rule), params


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _method_not_allowed(allowed: str) -> dict[str, Any]:
    # OpenAPI has no responses per path, only per operation: each operation of the path states
    # what any other method (GET on an ingest path, PUT, DELETE ...) gets, with RFC 9110's Allow.
    return {
        "description": f"Another method than {allowed} was used on this path",
        "headers": {
            "Allow": {
                "description": "The methods this path answers",
                "schema": {"type": "string", "example": allowed},
            }
        },
    }


def build_document() -> dict[str, Any]:
    """Build the OpenAPI document for every ingest route this app mounts."""
    rules = {r.endpoint: r.rule for r in current_app.url_map.iter_rules()}
    paths: dict[str, dict[str, Any]] = {}
    for route in documented_routes():
        full_rule = rules.get(route.endpoint)
        if full_rule is None:
            continue
        path, parameters = _path_and_parameters(full_rule)
        operation: dict[str, Any] = {
            "operationId": route.endpoint.replace(".", "_"),
            "summary": route.summary,
            "tags": [route.blueprint.removesuffix("_api")],
            "responses": {
                str(route.success_status): {
                    "description": "Stored" if route.success_status == 201 else "Accepted",
                    "content": {
                        "application/json": {
                            "schema": dict(route.response_schema or {"type": "object"})
                        }
                    },
                },
                "400": _error("The body is not valid JSON or does not match the schema"),
                "404": _error("No such object"),
                "413": _error("The body is too large"),
                "415": _error("The body is not JSON"),
                "429": {
                    **_error("Too many requests from this caller (API_RATE_LIMIT)"),
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait before the next request",
                            "schema": {"type": "integer", "minimum": 0},
                        }
                    },
                },
            },
        }
        if route.conflict:
            operation["responses"]["409"] = _error(route.conflict)
        if parameters:
            operation["parameters"] = parameters
        if route.security == "bearer":
            operation["security"] = [{"deviceToken": []}]
            operation["responses"]["401"] = _error("Missing, wrong or revoked token")
        if route.request_schema is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    media_type: {"schema": dict(route.request_schema)}
                    for media_type in route.media_types
                },
            }
        paths.setdefault(path, {})[route.method.lower()] = operation
    for operations in paths.values():
        allowed = ", ".join([*sorted(m.upper() for m in operations), "OPTIONS"])
        for operation in operations.values():
            operation["responses"]["405"] = _method_not_allowed(allowed)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{brand.name()} ingest API",
            "version": "1",
            "description": "Devices (cars, street sensors, crews, wearables) send readings here. "
            "Each device authenticates with its own bearer token, shown once when it is connected.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer"}},
        },
    }
