"""Sandboxes on PostgreSQL: one database per sandbox, made by ``CREATE DATABASE ... TEMPLATE``.

Why a database per sandbox, not a schema per sandbox: a template copy is a server-side file
copy (no row is read or rewritten, so it takes a fraction of a second whatever the showcase
holds), every table, sequence and constraint comes along without naming any of them, and the
application needs no ``search_path`` tricks: a sandbox is just another URL. Dropping it is one
statement. Any host of a cluster reaches any sandbox, since its state is only in the server.

PostgreSQL copies a template only while nobody is connected to it, so the template is not the
main database (which web workers hold open) but a database of its own: a snapshot of the main
database's rows, streamed table by table with ``COPY`` (a fraction of a second for a
showcase), taken again when the main database is seeded anew, and then left alone.
"""

from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.schema import CreateIndex, CreateTable

from dcx.extensions import db
from dcx.platform.sandboxes import store


def _main_url() -> URL:
    return store.main_engine().url


def _prefix() -> str:
    return f"{_main_url().database}_sbx_"


def template_name() -> str:
    """The template database's name."""
    return f"{_prefix()}template"


def database_name(sandbox_id: str) -> str:
    """The sandbox's database name (the id is letters, digits, - and _: quoted, it is safe)."""
    if not store.SANDBOX_ID.fullmatch(sandbox_id):
        raise ValueError(sandbox_id)
    return f"{_prefix()}{sandbox_id}"


def _admin() -> Engine:
    return create_engine(_main_url().set(database="postgres"), isolation_level="AUTOCOMMIT")


def _exists(name: str) -> bool:
    admin = _admin()
    try:
        with admin.connect() as conn:
            return (
                conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).scalar()
                is not None
            )
    finally:
        admin.dispose()


@cache
def _schema_of(tables: tuple[str, ...]) -> str:
    """A fingerprint of the tables' definitions (columns, constraints, indexes) as
    PostgreSQL is told them; ``tables`` names them, so another set of verticals differs."""
    dialect = postgresql.dialect()
    statements = [
        str(ddl(item).compile(dialect=dialect))
        for table in db.metadata.sorted_tables
        for ddl, item in [(CreateTable, table), *((CreateIndex, i) for i in table.indexes)]
    ]
    return hashlib.sha256("\n".join(sorted(statements)).encode()).hexdigest()[:16]


def _marker() -> tuple[str, str]:
    """(the schema's fingerprint, the loaded showcase): what the template holds."""
    loaded = store._loaded_showcase()
    schema = _schema_of(tuple(db.metadata.tables))
    return schema, f"{schema}|{loaded['name']}|{loaded['language']}|{loaded['loaded_at']}"


def _comment(conn: Connection, name: str, marker: str) -> None:
    quoted = marker.replace("'", "''")
    conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{quoted}'"))


def ensure_template() -> str:
    """The template database, seeded with the loaded showcase (again if that changed).

    A template of the same schema is emptied and filled again: making the tables of a new
    database was most of a reset's time (a second or two for some hundred tables and their
    indexes). Its comment says what it holds; while it is being filled it says only the schema,
    so a fill that fails half-way is never taken for a finished one."""
    name = template_name()
    schema, marker = _marker()
    admin = _admin()
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": name},
            ).first()
            if found is not None and found[0] == marker:
                return name
            same_schema = found is not None and (found[0] or "").split("|")[0] == schema
            if not same_schema:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            _comment(conn, name, schema)
        _seed(name, empty_first=same_schema)
        with admin.connect() as conn:
            _comment(conn, name, marker)
    finally:
        admin.dispose()
    return name


def _seed(name: str, empty_first: bool = False) -> None:
    """Fill the template database with the main database's rows (COPY, table by table,
    parents first), leaving out what :data:`store.NOT_COPIED` names, then move each id
    sequence past the copied ids. A new database gets its tables first; with
    ``empty_first`` it has them, and what an earlier fill left is emptied."""
    engine = create_engine(_main_url().set(database=name))
    try:
        if empty_first:
            with engine.begin() as conn:
                every = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {every}"))
        else:
            db.metadata.create_all(engine)
        source = store.main_engine().raw_connection()
        target = engine.raw_connection()
        try:
            src, dst = source.cursor(), target.cursor()
            for table in db.metadata.sorted_tables:
                if table.name in store.NOT_COPIED:
                    continue
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                with (
                    src.copy(f'COPY "{table.name}" ({columns}) TO STDOUT') as out,
                    dst.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as into,
                ):
                    for block in out:
                        into.write(block)
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto" and column.type.python_type is int
                    ):
                        dst.execute(_restart_sequence(table.name, column.name))
            target.commit()
            source.rollback()
        finally:
            source.close()
            target.close()
    finally:
        engine.dispose()


def _restart_sequence(table: str, column: str) -> str:
    """Move the column's id sequence past the ids copied (names from the models, not input)."""
    sequence = f"pg_get_serial_sequence('\"{table}\"', '{column}')"
    return f'SELECT setval({sequence}, COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table}"'  # noqa: S608  # nosec B608


def create(sandbox_id: str) -> None:
    """A new database for the sandbox, a copy of the template (made again if it exists)."""
    template = ensure_template()
    name = database_name(sandbox_id)
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()


def url(sandbox_id: str) -> URL | None:
    """The sandbox database's URL, or None when it does not exist."""
    name = database_name(sandbox_id)
    return _main_url().set(database=name) if _exists(name) else None


def size(sandbox_id: str) -> int:
    """Bytes the sandbox's database takes on the server (0 when it is gone)."""
    admin = _admin()
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT pg_database_size(datname) FROM pg_database WHERE datname = :name"),
                {"name": database_name(sandbox_id)},
            ).scalar()
    finally:
        admin.dispose()
    return int(found or 0)


def drop(sandbox_id: str) -> None:
    """Drop the sandbox's database."""
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(
                text(f'DROP DATABASE IF EXISTS "{database_name(sandbox_id)}" WITH (FORCE)')
            )
    finally:
        admin.dispose()


def stored_ids() -> set[str]:
    """Every sandbox id with a database on the server."""
    admin = _admin()
    prefix = _prefix()
    try:
        with admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                {"prefix": prefix},
            ).scalars()
            ids = {n[len(prefix) :] for n in names}
    finally:
        admin.dispose()
    return {i for i in ids if store.SANDBOX_ID.fullmatch(i)}


def drop_all() -> None:
    """Drop every sandbox database and the template (tests, and tearing a showcase down)."""
    for sandbox_id in stored_ids():
        drop(sandbox_id)
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template_name()}" WITH (FORCE)'))
    finally:
        admin.dispose()
