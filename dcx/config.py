"""Settings, read from the environment when the app is created (never at import time).

Every variable is named in ``.env.example``. A laptop needs none of them: the database is a
SQLite file in ``instance/`` and a secret key is generated once and kept there.
"""

from __future__ import annotations

import os
import secrets
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
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables with laptop defaults."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'dcx.sqlite3'}"
    verticals = os.environ.get("DCX_VERTICALS")
    return {
        "SECRET_KEY": _secret_key(instance),
        "DEBUG": _bool(os.environ.get("FLASK_DEBUG")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DCX_VERTICALS": tuple(v.strip() for v in verticals.split(",") if v.strip())
        if verticals
        else DEFAULT_VERTICALS,
        "DCX_BRAND": os.environ.get("DCX_BRAND", "DCX Showcase"),
        "DCX_SHOWCASE": os.environ.get("DCX_SHOWCASE", "default"),
        "SIGNIN_MAX_FAILURES": int(os.environ.get("SIGNIN_MAX_FAILURES", "5")),
        "SIGNIN_WINDOW_MINUTES": int(os.environ.get("SIGNIN_WINDOW_MINUTES", "15")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        # Requests per device token (or address) on each ingest API route.
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
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5")),
        "NOTIFY_LEASE_SECONDS": int(os.environ.get("NOTIFY_LEASE_SECONDS", "600")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE")),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("en", "es", "ro"),
        "WTF_CSRF_TIME_LIMIT": None,
        "DCX_TOURS_SIGN_IN": _bool(os.environ.get("DCX_TOURS_SIGN_IN"), True),
        "GOVERNMENT_SOCIAL_WEBHOOK": os.environ.get("GOVERNMENT_SOCIAL_WEBHOOK", ""),
        # Open311 GeoReport v2: the API keys its clients send (comma-separated), and where the
        # city's map lies on Earth (its north-west corner, "lat,long").
        "OPEN311_API_KEYS": os.environ.get("OPEN311_API_KEYS", ""),
        "OPEN311_ORIGIN": os.environ.get("OPEN311_ORIGIN", "44.4400,26.0800"),
        "DCX_TAG_AUTHORITY": os.environ.get("DCX_TAG_AUTHORITY", ""),
        "JOBS_LEASE_SECONDS": int(os.environ.get("JOBS_LEASE_SECONDS", "600")),
    }
