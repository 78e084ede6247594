"""A valid API body is checked by a compiled validator (jsonschema-rs), an invalid one is
worded by jsonschema: both must give every body the same verdict, for every route's schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dcx.platform.api import services
from dcx.platform.api.services import documented_routes

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["2026-11-15T08:30:00Z", "2026-11-15", "P0420", "fl", ""])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _fields(schema: Any) -> list[str]:
    """Every property name the schema mentions, so drawn objects look like real bodies."""
    found: list[str] = []
    if isinstance(schema, dict):
        found.extend(schema.get("properties", {}))
        for value in schema.values():
            found.extend(_fields(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_fields(value))
    return found


def _schemas(app) -> list[Any]:
    with app.app_context():
        return [r.request_schema for r in documented_routes() if r.request_schema is not None]


def test_every_route_schema_compiles(app):
    schemas = _schemas(app)
    assert len(schemas) >= 6
    for schema in schemas:
        services._valid_at_once(schema, None)
        assert services._COMPILED[id(schema)][1] is not None


def test_both_validators_give_every_body_the_same_verdict(app):
    schemas = _schemas(app)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        for schema in schemas:
            shaped = st.dictionaries(st.sampled_from(_fields(schema) or ["x"]), JSON, max_size=6)
            batch = st.builds(lambda items: {"readings": items}, st.lists(shaped, max_size=3))
            body = data.draw(JSON | shaped | batch)
            python_says = not any(True for _ in Draft202012Validator(schema).iter_errors(body))
            fast_says = services._valid_at_once(schema, body)
            # the fast check never passes a body jsonschema refuses, and passes every one it
            # accepts unless it cannot read the value (then jsonschema decides)
            assert fast_says <= python_says
            if python_says and not fast_says:
                with pytest.raises(ValueError):
                    services._COMPILED[id(schema)][1].is_valid(body)

    check()


def test_a_valid_reading_batch_passes_the_fast_check_and_a_wrong_one_is_worded(app):
    from dcx.automotive.api import TELEMETRY_SCHEMA

    body = {
        "readings": [{"recorded_at": "2026-11-15T08:30:00Z", "odometer_km": 5, "battery_v": 12.5}]
    }
    assert services._valid_at_once(TELEMETRY_SCHEMA, body)
    body["readings"][0]["odometer_km"] = "far"
    assert not services._valid_at_once(TELEMETRY_SCHEMA, body)
