"""Settings, read from the environment when the app is created (never at import time).

Every variable is named in ``.env.example``. A laptop needs none of them: the database is a
SQLite file in ``instance/`` and a secret key is generated once and kept there.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

DEFAULT_VERTICALS = (
    "dcx.automotive",
    "dcx.banking",
    "dcx.education",
    "dcx.government",
    "dcx.health",
    "dcx.retail",
)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/.

    Several processes may start together on a fresh ``instance/`` (gunicorn's workers, the
    scheduler): each writes a candidate key to a private temporary file and links it to the
    key's name, which succeeds for exactly one of them and never shows a half-written file.
    Every process then reads back the key that won.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd, candidate = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as out:  # mkstemp creates it 0600
                out.write(secrets.token_hex(32))
                out.flush()
                os.fsync(out.fileno())
            os.link(candidate, key_file)  # exclusive: fails if another process won
        except FileExistsError:
            pass
        finally:
            os.unlink(candidate)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: delete it to have a new key generated")
    return key


def _private_instance(instance: Path, database_url: str) -> None:
    """Keep instance/ (keys, the SQLite file, uploads) readable by its owner only.

    The SQLite file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm
    files the database file's permissions.
    """
    instance.mkdir(parents=True, exist_ok=True)
    instance.chmod(0o700)
    sqlite_file = instance / "dcx.sqlite3"
    if database_url == f"sqlite:///{sqlite_file}":
        with contextlib.suppress(FileExistsError):
            os.close(os.open(sqlite_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if sqlite_file.stat().st_mode & 0o077:
            sqlite_file.chmod(0o600)


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables with laptop defaults."""
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'dcx.sqlite3'}"
    _private_instance(instance, database_url)
    verticals = os.environ.get("DCX_VERTICALS")
    return {
        "SECRET_KEY": _secret_key(instance),
        "DEBUG": _bool(os.environ.get("FLASK_DEBUG")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A failed statement's error names the statement, never its values (e-mails, texts).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "DCX_VERTICALS": tuple(v.strip() for v in verticals.split(",") if v.strip())
        if verticals
        else DEFAULT_VERTICALS,
        "DCX_BRAND": os.environ.get("DCX_BRAND", "DCX Showcase"),
        "DCX_SHOWCASE": os.environ.get("DCX_SHOWCASE", "default"),
        "SIGNIN_MAX_FAILURES": int(os.environ.get("SIGNIN_MAX_FAILURES", "5")),
        "SIGNIN_WINDOW_MINUTES": int(os.environ.get("SIGNIN_WINDOW_MINUTES", "15")),
        # New accounts per address (Flask-Limiter's notation).
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "10/hour"),
        # memory:// counts per process: each gunicorn worker has its own budget. Several
        # workers or hosts share one through redis://127.0.0.1:6379 (the "redis" extra).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        # Accepted requests per device token on each ingest API route; refused requests (no,
        # unknown or revoked token) per address across them all.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600/minute"),
        # Where people reach the site: links in emails are made absolute with it.
        "DCX_BASE_URL": os.environ.get("DCX_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "showcase@dcx.example"),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "10")),
        "NOTIFY_BACKOFF_MAX_MINUTES": int(os.environ.get("NOTIFY_BACKOFF_MAX_MINUTES", "1440")),
        "NOTIFY_LEASE_SECONDS": int(os.environ.get("NOTIFY_LEASE_SECONDS", "600")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        # A signed-in session ends after this long without a request, and this long after
        # sign-in however active (wall-clock time, not the demo clock's).
        "SESSION_IDLE_HOURS": float(os.environ.get("SESSION_IDLE_HOURS", "12")),
        "SESSION_MAX_DAYS": float(os.environ.get("SESSION_MAX_DAYS", "30")),
        "REMEMBER_COOKIE_DURATION": timedelta(days=float(os.environ.get("SESSION_MAX_DAYS", "30"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE")),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none, trust
        # no such header). With one, a request that reached the proxy over HTTPS gets HSTS and
        # Secure cookies.
        "DCX_PROXY_COUNT": int(os.environ.get("DCX_PROXY_COUNT", "0")),
        "BOOTSTRAP_SERVE_LOCAL": True,
        # hashed, precompressed copies of the static files (built on start when missing)
        "ASSETS_ROOT": os.environ.get("ASSETS_ROOT") or str(instance / "assets"),
        # Where compiled templates are kept between processes (Jinja's bytecode cache; a
        # template whose source changed is compiled again). Empty: compiled in each process.
        "TEMPLATE_CACHE_DIR": os.environ.get("TEMPLATE_CACHE_DIR", ""),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("en", "es", "ro"),
        "WTF_CSRF_TIME_LIMIT": None,
        # A showcase (sandboxes per visitor, persona sign-in inside them); off anywhere real.
        "DCX_SHOWCASE_MODE": _bool(os.environ.get("DCX_SHOWCASE_MODE")),
        "DCX_SANDBOX_IDLE_MINUTES": int(os.environ.get("DCX_SANDBOX_IDLE_MINUTES", "120")),
        "DCX_SANDBOX_MAX": int(os.environ.get("DCX_SANDBOX_MAX", "200")),
        "DCX_SANDBOX_MAX_PER_ADDRESS": int(os.environ.get("DCX_SANDBOX_MAX_PER_ADDRESS", "10")),
        # Sandbox databases (SQLite copies; one host's own).
        "DCX_SANDBOX_DIR": os.environ.get("DCX_SANDBOX_DIR", ""),
        # Uploaded files (the main showcase's, and each sandbox's in sandboxes/<id>/): a volume
        # every host mounts when several hosts serve.
        "UPLOAD_ROOT": os.environ.get("UPLOAD_ROOT") or str(instance),
        "GOVERNMENT_SOCIAL_WEBHOOK": os.environ.get("GOVERNMENT_SOCIAL_WEBHOOK", ""),
        # Open311 GeoReport v2: the API keys its clients send (comma-separated), the city's
        # jurisdiction_id (empty: the host name of DCX_BASE_URL), and where the city's map lies
        # on Earth (its north-west corner, "lat,long").
        "OPEN311_API_KEYS": os.environ.get("OPEN311_API_KEYS", ""),
        "OPEN311_JURISDICTION_ID": os.environ.get("OPEN311_JURISDICTION_ID", ""),
        "OPEN311_ORIGIN": os.environ.get("OPEN311_ORIGIN", "44.4400,26.0800"),
        "DCX_TAG_AUTHORITY": os.environ.get("DCX_TAG_AUTHORITY", ""),
        "JOBS_LEASE_SECONDS": int(os.environ.get("JOBS_LEASE_SECONDS", "600")),
        # Rows a page of a staff list shows (customers, patients, vehicles ...).
        "DCX_STAFF_PAGE_SIZE": int(os.environ.get("DCX_STAFF_PAGE_SIZE", "25")),
    }
