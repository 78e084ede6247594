"""DCX Showcase: digital customer experience in six industries, one Flask application.

:func:`create_app` is the only place that wires the application together; it reads as a
table of contents of ``register_*`` steps.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_timezone
from flask_login import current_user
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import event
from sqlalchemy.engine import Engine

from dcx import filters
from dcx.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from dcx.routing import LazyBuilderRule
from dcx.verticals import migration_folders, register_verticals

LANGUAGE_LABELS = (("en", "English"), ("es", "Español"), ("ro", "Română"))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    from dcx.config import from_environment

    config = dict(config or {})
    app = Flask(
        __name__, instance_path=config.pop("INSTANCE_PATH", None), instance_relative_config=True
    )
    app.url_rule_class = LazyBuilderRule
    app.config.update(from_environment(app.instance_path))
    app.config.update(config)
    configure_logger(app)
    register_converters(app)
    register_security_headers(app)
    register_extensions(app)
    register_platform(app)
    register_verticals(app)
    register_errorhandlers(app)
    register_template_context(app)
    register_shellcontext(app)
    register_commands(app)
    register_assets(app)
    return app


def configure_logger(app: Flask) -> None:
    """Log at INFO to stderr, which gunicorn and the demo both show; secrets that addresses
    carry are masked in the app's and the access logs."""
    from dcx.platform.logs import install_secret_masking

    if not app.debug:
        app.logger.setLevel(logging.INFO)
    install_secret_masking(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite for several workers: WAL, a busy timeout and foreign keys on."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _select_locale() -> str:
    languages = ("en", "es", "ro")
    # A showcase seeded in Spanish or Romanian speaks it to every visitor who has not chosen,
    # and so do jobs and commands (which have no visitor; a message renders in its
    # recipient's language with notify's ``in_locale``).
    provider = current_app.extensions.get("dcx_default_language")
    if not has_request_context():
        seeded = provider() if provider is not None else None
        return seeded if seeded in languages else "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    seeded = provider() if provider is not None else None
    if seeded in languages and seeded != "en":
        return seeded
    return request.accept_languages.best_match(languages) or "en"


def register_converters(app: Flask) -> None:
    """Input checked where it enters (set before any rule is added): bounded ``int`` ids in
    URLs, queries and forms, NUL characters refused, one strict JSON reader."""
    from dcx.platform import inputs

    inputs.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Security headers on every response; HTTPS seen through the configured proxies."""
    from dcx.platform import security_headers

    security_headers.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of :mod:`dcx.extensions`."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side rows, see accounts
    from dcx.platform.timezones import select_timezone

    babel.init_app(app, locale_selector=_select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    limiter.init_app(app)


@migrate.configure
def _version_locations(config: Any) -> Any:
    """Alembic reads the platform's branch in migrations/versions and each loaded vertical's
    branch in its own package."""
    platform = str(Path(config.get_main_option("script_location")) / "versions")
    folders = [platform, *migration_folders(current_app.config["DCX_VERTICALS"])]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(folders))
    return config


PLATFORM_PACKAGES = (
    "sandboxes",  # first: it routes a request to its sandbox before anything reads the database
    "accounts",
    "site",
    "api",
    "jobs",
    "notify",
    "timeline",
    "drafts",
    "showcase",
    "assessment",
    "pwa",
    "community",
)


def register_platform(app: Flask) -> None:
    """Let each platform package register its models, blueprints, jobs and menu entries."""
    from dcx.platform import clock, simulation  # noqa: F401  (their tables)

    app.extensions["dcx_user_nav"] = []
    app.extensions["dcx_profile_links"] = []
    app.extensions["dcx_platform_jobs"] = []
    app.extensions["dcx_demo_starters"] = []
    app.extensions["dcx_scripts"] = []  # (endpoint, filename) loaded on every page
    for name in PLATFORM_PACKAGES:
        importlib.import_module(f"dcx.platform.{name}").init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Every HTTP error and any unexpected exception render the shared error page."""
    from werkzeug.exceptions import HTTPException

    from dcx.platform.logs import log_failure
    from dcx.platform.site.outage import fault_behind, render_outage, rollback_quietly
    from dcx.platform.site.views import render_error

    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        rollback_quietly()
        log_failure(app.logger, error, "unhandled error on %s", request.path)
        if (
            fault_behind(error) is not None
        ):  # a full, read-only or unreachable database: a 503 saying so
            return render_outage(error)
        return render_error(error)


def register_template_context(app: Flask) -> None:
    """Brand, verticals, languages, navigation and the filters every template uses."""
    from dcx.platform import brand, clock
    from dcx.verticals import registry

    filters.register(app)
    if app.config.get("TEMPLATE_CACHE_DIR"):
        folder = Path(app.config["TEMPLATE_CACHE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))

    @app.context_processor
    def _shell():
        user_nav = []
        if current_user.is_authenticated:
            for provider in app.extensions["dcx_user_nav"]:
                user_nav.extend(provider(current_user))
        return {
            "brand": brand.current(),
            "verticals": list(registry()),
            "languages": LANGUAGE_LABELS,
            "current_locale": _select_locale() if request else "en",
            "current_timezone": str(get_timezone()),
            "user_nav": user_nav,
            "nav_extra": [],
            "profile_links": [
                link for provider in app.extensions["dcx_profile_links"] for link in provider()
            ],
            "showcase_now": clock.now(),
            "platform_scripts": app.extensions["dcx_scripts"],
        }

    @app.before_request
    def _reset_clock_cache():
        g.pop("_dcx_clock_offset", None)


def register_assets(app: Flask) -> None:
    """Hashed, precompressed static files served in front of the app; pages compressed.

    Last, because it reads every blueprint's static folder and wraps the WSGI application.
    """
    from dcx.platform import assets

    assets.init_app(app)


def register_shellcontext(app: Flask) -> None:
    """`flask shell` starts with the database and models at hand."""
    from dcx.platform.accounts.models import User

    app.shell_context_processor(lambda: {"db": db, "User": User})


def register_commands(app: Flask) -> None:
    """The `flask dcx ...` command group."""
    from dcx.cli import dcx_group
    from dcx.verticals import registry

    with app.app_context():
        for vertical in registry():
            if vertical.cli is not None:
                dcx_group.add_command(vertical.cli, vertical.key)
    app.cli.add_command(dcx_group)
