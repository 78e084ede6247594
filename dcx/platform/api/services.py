"""Device tokens (stored hashed, shown once) and schema-validated JSON routes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

import jsonschema_rs
from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_limiter.util import get_remote_address
from jsonschema import Draft202012Validator

from dcx.extensions import limiter
from dcx.platform.inputs import loads_strict

DEFAULT_MAX_BYTES = 256 * 1024


def new_token(prefix: str = "dcx") -> tuple[str, str]:
    """A fresh device token and its hash: show the token once, store only the hash."""
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """SHA-256 of a token (tokens are long and random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        return None
    return token.strip()


def api_error(status: int, message: str, **details: Any):
    """A JSON error response: ``{"error": message, "status": status, ...}``."""
    response = jsonify(error=message, status=status, **details)
    response.status_code = status
    return response


@dataclass(frozen=True)
class ApiRoute:
    """One documented ingest route: what the OpenAPI document is generated from."""

    blueprint: str
    rule: str
    method: str
    summary: str
    request_schema: Mapping[str, Any] | None
    response_schema: Mapping[str, Any] | None
    security: str
    endpoint: str
    # the status a success answers (201 when it stores something new), and when the route may
    # answer 409 Conflict, why (the OpenAPI document states both)
    success_status: int = 200
    conflict: str = ""
    # the media types the body may be sent as (each a JSON one: validate_json reads them all)
    media_types: tuple[str, ...] = ("application/json",)


#: Each route's schema compiled once by jsonschema-rs, by the schema's identity (the schema is
#: kept beside it, so the identity is never reused). None where it cannot compile one.
_COMPILED: dict[int, tuple[Mapping[str, Any], Any]] = {}


def _valid_at_once(schema: Mapping[str, Any], body: Any) -> bool:
    """Whether ``body`` matches ``schema``, by the compiled validator: a valid body (nearly
    every one a device sends) is checked in a fraction of jsonschema's time. False also when
    it cannot tell (a value it cannot read): jsonschema then decides and words the errors."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:
        try:
            compiled = jsonschema_rs.Draft202012Validator(dict(schema), validate_formats=False)
        except Exception:  # a schema it cannot read: jsonschema alone, as before
            compiled = None
        found = _COMPILED[id(schema)] = (schema, compiled)
    try:
        return found[1] is not None and bool(found[1].is_valid(body))
    except Exception:  # a value it cannot take (an integer past 64 bits): jsonschema decides
        return False


def validate_json(schema: Mapping[str, Any], max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Parse the request body as JSON and validate it; aborts with a clear 400/413/415."""
    if request.content_length is not None and request.content_length > max_bytes:
        abort(api_error(413, f"body larger than {max_bytes} bytes"))
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        abort(api_error(413, f"body larger than {max_bytes} bytes"))
    if not request.is_json:
        abort(api_error(415, "send Content-Type: application/json"))
    try:
        body = loads_strict(raw)
    except ValueError as exc:
        abort(api_error(400, f"the body is not valid JSON: {str(exc)[:200]}"))
    if _valid_at_once(schema, body):
        return body
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        problems = [
            {"field": "/".join(str(p) for p in e.path) or "(body)", "message": e.message[:300]}
            for e in errors[:20]
        ]
        abort(api_error(400, "the body does not match the schema", problems=problems))
    return body


def caller_key() -> str:
    """Who is calling, for the rate limit: the bearer token's hash (never the token), else
    the remote address."""
    token = bearer_token()
    return f"token:{hash_token(token)}" if token else f"addr:{get_remote_address()}"


def refused_caller_key() -> str:
    """The client address, for the budget of refused requests (whatever token they carried)."""
    return f"refused:{get_remote_address()}"


def accepted(response: Response) -> bool:
    """The route accepted the request: its token was valid (it answered below 400)."""
    return response.status_code < 400


def refused(response: Response) -> bool:
    """The route refused the request (a missing, unknown or revoked token, a bad body); a 429
    is the limiter's own answer, not a refusal to count again."""
    return response.status_code >= 400 and response.status_code != 429


# Every ingest route shares one budget of refused requests per address.
REFUSED_SCOPE = "api-refused"


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600/minute")


def ingest_route(
    bp: Blueprint,
    rule: str,
    *,
    summary: str,
    request_schema: Mapping[str, Any] | None = None,
    response_schema: Mapping[str, Any] | None = None,
    methods: tuple[str, ...] = ("POST",),
    security: str = "bearer",
    max_bytes: int = DEFAULT_MAX_BYTES,
    success_status: int = 200,
    conflict: str = "",
    media_types: tuple[str, ...] = ("application/json",),
) -> Callable:
    """Declare a JSON route whose body is validated against ``request_schema``.

    The view receives the validated body as its first argument (``body``) when a schema is
    given. The route is recorded for the OpenAPI document.

    Two budgets of ``API_RATE_LIMIT`` each guard it (a JSON 429 beyond either): the requests
    a route accepted count per bearer token's hash (a valid token: each device its own
    budget); the requests it refused count per client address, across every ingest route, so
    a flood of made-up tokens (each new, so each with a fresh budget of its own) is limited
    by where it comes from. Neither is counted before the route has answered.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request_schema is not None and request.method in {"POST", "PUT", "PATCH"}:
                body = validate_json(request_schema, max_bytes)
                return view(body, *args, **kwargs)
            return view(*args, **kwargs)

        limited = limiter.limit(_rate_limit, key_func=caller_key, deduct_when=accepted)(
            limiter.shared_limit(
                _rate_limit, REFUSED_SCOPE, key_func=refused_caller_key, deduct_when=refused
            )(wrapped)
        )
        bp.add_url_rule(rule, view.__name__, limited, methods=list(methods))
        for method in methods:
            _pending.append(
                ApiRoute(
                    blueprint=bp.name,
                    rule=rule,
                    method=method,
                    summary=summary,
                    request_schema=request_schema,
                    response_schema=response_schema,
                    security=security,
                    endpoint=f"{bp.name}.{view.__name__}",
                    success_status=success_status,
                    conflict=conflict,
                    media_types=media_types,
                )
            )
        return limited

    return decorator


# Routes are declared at import time of a vertical's api module, before any app exists;
# the registry is read per app through documented_routes().
_pending: list[ApiRoute] = []


def documented_routes() -> list[ApiRoute]:
    """Every ingest route declared with :func:`ingest_route` whose blueprint this app mounts."""
    mounted = set(current_app.blueprints)
    return [r for r in _pending if r.blueprint in mounted]
