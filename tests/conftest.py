"""Fixtures for every test: an app with a fresh database, clients per role, a live server.

SQLite (default): the schema is built once per run into a template file, and each test gets
its own copy. PostgreSQL (``DATABASE_URL`` set): the schema is built once in that database and
every table is emptied after each test.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_migrate import stamp
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from dcx import create_app
from dcx.extensions import db
from tests import rule_memo

rule_memo.install()

PASSWORD = "correct horse battery"


def _database_url() -> str:
    """The PostgreSQL URL for this test process: one database per xdist worker, made on demand."""
    url = os.environ.get("DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


DATABASE_URL = _database_url()


# Hashed static files are named by content, so one folder serves every test's app: each
# file is compressed once per machine, not once per test.
ASSETS_ROOT = Path(tempfile.gettempdir()) / f"dcx-test-assets-{os.getuid()}"
# Every test builds an app with its own template environment: templates compiled once are
# kept here for all of them (a template whose source changed is compiled again).
TEMPLATE_CACHE = Path(tempfile.gettempdir()) / f"dcx-test-templates-{os.getuid()}"


def pytest_collection_modifyitems(config, items) -> None:
    """In a run on PostgreSQL, skip the checks of what pages look like and say (marked
    ``presentation``): the phone-width and accessibility walks, the language walks, the page
    weights. The same templates, styles and catalogues render the same rows whichever database
    holds them, and the run on SQLite (``make test`` without ``DATABASE_URL``, CI's first run)
    proves them; every other test, the story walks in the browser included, runs on both."""
    if not DATABASE_URL:
        return
    skip = pytest.mark.skip(reason="what a page shows is proved in the run on SQLite")
    for item in items:
        if item.get_closest_marker("presentation"):
            item.add_marker(skip)


def _base_config(tmp: Path, uri: str) -> dict:
    return {
        "ASSETS_ROOT": str(ASSETS_ROOT),
        "TEMPLATE_CACHE_DIR": str(TEMPLATE_CACHE),
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "DCX_SHOWCASE_MODE": True,  # the tests walk a showcase: sandboxes and persona sign-in
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # argon2id still, with cheap parameters: hashing is not what these tests measure
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }


class RequestScopedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production.

    The ``app`` fixture keeps an app context open for the whole test (so tests can use
    ``db.session``); without this, requests would reuse it and share ``g``, leaking the
    signed-in user of one client into another's request. After each request the test's own
    session forgets what it had loaded, so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        g.pop("_dcx_clock_offset", None)  # the request may have moved the demo clock
        return response


@pytest.fixture(scope="session")
def _schema(tmp_path_factory):
    """Build the schema once: a template SQLite file, or the tables in PostgreSQL."""
    tmp = tmp_path_factory.mktemp("schema")
    uri = DATABASE_URL or f"sqlite:///{tmp / 'template.sqlite3'}"
    app = create_app(_base_config(tmp, uri))
    with app.app_context():
        if DATABASE_URL:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        # create_all, not the migrations: tests/test_migrations.py proves those separately,
        # and stamping lets `flask dcx seed` (which upgrades) run in tests as a no-op.
        db.create_all()
        stamp(revision="heads")
        db.engine.dispose()
    yield tmp / "template.sqlite3"
    if DATABASE_URL:
        # the sandboxes' template, which tests leave for the next (see drop_sandbox_databases)
        from dcx.platform.sandboxes import postgres

        with app.app_context():
            postgres.drop_all()
            db.engine.dispose()


@contextmanager
def own_database(name: str) -> Iterator[str]:
    """On the PostgreSQL server of ``DATABASE_URL``, a database ``name`` made empty for the
    block and dropped after it: its URL (for a subprocess's own run)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(DATABASE_URL)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_uri(template: Path, folder: Path, name: str) -> str:
    """Where a test's app keeps its data: on PostgreSQL this worker's database (emptied after
    each test), on SQLite a copy of the schema's ``template`` named ``name`` in ``folder``."""
    if DATABASE_URL:
        return DATABASE_URL
    target = folder / f"{name}.sqlite3"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@cache
def _written_tables_query() -> str:
    """One statement naming every table a test left rows in, or whose id sequence it used
    (a rolled-back insert leaves no row but moves the sequence on). The names come from the
    models' metadata, never from input."""
    tables = db.metadata.sorted_tables
    has_rows = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"  # noqa: S608
        for t in tables
    )
    serials = ", ".join(
        f"('{t.name}', pg_get_serial_sequence('\"{t.name}\"', '{col.name}'))"
        for t in tables
        for col in t.primary_key.columns
    )
    used = (
        f"SELECT s.name FROM (VALUES {serials}) AS s(name, seq) "  # noqa: S608
        "JOIN pg_sequences p ON p.schemaname || '.' || p.sequencename = s.seq "
        "WHERE p.last_value IS NOT NULL"
    )
    return f"{has_rows} UNION {used}"


def empty_what_was_written() -> None:
    """Empty, on PostgreSQL, only the tables this test wrote to, and restart their ids.

    It asks the database which tables hold rows (or used their id sequence), not the test's
    own statements, so rows written by a subprocess or a live server's thread are found too.
    Those few are emptied with DELETE, children before parents: ``TRUNCATE`` would have to
    cascade to every table that refers to them (nearly all refer to the user table), and
    truncating some eighty empty tables cost over a second a test. Should an order fail
    (a cycle of foreign keys), ``TRUNCATE ... CASCADE`` empties them instead."""
    with _janitor().connect() as conn:
        written = set(conn.execute(text(_written_tables_query())).scalars())
    if not written:
        return
    children_first = [t for t in reversed(db.metadata.sorted_tables) if t.name in written]
    try:
        with db.engine.begin() as conn:
            for table in children_first:
                conn.execute(table.delete())
            conn.execute(text(_restart_ids_statement(tuple(t.name for t in children_first))))
    except DBAPIError:
        quoted = ", ".join(f'"{t.name}"' for t in children_first)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@cache
def _janitor():
    """A connection to this worker's PostgreSQL database kept for the whole run, for the
    questions asked after every test (which tables were written, which sandboxes were made).
    Kept open, the driver prepares those statements once instead of the server planning them
    (some hundred subqueries) anew for every test; pinged first, as a test may have dropped
    every connection to the database."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import SingletonThreadPool

    return create_engine(
        DATABASE_URL,
        poolclass=SingletonThreadPool,
        pool_pre_ping=True,
        isolation_level="AUTOCOMMIT",
    )


def drop_sandbox_databases() -> None:
    """On PostgreSQL, drop the databases this test's sandboxes made; most tests make none,
    which one question on the kept connection tells. Their template stays for the next test:
    it says which seeded showcase it holds, and is emptied and filled again for another (so
    each test does not make its hundred tables anew); the session drops it at its end."""
    from dcx.platform.sandboxes import postgres

    template = postgres.template_name()
    with _janitor().connect() as conn:
        made = conn.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_database "
                "WHERE starts_with(datname, :prefix) AND datname <> :template)"
            ),
            {"prefix": template.removesuffix("template"), "template": template},
        ).scalar()
    if made:
        for sandbox_id in postgres.stored_ids():
            postgres.drop(sandbox_id)


@cache
def _restart_ids_statement(names: tuple[str, ...]) -> str:
    """One statement putting each table's id sequence back to 1 (NULL where it has none)."""
    calls = ", ".join(
        f"setval(pg_get_serial_sequence('\"{name}\"', '{col.name}'), 1, false)"
        for name in names
        for col in db.metadata.tables[name].primary_key.columns
    )
    return f"SELECT {calls}"


@pytest.fixture
def app_config() -> dict:
    """Per-test overrides of the configuration; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(_schema, tmp_path, app_config):
    """An app bound to a database of its own for this test."""
    uri = database_uri(_schema, tmp_path, "test")
    application = create_app({**_base_config(tmp_path, uri), **app_config})
    application.test_client_class = RequestScopedClient
    with application.app_context():
        yield application
        db.session.remove()
        if DATABASE_URL:
            empty_what_was_written()
            drop_sandbox_databases()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask dcx ...` commands."""
    return app.test_cli_runner()


_PRECOMPUTED: dict[str, str] = {}


def make_user(
    email: str = "customer@example.com",
    name: str = "Casey Customer",
    role: str = "customer",
    department: str = "",
    password: str = PASSWORD,
):
    """Create and commit a user (argon2 hash computed once per password, then reused)."""
    from dcx.platform.accounts.models import User
    from dcx.platform.accounts.services import hash_password

    if password not in _PRECOMPUTED:
        _PRECOMPUTED[password] = hash_password(password)
    user = User(
        email=email,
        name=name,
        role=role,
        department=department,
        password_hash=_PRECOMPUTED[password],
    )
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def users(app):
    """Factory fixture: ``users("a@x.example", role="staff")``."""
    return make_user


class AuthActions:
    """Sign in and out through the real pages: ``auth.login(user)``."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str = "customer@example.com", password: str = PASSWORD):
        """Post the sign-in form."""
        return self._client.post("/account/signin", data={"email": email, "password": password})

    def logout(self):
        """Post the sign-out form."""
        return self._client.post("/account/signout")


@pytest.fixture
def auth(client):
    """Sign-in helper for the ``client`` fixture."""
    return AuthActions(client)


@pytest.fixture
def customer(app, client, auth):
    """A signed-in customer on ``client``."""
    user = make_user()
    auth.login(user.email)
    return user


@pytest.fixture
def staff_client(app):
    """Factory: a new client signed in as staff of ``department``: ``staff_client("banking")``."""

    def _make(department: str, email: str | None = None):
        email = email or f"staff-{department}@example.com"
        user = make_user(
            email=email, name=f"Staff {department}", role="staff", department=department
        )
        c = app.test_client()
        AuthActions(c).login(email)
        return c, user

    return _make


@pytest.fixture
def admin_client(app):
    """A client signed in as an admin."""
    user = make_user(email="admin@example.com", name="Ada Admin", role="admin")
    c = app.test_client()
    AuthActions(c).login(user.email)
    return c


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: ``with count_queries(app) as q: ... q()``."""
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", _count)


@pytest.fixture
def query_counter(app):
    """The :func:`count_queries` context manager, bound to this app."""
    return lambda: count_queries(app)


# --- browser tests -------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_FLAGS,
    }


