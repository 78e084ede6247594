"""Input checked once, where it enters: ids, text, JSON and timestamps.

Hostile or broken input must answer a clear 4xx, never a 500, and the checks live here rather
than route by route:

- ids: the ``int`` URL converter (:class:`DatabaseIntConverter`) and every
  ``request.args``/``request.form`` value read with ``type=int`` stay within what an INTEGER
  column holds (a larger id is simply not found);
- text: a NUL character anywhere in the path, the query or a form is refused with a 400
  (PostgreSQL cannot store it);
- JSON: one reader for every body (``request.get_json``) refuses NaN and Infinity, NUL
  characters, lone surrogates (text no database can store) and nesting deeper than
  :data:`MAX_JSON_DEPTH`, each with the reason; :func:`json_object` reads a body that must
  be one JSON object, or says why it is not;
- timestamps: :func:`parse_timestamp` turns ISO 8601 into aware UTC or a ValueError (an offset
  that carries a time past year 1 or 9999 included), and :func:`check_reading_time` refuses a
  device reading implausibly far from the showcase clock, saying why.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
MAX_JSON_DEPTH = 32
# A device may buffer readings while offline, but not for years; nor send from the future.
READING_MAX_AGE = timedelta(days=366)
READING_MAX_AHEAD = timedelta(minutes=10)


def db_int(value: Any) -> int:
    """``int(value)`` if it fits an INTEGER column; ValueError otherwise (as for ``"x"``)."""
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError(f"{number} is outside the range of an id")
    return number


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds: a larger id is a 404, not a 500."""

    def __init__(self, map, *args, max=DB_INT_MAX, **kwargs):
        super().__init__(map, *args, max=max, **kwargs)


def _bounded(kind: Callable[[str], Any] | None) -> Callable[[str], Any] | None:
    return db_int if kind is int else kind


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form values: ``get(..., type=int)`` and ``getlist(..., type=int)`` read an
    id within the database's range, so an out-of-range value is treated as a malformed one
    (the default, or left out of the list)."""

    def get(self, key, default=None, type=None):
        """As :meth:`MultiDict.get`, with ``type=int`` bounded to an INTEGER column."""
        return super().get(key, default, _bounded(type))

    def getlist(self, key, type=None):
        """As :meth:`MultiDict.getlist`, with ``type=int`` bounded to an INTEGER column."""
        return super().getlist(key, _bounded(type))


class DcxRequest(Request):
    """The application's request: its query and form values are :class:`BoundedMultiDict`."""

    parameter_storage_class = BoundedMultiDict


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def refuse_nul_characters() -> None:
    """Before every request: a NUL character in the path, a query or form key or value is a
    400 (text columns, PostgreSQL's above all, cannot hold it)."""
    if "\x00" in request.path:
        abort(400, "The address contains a NUL character.")
    for values in (request.args, request.form):
        if _has_nul(values.keys()) or _has_nul(v for _, v in values.items(multi=True)):
            abort(400, "A field contains a NUL character.")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


# A NUL character, or half of a UTF-16 surrogate pair ("\ud800" alone is valid JSON but no
# UTF-8 text: a database refuses to store it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _check_text(text: str, where: str) -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    if found.group() == "\x00":
        raise ValueError(f"{where} contains a NUL character")
    raise ValueError(f"{where} contains half of a surrogate pair (not valid Unicode)")


class JSONBodyError(ValueError):
    """A request body that is not the JSON object a route reads; the message says why."""


def _check_json_value(value: Any) -> None:
    """Depth and strings of a parsed document, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, "a string")
        elif isinstance(item, float):
            if not math.isfinite(item):  # 1e999 parses to inf
                raise ValueError("a number is too large")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str):
                    _check_text(key, "a key")
                stack.append((child, depth + 1))


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON refusing NaN/Infinity, NUL characters, lone surrogates and deep nesting
    (ValueError, with the reason); the one reader behind every ``request.get_json``."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    _check_json_value(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with :func:`loads_strict` for reading."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a request body or any JSON text the application reads through Flask."""
        return loads_strict(s)


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
_JSON_KINDS[type(None)] = "null"


def json_object() -> dict[str, Any]:
    """The request's body as one JSON object, read by :func:`loads_strict`; JSONBodyError
    saying why when it is not sent as JSON, cannot be read, or is another kind of value.

    A view answers the error in its own format (a clear 400); a body over the request's
    ``max_content_length`` is Werkzeug's 413."""
    if not request.is_json:
        raise JSONBodyError("send the body as application/json")
    try:
        body = loads_strict(request.get_data(cache=True))
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError included
        raise JSONBodyError(f"the body is not readable JSON: {error}") from None
    if not isinstance(body, dict):
        kind = _JSON_KINDS.get(type(body), "value")
        raise JSONBodyError(f"the body is a JSON {kind}, not an object")
    return body


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 time (``Z`` or an offset; none means UTC) as aware UTC; ValueError for
    anything else, including a moment an offset pushes outside years 1 to 9999."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if len(text) > 40:
            raise ValueError("not an ISO 8601 time")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!s:.40} is outside the years a time can hold") from None


def check_reading_time(moment: datetime, now: datetime) -> datetime:
    """A device reading's time, or ValueError saying why it is implausible: more than
    :data:`READING_MAX_AHEAD` after the showcase clock or :data:`READING_MAX_AGE` before it."""
    if moment > now + READING_MAX_AHEAD:
        raise ValueError(f"reading time {moment.isoformat()} is in the future")
    if moment < now - READING_MAX_AGE:
        raise ValueError(
            f"reading time {moment.isoformat()} is more than {READING_MAX_AGE.days} days old"
        )
    return moment


def init_app(app: Flask) -> None:
    """Install the bounded converter and request, the strict JSON reader and the NUL check
    (before any rule is added and before any other ``before_request``)."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = DcxRequest
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_nul_characters)
