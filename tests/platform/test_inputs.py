"""Bad input is a clear 4xx where it enters, never a 500: ids, NUL characters, JSON, times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from dcx.automotive import vehicles
from dcx.banking.amounts import parse_amount
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.inputs import (
    DB_INT_MAX,
    MAX_JSON_DEPTH,
    JSONBodyError,
    check_reading_time,
    json_object,
    loads_strict,
    parse_timestamp,
)
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user

# Every route's path ids, hostile and another owner's: tests/test_url_map_walk.py


@pytest.mark.parametrize(
    "url",
    ["/timeline?before=99999999999999999999", "/notifications/?page=99999999999999999999"],
)
def test_a_query_id_beyond_the_integer_range_is_treated_as_malformed(client, customer, url):
    assert client.get(url).status_code in {200, 400, 404}


def test_a_form_id_beyond_the_integer_range_is_refused_not_a_500(client, customer):
    response = client.post(
        "/retail/recommendations",
        data={"book_ids": ["99999999999999999999", str(DB_INT_MAX + 1)], "day": "2030-01-01"},
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/staff/customers?q=a%00b", None),
        ("GET", "/timeline?vertical=\x00", None),
        ("POST", "/account/signin", {"email": "a\x00@example.com", "password": "x"}),
        ("POST", "/account/signup", {"name": "Nul\x00", "email": "n@example.com"}),
        ("GET", "/showcase/tours/a%00b", None),
    ],
)
def test_a_nul_character_anywhere_in_the_input_is_a_400(client, method, url, data):
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400


@pytest.mark.parametrize("amount", ["1e308", "-1e308", "9999999999999.99", "Infinity", "NaN"])
def test_an_amount_beyond_what_a_column_holds_is_not_an_amount(amount):
    with pytest.raises(ValueError):
        parse_amount(amount)


def test_a_huge_amount_on_a_banking_form_is_a_form_error(client, customer):
    response = client.post(
        "/banking/goals",
        data={"name": "Moon", "target": "1e308", "target_date": "2030-01-01"},
    )
    assert response.status_code < 500


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_json_reader_refuses_deep_nesting_nan_and_nul():
    assert loads_strict(_nested(MAX_JSON_DEPTH)) == loads_strict(_nested(MAX_JSON_DEPTH))
    with pytest.raises(ValueError, match="nested deeper"):
        loads_strict(_nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(ValueError, match="nested deeper"):
        loads_strict(_nested(100_000))
    for text in ('{"v": NaN}', '{"v": Infinity}', '{"v": -Infinity}', '{"v": 1e999}'):
        with pytest.raises(ValueError):
            loads_strict(text)
    with pytest.raises(ValueError, match="NUL"):
        loads_strict('{"name": "a\\u0000b"}')


def test_the_json_reader_refuses_half_a_surrogate_pair():
    # valid JSON, but no UTF-8 text: PostgreSQL refuses it in a JSON or a text column
    assert loads_strict('"\\ud83d\\ude00"') == "\N{GRINNING FACE}"
    for text in ('"\\ud800"', '{"a": ["x\\udfff"]}', '{"\\udbff": 1}'):
        with pytest.raises(ValueError, match="surrogate"):
            loads_strict(text)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ('{"a": 1}', "text/plain", "application/json"),
        ('{"a": NaN}', "application/json", "not readable JSON"),
        (b'{"a": "\xff"}', "application/json", "not readable JSON"),
        ('["a"]', "application/json", "JSON array, not an object"),
        ('"a"', "application/json", "JSON string, not an object"),
        ("null", "application/json", "JSON null, not an object"),
    ],
)
def test_a_body_that_is_not_one_json_object_says_why(app, body, content_type, reason):
    request = app.test_request_context(method="POST", data=body, content_type=content_type)
    with request, pytest.raises(JSONBodyError, match=reason):
        json_object()
    with app.test_request_context(method="POST", json={"a": 1}):
        assert json_object() == {"a": 1}


@pytest.fixture
def car_token(app):
    car = make_vehicle(make_user(email="driver@example.com"))
    token = vehicles.connect_vehicle(car)
    db.session.commit()
    return token


def _telemetry(client, token, body: str):
    return client.post(
        "/api/v1/automotive/telemetry",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_deeply_nested_json_on_an_ingest_api_is_a_400(client, car_token):
    response = _telemetry(client, car_token, '{"readings": ' + _nested(50_000) + "}")
    assert response.status_code == 400
    assert "nested deeper" in response.json["error"]


def test_deeply_nested_json_on_drafts_is_a_400(client, customer):
    response = client.post(
        "/drafts/banking.open_savings",
        data='{"data": {"a": ' + _nested(3_000) + "}}",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_telemetry_refuses_nan_saying_why(client, car_token):
    response = _telemetry(client, car_token, '{"readings": [{"odometer_km": 1, "battery_v": NaN}]}')
    assert response.status_code == 400
    assert "NaN" in response.json["error"]


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"]
)
def test_telemetry_refuses_times_that_overflow_or_are_implausible(client, car_token, moment):
    body = {"readings": [{"odometer_km": 1, "recorded_at": moment}]}
    response = _telemetry(client, car_token, json.dumps(body))
    assert response.status_code == 400
    assert response.json["error"]


def test_telemetry_refuses_a_reading_from_1970_saying_why(client, car_token):
    body = '{"readings": [{"odometer_km": 1, "recorded_at": "1970-01-01T00:00:00Z"}]}'
    response = _telemetry(client, car_token, body)
    assert response.status_code == 400
    assert "days old" in response.json["error"]


def test_the_timestamp_parser_is_utc_or_a_value_error():
    assert parse_timestamp("2026-03-01T10:00:00+02:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_timestamp("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    for text in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "yesterday", "9" * 50):
        with pytest.raises(ValueError):
            parse_timestamp(text)


def test_a_reading_time_must_be_near_the_showcase_clock(app):
    now = clock.now()
    assert check_reading_time(now - timedelta(days=30), now)
    with pytest.raises(ValueError, match="future"):
        check_reading_time(now + timedelta(hours=1), now)
    with pytest.raises(ValueError, match="days old"):
        check_reading_time(datetime(1970, 1, 1, tzinfo=UTC), now)


@pytest.mark.parametrize("ident", [str(DB_INT_MAX + 1), "9" * 20])
def test_a_loader_given_an_id_beyond_the_integer_range_answers_404(app, ident):
    """Ids taken as text from a path (course, order, review ...) meet the same bound as the
    ``int`` converter's, in the loaders that turn them into numbers."""
    from werkzeug.exceptions import NotFound

    from dcx.banking.models import BankingGoal
    from dcx.database import owned_or_404
    from dcx.retail.services import get_book

    with pytest.raises(NotFound):
        owned_or_404(BankingGoal, ident, 1)
    assert get_book(ident) is None