@contextmanager
def live_application(schema: Path, tmp: Path, **config) -> Iterator:
    """An app with CSRF and everything real, for a live server in the same process, over a
    database of its own (on PostgreSQL, emptied of what the block wrote)."""
    uri = database_uri(schema, tmp, "live")
    settings = {**_base_config(tmp, uri), "WTF_CSRF_ENABLED": True, "TESTING": False}
    application = create_app({**settings, **config})
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            if DATABASE_URL:
                empty_what_was_written()
                drop_sandbox_databases()
            db.engine.dispose()


@contextmanager
def serving(application) -> Iterator[str]:
    """Serve ``application`` on a free local port in a thread for the block: its base URL."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    application.config["DCX_BASE_URL"] = url  # where people reach it, as a deployment sets it
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_app(_schema, tmp_path):
    """An app with CSRF and everything real, for a live server in the same process."""
    with live_application(_schema, tmp_path) as application:
        yield application


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` on a free local port in a thread; yields its base URL."""
    with serving(live_app) as url:
        yield url


@pytest.fixture
def live_db(live_app):
    """Run code against the live server's database: ``with live_db(): ...``."""

    @contextmanager
    def _ctx():
        with live_app.app_context():
            yield db
            db.session.remove()

    return _ctx


# --- a throwaway Spanish catalogue: proves a page asks gettext, before real Spanish exists ---


