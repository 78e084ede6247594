"""Alembic brings an empty database to exactly the schema the models describe."""

import logging
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.engine import make_url

from dcx import create_app
from dcx.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"dcx_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield str(make_url(url).set(database=name).render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_matches_the_models(tmp_path, empty_database_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            checks = _check_constraints(conn)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
    # Alembic's comparison skips CHECK constraints: the migrations must add exactly the ones
    # the models declare (statuses held to their enums), under the same names.
    declared = {
        (table.name, constraint.name)
        for table in db.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert declared and declared == checks, sorted(declared ^ checks)


def _check_constraints(conn) -> set[tuple[str, str]]:
    """(table, name) of every named CHECK constraint in the database."""
    inspector = inspect(conn)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
        if check.get("name")
    }


def test_migrating_leaves_the_apps_logger_working(tmp_path, empty_database_url):
    """Alembic's fileConfig must not disable loggers that exist already (``flask dcx demo``
    migrates, then serves: its unhandled errors must still be logged)."""

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    assert not app.logger.disabled
    assert not logging.getLogger("werkzeug").disabled
