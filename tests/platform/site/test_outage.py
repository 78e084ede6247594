"""A full, read-only or unreachable database: a 503 on the app's own page saying what is wrong."""

import shutil
import sqlite3

import pytest
from sqlalchemy import event

from dcx import create_app
from dcx.extensions import db
from tests.conftest import DATABASE_URL, RequestScopedClient, _base_config

SIGN_UP = {
    "email": "new@example.com",
    "name": "New Person",
    "password": "a long new password",
    "confirm": "a long new password",
}
NOON = "2026-12-07T12:00:00+00:00"
sqlite_only = pytest.mark.skipif(bool(DATABASE_URL), reason="a SQLite file's own faults")


def _app(tmp_path, uri: str, **config):
    app = create_app({**_base_config(tmp_path, uri), "DCX_SHOWCASE_MODE": False, **config})
    app.test_client_class = RequestScopedClient
    return app


@pytest.fixture
def sqlite_copy(_schema, tmp_path):
    """A SQLite database with the schema, of this test's own."""
    target = tmp_path / "faulty.sqlite3"
    shutil.copy(_schema, target)
    return target


def _says(response, text: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert "Internal Server Error" not in page
    assert text in page
    assert response.headers["Retry-After"]
    return page


@sqlite_only
def test_a_read_only_database_says_so_when_something_is_saved(tmp_path, sqlite_copy):
    app = _app(tmp_path, f"sqlite:///file:{sqlite_copy}?mode=ro&uri=true")
    with app.app_context():
        client = app.test_client()
        assert client.get("/").status_code == 200  # reading still works
        response = client.post("/account/signup", data=SIGN_UP)
        _says(response, "The database is read-only just now")
        spanish = client.post("/account/signup", data=SIGN_UP, headers={"Accept-Language": "es"})
        page = _says(spanish, "La base de datos")
        assert 'lang="es"' in page
        db.engine.dispose()


@sqlite_only
def test_a_full_disk_says_so(tmp_path, sqlite_copy):
    # The sign-up table's one page is filled, so the next sign-up needs a page more than the
    # database may have (max_page_count below): SQLite answers SQLITE_FULL, as on a full disk.
    with sqlite3.connect(sqlite_copy) as filler:
        filler.execute(
            "INSERT INTO account_signup_request (email, name, password_hash, token_hash,"
            " created_at) VALUES ('filler@example.com', 'Filler', ?, ?, '2026-01-01 00:00:00')",
            ("x" * 3900, "f" * 64),
        )
    with sqlite3.connect(sqlite_copy) as tidy:
        tidy.execute("VACUUM")
    app = _app(tmp_path, f"sqlite:///{sqlite_copy}")
    with app.app_context():
        db.engine.dispose()

        @event.listens_for(db.engine, "connect")
        def _no_room_to_grow(connection, _record):
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages}")

        response = app.test_client().post("/account/signup", data=SIGN_UP)
        _says(response, "The disk that holds the database is full")
        db.engine.dispose()


@pytest.mark.parametrize("showcase", [False, True])
def test_an_unreachable_database_still_gets_the_error_page(tmp_path, showcase):
    uri = (
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
        if DATABASE_URL
        else f"sqlite:///{tmp_path / 'no-such-folder' / 'dcx.sqlite3'}"
    )
    app = _app(tmp_path, uri, DCX_SHOWCASE_MODE=showcase)
    with app.app_context():
        client = app.test_client()
        for path in ("/", "/account/signin", "/no-such-page"):
            page = _says(client.get(path), "The database cannot be reached")
            assert "btn btn-primary" in page  # the app's own page, styled
        romanian = client.get("/", headers={"Accept-Language": "ro"})
        assert 'lang="ro"' in _says(romanian, "Baza de date")
        api = client.post(
            "/api/v1/health/observations",
            json={
                "readings": [{"id": "w-1", "type": "heart_rate", "value": 64, "observed_at": NOON}]
            },
            headers={"Authorization": "Bearer any-token"},
        )
        assert api.status_code == 503 and "database" in api.get_json()["error"]