def marked(text: object) -> str:
    """What a marked test catalogue makes of a message id: ``[es] <msgid>``."""
    return f"[es] {text}"


def marked_catalogue(
    tmp_path: Path, texts: Iterable[object] = (), plurals: Iterable[tuple[str, str]] = ()
) -> dict:
    """Configuration for a Spanish catalogue translating each of ``texts`` (and each
    ``(singular, plural)``) to :func:`marked` text; use it as a module's ``app_config``."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="es")
    for msgid in {str(t) for t in texts}:
        catalog.add(msgid, marked(msgid))
    for singular, plural in plurals:
        # As many forms as Babel's Spanish rule has (three in current Babel: "many" for
        # millions); a missing form would fall back to English and fail the test for nothing.
        forms = (marked(singular), *[marked(plural)] * (catalog.num_plurals - 1))
        catalog.add((singular, plural), forms)
    folder = tmp_path / "catalogue" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "catalogue")}


@pytest.fixture
def fresh_catalogues(app):
    """Flask-Babel caches catalogues by locale on one object every app shares: start and end
    a test with it empty, so no other test's Spanish leaks in, nor this one's out."""
    from flask_babel import get_domain

    get_domain().cache.clear()
    yield
    get_domain().cache.clear()


def insert_customers(n: int, locale: str = "") -> list[int]:
    """``n`` customers inserted set-based (a hundred commits would only slow a test), their
    ids in order."""
    from sqlalchemy import insert

    from dcx.platform import clock
    from dcx.platform.accounts.models import User

    now = clock.now()
    rows = [
        {
            "email": f"bulk{i}@example.com",
            "name": f"Bulk {i}",
            "password_hash": "x",
            "role": "customer",
            "department": "",
            "phone": "",
            "locale": locale,
            "health_consent": False,
            "created_at": now,
        }
        for i in range(n)
    ]
    ids = db.session.execute(insert(User).returning(User.id), rows).scalars().all()
    db.session.commit()
    return sorted(ids)


def speaking(user, locale: str):
    """``user`` with ``locale`` as their language, committed."""
    user.locale = locale
    db.session.commit()
    return user


def message_for(topic: str, user_id: int):
    """The one message of ``topic`` sent to ``user_id``."""
    from sqlalchemy import select

    from dcx.platform.notify.models import Message

    return db.session.execute(
        select(Message).where(Message.topic == topic, Message.user_id == user_id)
    ).scalar_one()


def sandbox_of(client) -> str:
    """The id of the sandbox ``client``'s browser works in (it must have one)."""
    from dcx.platform.sandboxes import SESSION_KEY

    with client.session_transaction() as session:
        found = session.get(SESSION_KEY)
    assert found, "this browser has no sandbox"
    return found


# --- a real SMTP server (aiosmtpd) on a free local port ------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_serving(handler: object) -> Iterator:
    """A real SMTP server (aiosmtpd) on a free local port for the block, handing what it
    receives to ``handler``: its controller."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """A local SMTP server for the test: ``(controller, inbox)``."""
    handler = Inbox()
    with smtp_serving(handler) as controller:
        yield controller, handler


def smtp_config(smtp_server, base_url: str) -> dict:
    """The settings that send the app's email to ``smtp_server``, with links on ``base_url``."""
    controller, _ = smtp_server
    return {
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": controller.port,
        "MAIL_SENDER": "bank@dcx.example",
        "DCX_BASE_URL": base_url,
    }
