"""Where sandboxes live: a template, one database per sandbox, one folder for its uploads.

Uploads (street report photos ...) live under ``UPLOAD_ROOT`` (default: the instance folder),
the main showcase's at its top and each sandbox's in ``sandboxes/<id>/`` there: with several
hosts it is one shared volume, so any host serves any sandbox's files. SQLite copies live in
``DCX_SANDBOX_DIR`` (default ``instance/sandboxes``), which one host alone uses.

On SQLite (the laptop) the template is a snapshot of the main database as seeded, taken with
SQLite's backup API, and a sandbox is a plain copy of that file: copying a few megabytes takes
milliseconds, where seeding takes seconds. On PostgreSQL a sandbox is
``CREATE DATABASE ... TEMPLATE``, a file-level copy made by the server (see
:mod:`.postgres`). Each sandbox has an engine of its own, made on first use and kept per app.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import create_engine, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from dcx.extensions import db, real_app

SANDBOX_ID = re.compile(r"[A-Za-z0-9_-]{22}")
# What a copy must not carry over from the main database: who is signed in there, who failed
# to, and the register of other sandboxes.
NOT_COPIED = ("account_session", "account_signin_failure", "sandbox_visit", "sandbox")

_lock = threading.Lock()


class SandboxUnavailable(RuntimeError):
    """No template can be made: the main database holds no seeded showcase."""


def main_engine() -> Engine:
    """The showcase's own database, whatever the request is routed to."""
    return db.engines[None]


def is_postgresql() -> bool:
    """Whether sandboxes are PostgreSQL databases (else SQLite files)."""
    return main_engine().dialect.name == "postgresql"


