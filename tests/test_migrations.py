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


def _rows(conn, sql, **params):
    return [tuple(r) for r in conn.execute(text(sql), params).all()]


def test_community_migrations_move_every_row(tmp_path, empty_database_url):
    """Book clubs and health groups written by the old tables reach the community tables:
    spaces, members, threads, posts with their replies, cheers and reports, ids still
    pointing at each other; review reports stay the bookstore's, the old tables are gone."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    at = "2026-01-05 10:00:00"
    with app.app_context():
        upgrade(revision="platform_0006_pwa")  # every branch as it was before the community
        upgrade(revision="retail_0002_perf")
        upgrade(revision="health_0001")
        with db.engine.begin() as conn:
            for uid, name in ((1, "Ana"), (2, "Bo")):
                conn.execute(
                    text(
                        "INSERT INTO account_user (id, email, name, phone, password_hash, role,"
                        " department, locale, health_consent, created_at, timezone) VALUES"
                        " (:id, :email, :name, '', 'x', 'customer', '', 'en', :no, :at, '')"
                    ),
                    {
                        "id": uid,
                        "email": f"u{uid}@example.com",
                        "name": name,
                        "no": False,
                        "at": at,
                    },
                )
            inserts = [
                "INSERT INTO retail_book (id, isbn, title, authors, subjects, description,"
                " cover_url, price_minor, currency, stock, created_at) VALUES"
                " (1, '9780000000002', 'Book', 'A', 'mystery', '', '', 1000, 'EUR', 1, :at)",
                "INSERT INTO retail_review (id, user_id, book_id, half_stars, title, body,"
                " hidden, created_at, updated_at) VALUES (1, 2, 1, 2, 'Bad', 'Meh', :no, :at, :at)",
                "INSERT INTO retail_group (id, slug, name, description, current_book_id)"
                " VALUES (1, 'circle', 'Circle', 'Whodunits', 1)",
                "INSERT INTO retail_schedule_item (id, group_id, due_on, reading)"
                " VALUES (1, 1, '2026-01-10', 'Chapters 1-5')",
                "INSERT INTO retail_membership (id, user_id, group_id, joined_at)"
                " VALUES (1, 1, 1, :at), (2, 2, 1, :at)",
                "INSERT INTO retail_thread (id, user_id, group_id, title, created_at)"
                " VALUES (1, 1, 1, 'Who did it?', :at)",
                "INSERT INTO retail_post (id, user_id, thread_id, body, hidden, created_at)"
                " VALUES (1, 1, 1, 'The harbour master.', :no, :at),"
                " (2, 2, 1, 'No, the cook.', :no, :at)",
                "INSERT INTO retail_content_report (id, user_id, review_id, post_id, reason,"
                " resolution, created_at) VALUES (1, 1, NULL, 2, 'rude', '', :at),"
                " (2, 1, 1, NULL, 'spoils', '', :at)",
                "INSERT INTO health_group (id, slug, name, description, measure)"
                " VALUES (1, 'move-more', 'Move more', '', 'minutes')",
                "INSERT INTO health_post (id, group_id, author_id, parent_id, body, milestone,"
                " hidden, created_at) VALUES (1, 1, 1, NULL, '150 minutes!', :yes, :no, :at),"
                " (2, 1, 2, 1, 'Well done!', :no, :no, :at),"
                " (3, 1, 2, NULL, 'Buy pills here', :no, :yes, :at)",
                "INSERT INTO health_cheer (id, post_id, user_id) VALUES (1, 1, 2)",
                "INSERT INTO health_post_report (id, post_id, reporter_id, reason, resolved,"
                " created_at) VALUES (1, 3, 1, 'spam', :yes, :at), (2, 1, 2, '', :no, :at)",
            ]
            for sql in inserts:
                conn.execute(text(sql), {"at": at, "yes": True, "no": False})
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            spaces = dict(
                _rows(conn, "SELECT slug, id FROM community_space ORDER BY vertical, slug")
            )
            assert set(spaces) == {"circle", "move-more"}
            circle, move = spaces["circle"], spaces["move-more"]
            assert _rows(
                conn, "SELECT vertical, topic FROM community_space WHERE id = :i", i=move
            ) == [("health", "minutes")]
            assert _rows(
                conn, "SELECT current_book_id FROM retail_club WHERE space_id = :i", i=circle
            ) == [(1,)]
            assert _rows(
                conn, "SELECT reading FROM retail_club_reading WHERE space_id = :i", i=circle
            ) == [("Chapters 1-5",)]
            assert _rows(
                conn,
                "SELECT user_id FROM community_membership WHERE space_id = :i ORDER BY user_id",
                i=circle,
            ) == [(1,), (2,)]
            (thread,) = _rows(conn, "SELECT id FROM community_thread WHERE space_id = :i", i=circle)
            assert _rows(
                conn,
                "SELECT user_id, body FROM community_post WHERE thread_id = :t ORDER BY id",
                t=thread[0],
            ) == [(1, "The harbour master."), (2, "No, the cook.")]
            assert _rows(
                conn,
                "SELECT p.body, r.reason, r.status FROM community_report r"
                " JOIN community_post p ON p.id = r.post_id ORDER BY p.body",
            ) == [
                ("150 minutes!", "", "open"),
                ("Buy pills here", "spam", "hidden"),
                ("No, the cook.", "rude", "open"),
            ]
            assert _rows(conn, "SELECT user_id, review_id FROM retail_content_report") == [(1, 1)]
            posts = {
                body: (pid, parent)
                for pid, parent, body in _rows(
                    conn,
                    "SELECT id, parent_id, body FROM community_post WHERE space_id = :i",
                    i=move,
                )
            }
            assert posts["Well done!"][1] == posts["150 minutes!"][0]
            assert _rows(conn, "SELECT post_id, user_id, kind FROM community_reaction") == [
                (posts["150 minutes!"][0], 2, "cheer")
            ]
            names = set(db.inspect(conn).get_table_names())
            gone = {"retail_group", "retail_thread", "retail_post", "health_group", "health_post"}
            assert not names & gone
        db.engine.dispose()
    with app.app_context():
        # new rows get fresh ids after the copied ones (PostgreSQL's sequences moved on)
        from dcx.platform.community import services as community

        (space,) = community.ensure_spaces("retail", [{"slug": "new", "name": "New"}])
        assert space.id > max(circle, move)
        db.session.rollback()
        db.engine.dispose()
