"""Hostile JSON posted to every route that reads a JSON body outside the ingest API.

The ingest API's routes are drawn by tests/platform/test_api_contract.py from its OpenAPI
document, and forms by tests/test_url_map_walk.py; every other route that reads a JSON body is
found here from the code (the view, the decorators around it, the module functions it calls
and its blueprint's ``before_request`` hooks) and must be in :data:`ROUTES`.

Each is sent, signed in as its owner where it needs one, a valid body with one value replaced
by something hostile: deep nesting, numbers beyond a float or Python's digit limit, NaN and
Infinity literals, NUL characters, lone surrogates, wrong types, giant strings, odd Unicode,
broken bytes, a body that is not an object or not declared as JSON. Never a 500; a literal no
database can hold is a 400; whatever is refused is a clear 4xx and stores nothing.
"""

from __future__ import annotations

import base64
import dis
import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType, ModuleType
from typing import Any

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import open311, workspace
from dcx.government.models import GovernmentRepair
from dcx.platform.api.services import documented_routes
from dcx.platform.drafts.models import Draft
from dcx.platform.notify.models import PushSubscription
from tests.government.conftest import build_city

KEY = "json-bodies-key"
# What reads a request body as JSON (or as raw bytes a route could parse itself): these
# functions, and these attributes of ``request``.
READERS = {"loads_strict", "json_object", "validate_json"}
REQUEST_BODY = {"get_json", "json", "get_data", "data", "stream"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HOLE = "\x01hole\x01"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Route:
    """A JSON route: where to post, a body it accepts, and what it has stored."""

    url: str
    body: Callable[[], dict[str, Any]]
    stored: Callable[[], Any]
    setup: Callable[[], Any] = lambda: None


def _open311_body() -> dict[str, Any]:
    street = workspace.streets()[0]
    lat, lon = open311.to_lat_long((street.x1 + street.x2) / 2, (street.y1 + street.y2) / 2 + 5)
    return {
        "api_key": KEY,
        "service_code": "pothole",
        "lat": lat,
        "long": lon,
        "description": "A deep pothole in the cycle lane",
    }


def _drafts() -> Any:
    rows = db.session.execute(select(Draft.form_key, Draft.data, Draft.url)).all()
    return sorted((key, json.dumps(data, sort_keys=True), url) for key, data, url in rows)


def _devices() -> Any:
    columns = (PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.name)
    return sorted(tuple(row) for row in db.session.execute(select(*columns)).all())


def _repairs() -> Any:
    return db.session.execute(select(func.count(), func.max(GovernmentRepair.id))).one()


# Every JSON-reading route outside the ingest API, by endpoint.
ROUTES: dict[str, Route] = {
    "drafts.save": Route(
        "/drafts/banking.goal",
        lambda: {"data": {"name": "Holiday", "tags": ["sea", "sun"], "amount": 120}, "url": "/"},
        _drafts,
    ),
    "notify.subscribe": Route(
        "/inbox/push/subscriptions",
        lambda: {
            "subscription": {
                "endpoint": "https://fcm.googleapis.com/fcm/send/json-bodies",
                "keys": {"p256dh": _b64url(b"\x04" + b"k" * 64), "auth": _b64url(b"a" * 16)},
            },
            "name": "Kitchen tablet",
        },
        _devices,
    ),
    "open311.requests_list": Route(
        "/open311/v2/requests.json", _open311_body, _repairs, setup=build_city
    ),
}


def _codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _codes(const)


@functools.cache
def _uses(code: CodeType) -> tuple[bool, frozenset[str]]:
    """Whether the code reads the body itself, and the global names it loads (read from its
    bytecode: parsing the source of every view would take seconds)."""
    reads, names, previous = False, set(), None
    for part in _codes(code):
        for instruction in dis.get_instructions(part):
            if instruction.opname == "LOAD_GLOBAL":
                names.add(instruction.argval)
            elif instruction.opname in ("LOAD_ATTR", "LOAD_METHOD"):
                reads |= previous == "request" and instruction.argval in REQUEST_BODY
            previous = instruction.argval if instruction.opname == "LOAD_GLOBAL" else None
    return reads or bool(names & READERS), frozenset(names)


def _code_reads_json(code: CodeType, module: ModuleType, seen: set[CodeType]) -> bool:
    """The code reads the body, or calls a function of its module that does (at any depth)."""
    if code in seen:
        return False
    seen.add(code)
    reads, names = _uses(code)
    helpers = (vars(module).get(name) for name in names)
    return reads or any(
        _code_reads_json(helper.__code__, module, seen)
        for helper in helpers
        if inspect.isfunction(helper) and helper.__module__ == module.__name__
    )


def _reads_json(function: Callable) -> bool:
    """Whether the view, a function its decorators wrap around it, or a function of its
    module that one of them calls reads the body as JSON."""
    while function is not None:
        code = getattr(function, "__code__", None)
        module = sys.modules.get(getattr(function, "__module__", "") or "")
        if code is not None and module is not None and _code_reads_json(code, module, set()):
            return True
        function = getattr(function, "__wrapped__", None)
    return False


def json_reading_endpoints(app) -> set[str]:
    """Endpoints taking a body method whose view or blueprint hooks read the body as JSON."""
    hooks = {
        blueprint: any(_reads_json(hook) for hook in functions)
        for blueprint, functions in app.before_request_funcs.items()
    }
    found = set()
    for rule in app.url_map.iter_rules():
        if not (rule.methods or set()) & BODY_METHODS:
            continue
        blueprint = rule.endpoint.rpartition(".")[0]
        if hooks.get(blueprint) or _reads_json(app.view_functions[rule.endpoint]):
            found.add(rule.endpoint)
    return found


def test_every_json_route_outside_the_ingest_api_is_covered(app):
    found = json_reading_endpoints(app)
    api = {route.endpoint for route in documented_routes()}
    assert api and api <= found, "the search must see the ingest API's routes read JSON"
    assert found - api - set(ROUTES) == set(), "JSON routes without hostile-body tests"
    assert set(ROUTES) <= found, "ROUTES names a route that reads no JSON"


def _reads_the_body() -> Any:
    return request.get_json(silent=True)


def _calls_a_reader() -> Any:
    return _reads_the_body()


def _reads_a_form() -> Any:
    return request.form.get("data")


def test_the_search_sees_a_body_read_through_a_helper_or_a_decorator():
    @functools.wraps(_reads_a_form)
    def decorated() -> Any:
        _calls_a_reader()
        return _reads_a_form()

    assert _reads_json(_calls_a_reader) and _reads_json(decorated)
    assert not _reads_json(_reads_a_form)


# --- hostile values ------------------------------------------------------------------------

# Literals no route may accept: each makes the whole body a 400.
REFUSED_LITERALS = (
    "NaN",
    "-Infinity",
    "Infinity",
    "1e999",
    "-1e400",
    "9" * 5000,
    '"a\\u0000b"',
    '{"\\u0000": 1}',
    '"\\ud800"',
    '"x\\udfff"',
    '{"\\udbff": "key"}',
    "[" * 40 + "]" * 40,
    '{"a":' * 8000 + "1" + "}" * 8000,
)
_DEEP = st.integers(33, 3000)
REFUSED = st.one_of(
    st.sampled_from(REFUSED_LITERALS),
    _DEEP.map(lambda n: "[" * n + "]" * n),
    _DEEP.map(lambda n: '{"a":' * n + "1" + "}" * n),
)
_NO_NUL = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
# Values of the wrong type or size, or odd but valid text: refused or accepted, never a 500.
ODD = st.one_of(
    st.sampled_from(
        [
            "null",
            "true",
            "0",
            "-1",
            "-0.0",
            "1e308",
            "2147483648",
            "99999999999999999999",
            "[]",
            "{}",
            '[1, "a", null, {"b": []}]',
            '"\\u202egnp.exe"',
            '"\\ud83d\\ude00 \\u0301\\u200b"',
            json.dumps("x" * 5001),
            json.dumps("y" * 70_000),
            "[" * 32 + "]" * 32,
        ]
    ),
    st.text(_NO_NUL, max_size=40).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.integers(-(2**70), 2**70).map(str),
)
# Whole bodies that are not a JSON object at all.
NOT_AN_OBJECT = st.sampled_from(["", "{", "'single'", "[1]", '"text"', "1", "null", "\x00"])


def _holes(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value in the template (the root included)."""
    found = [path]
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            found += _holes(child, (*path, key))
    return found


def _at(value: Any, path: tuple) -> Any:
    return _at(value[path[0]], path[1:]) if path else value


def _with_hole(value: Any, path: tuple) -> Any:
    if not path:
        return HOLE
    copy = value.copy()
    copy[path[0]] = _with_hole(value[path[0]], path[1:])
    return copy


def _body(template: dict[str, Any], path: tuple, fragment: str) -> bytes:
    """The template with the value at ``path`` replaced by the raw JSON ``fragment``."""
    text = json.dumps(_with_hole(template, path), ensure_ascii=False)
    text = text.replace(json.dumps(HOLE, ensure_ascii=False), fragment)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def hostile_bodies(draw, template: dict[str, Any]) -> tuple[bytes, str, bool]:
    """A body, its content type, and whether a 400 is required."""
    kind = draw(st.sampled_from(["refused", "odd", "raw"]))
    if kind == "raw":
        raw = draw(st.one_of(NOT_AN_OBJECT.map(str.encode), st.just(b'{"a": "\xff\xfe"}')))
        return raw, "application/json", True
    fragment = draw(REFUSED if kind == "refused" else ODD)
    path = draw(st.sampled_from(_holes(template)))
    content_type = draw(
        st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain"])
    )
    return _body(template, path, fragment), content_type, kind == "refused"


@pytest.fixture
def app_config() -> dict:
    return {"OPEN311_API_KEYS": KEY}


def _post_checked(client, route: Route, body: bytes, content_type: str, must_refuse: bool):
    """Post a hostile body: never a 500; a refusal is a clear 4xx that stored nothing."""
    before = route.stored()
    answer = client.post(route.url, data=body, content_type=content_type)
    status = answer.status_code
    assert status < 500, (body[:200], answer.get_data(as_text=True)[:300])
    if must_refuse and content_type.startswith("application/json"):
        assert status == 400, (body[:200], status)
    if status >= 400:
        assert answer.get_data(), (body[:200], status)
        db.session.rollback()
        assert route.stored() == before, (body[:200], status)
    else:
        assert status in (200, 201), (body[:200], status)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_hostile_json_is_a_clear_4xx_that_stores_nothing(app, client, customer, endpoint):
    route = ROUTES[endpoint]
    route.setup()
    template = route.body()
    accepted = client.post(route.url, json=template)
    assert accepted.status_code in (200, 201), accepted.get_data(as_text=True)
    # each literal a database cannot hold, once, at a hole of its own (cycling through them)
    holes = _holes(template)
    for i, literal in enumerate(REFUSED_LITERALS):
        body = _body(template, holes[i % len(holes)], literal)
        _post_checked(client, route, body, "application/json", must_refuse=True)
    # and text no database can store in every text field the route keeps
    for hole in holes:
        if isinstance(_at(template, hole), str):
            for text in ('"\\ud800"', '"a\\u0000"'):
                _post_checked(client, route, _body(template, hole, text), "application/json", True)

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(hostile_bodies(template))
    def post(case: tuple[bytes, str, bool]) -> None:
        _post_checked(client, route, *case)

    post()