def root() -> Path:
    """The folder holding the template and each sandbox's database file (SQLite)."""
    folder = Path(
        current_app.config.get("DCX_SANDBOX_DIR") or Path(current_app.instance_path) / "sandboxes"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_root() -> Path:
    """Where uploaded files go (``UPLOAD_ROOT``; a shared volume when several hosts serve)."""
    return Path(current_app.config.get("UPLOAD_ROOT") or current_app.instance_path)


def _uploads_of_sandboxes() -> Path:
    return upload_root() / "sandboxes"


def _uploads_folder(sandbox_id: str) -> Path:
    if not SANDBOX_ID.fullmatch(sandbox_id):
        raise ValueError(sandbox_id)
    return _uploads_of_sandboxes() / sandbox_id


def uploads(sandbox_id: str) -> Path:
    """The sandbox's own folder for files (photos ...), made on demand."""
    folder = _uploads_folder(sandbox_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _delete_uploads(sandbox_id: str) -> None:
    shutil.rmtree(_uploads_folder(sandbox_id), ignore_errors=True)


def _database_file(sandbox_id: str) -> Path:
    return root() / f"{sandbox_id}.db"


def _loaded_showcase() -> dict[str, str]:
    from dcx.platform.showcase.models import ShowcaseState

    with main_engine().connect() as conn:
        row = conn.execute(
            select(ShowcaseState.name, ShowcaseState.language, ShowcaseState.loaded_at).where(
                ShowcaseState.id == 1
            )
        ).first()
    if row is None:
        raise SandboxUnavailable("no showcase is loaded: run `flask dcx seed` first")
    return {"name": row.name, "language": row.language, "loaded_at": str(row.loaded_at)}


def template_language() -> str:
    """The language sandboxes are copied in: the main database's showcase's."""
    return _loaded_showcase()["language"]


def template_file() -> Path:
    """The template: a snapshot of the main database as seeded, taken again when the main
    database is seeded anew (another showcase, another language, a reset)."""
    loaded = _loaded_showcase()
    target = root() / "template.db"
    marker = root() / "template.json"
    with _lock:
        if target.is_file() and marker.is_file() and json.loads(marker.read_text()) == loaded:
            return target
        _snapshot_main(target)
        marker.write_text(json.dumps(loaded))
    return target


def _snapshot_main(target: Path) -> None:
    source = main_engine().url.database
    # a name of this process and thread: two web workers may snapshot at the same moment
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.partial")
    with sqlite3.connect(str(source)) as src, sqlite3.connect(str(partial)) as dst:
        src.backup(dst)
        for table in NOT_COPIED:
            dst.execute(f'DELETE FROM "{table}"')  # noqa: S608  # nosec B608 (names from the code above)
        dst.commit()
        # one self-contained file, so that a copy of it is a whole database
        dst.execute("PRAGMA journal_mode=DELETE")
    os.replace(partial, target)


def copy_template(sandbox_id: str) -> None:
    """Make (or make again) the sandbox's database from the template, with no uploads."""
    if is_postgresql():
        from dcx.platform.sandboxes import postgres

        postgres.create(sandbox_id)
    else:
        template = template_file()
        target = _database_file(sandbox_id)
        partial = target.with_suffix(".partial")
        shutil.copyfile(template, partial)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
    _delete_uploads(sandbox_id)


def _engines(app: Flask) -> dict[str, Engine]:
    return app.extensions.setdefault("dcx_sandbox_engines", {})


def _opened_files(app: Flask) -> dict[str, tuple[int, int]]:
    return app.extensions.setdefault("dcx_sandbox_files", {})


def engine(sandbox_id: str) -> Engine | None:
    """The sandbox's engine (made once per app), or None when its database is gone.

    On SQLite a reset replaces the sandbox's file with a fresh copy (a rename, in whichever
    worker the presenter pressed it): an engine that another worker opened on the file it
    replaced would go on serving the old database, and keep its disk held, unseen by the
    sweep. So the file is checked on each use (one ``stat``) and an engine on a replaced file
    is closed and made anew. On PostgreSQL the reset's ``DROP DATABASE ... WITH (FORCE)``
    ends every worker's connections to the old database, and the next connects to the new."""
    app = real_app()
    engines = _engines(app)
    found = engines.get(sandbox_id)
    url: URL | str | None
    if is_postgresql():
        if found is not None:
            return found
        from dcx.platform.sandboxes import postgres

        url = postgres.url(sandbox_id)
        if url is None:
            return None
        identity = (0, 0)
    else:
        path = _database_file(sandbox_id)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        identity = (stat.st_dev, stat.st_ino)
        if found is not None and _opened_files(app).get(sandbox_id) == identity:
            return found
        url = f"sqlite:///{path}"
    with _lock:
        found = engines.get(sandbox_id)
        if found is not None and _opened_files(app).get(sandbox_id) != identity:
            found.dispose()  # it holds the file a reset replaced
            found = None
        if found is None:
            found = engines[sandbox_id] = _create_engine(url)
            _opened_files(app)[sandbox_id] = identity
    return found


def _create_engine(url: URL | str) -> Engine:
    """A sandbox's engine. On PostgreSQL it keeps no idle connection: a pool per sandbox in
    every worker of every host would hold (sandboxes x workers) connections open, past the
    server's ``max_connections`` (100 by default) long before the cap of sandboxes, so each
    use connects (a few milliseconds on a local network). A SQLite connection is a file
    handle: it stays pooled."""
    if is_postgresql():
        return create_engine(url, poolclass=NullPool)
    return create_engine(url, pool_pre_ping=True)


def forget_engine(sandbox_id: str) -> None:
    """Close the sandbox's connections (before its database is replaced or deleted)."""
    app = real_app()
    _opened_files(app).pop(sandbox_id, None)
    found = _engines(app).pop(sandbox_id, None)
    if found is not None:
        found.dispose()


def delete(sandbox_id: str) -> None:
    """Delete the sandbox's database and uploads."""
    forget_engine(sandbox_id)
    if is_postgresql():
        from dcx.platform.sandboxes import postgres

        postgres.drop(sandbox_id)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_database_file(sandbox_id)}{suffix}").unlink(missing_ok=True)
    _delete_uploads(sandbox_id)


def size(sandbox_id: str) -> int:
    """Bytes the sandbox takes: its database (the file, or the server's database) and its
    folder of uploads."""
    total = 0
    if is_postgresql():
        from dcx.platform.sandboxes import postgres

        total += postgres.size(sandbox_id)
    else:
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{_database_file(sandbox_id)}{suffix}")
            if path.is_file():
                total += path.stat().st_size
    folder = _uploads_folder(sandbox_id)
    if folder.is_dir():
        total += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return total


def stored_ids(older_than: float = 300.0) -> set[str]:
    """The ids of every sandbox with a database or a folder of uploads untouched for
    ``older_than`` seconds (to find orphans; a sandbox being made this moment is left be)."""
    found = set()
    horizon = time.time() - older_than
    uploads_of_sandboxes = _uploads_of_sandboxes()
    folders = [root(), uploads_of_sandboxes] if uploads_of_sandboxes.is_dir() else [root()]
    for path in (path for folder in folders for path in folder.iterdir()):
        name = path.name.split(".", 1)[0]  # <id>.db, <id>.db-wal, <id>/ ...
        if SANDBOX_ID.fullmatch(name) and path.stat().st_mtime < horizon:
            found.add(name)
    if is_postgresql():
        from dcx.platform.sandboxes import postgres

        found |= postgres.stored_ids()
    return found
