"""Flask extensions, created unbound here and bound to an app in :func:`dcx.create_app`."""

from typing import TYPE_CHECKING, cast

from flask import Flask, current_app, g, has_app_context
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.local import LocalProxy


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so Alembic names constraints the same way
    on SQLite and PostgreSQL."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class RoutedSession(Session):
    """``db.session``, bound for one app context to the engine in ``g.dcx_bind`` when set.

    A showcase routes each request (or job) of a sandbox to that sandbox's own database by
    setting ``g.dcx_bind`` before the first query; everything else, and every other app
    context, keeps the configured database. Nothing global is switched.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        """The app context's chosen engine, else Flask-SQLAlchemy's choice."""
        if bind is None and has_app_context():
            chosen = g.get("dcx_bind")
            if chosen is not None:
                return chosen
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutedSession})

# The base of every model. ``db.Model`` is made at run time, so a type checker cannot see it
# as a class: to it, models derive from the declarative base they really extend.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def real_app() -> Flask:
    """The application behind ``current_app``, for code that outlives the app context
    (servers, threads) or must tell apps apart (signal senders)."""
    return cast(LocalProxy[Flask], current_app)._get_current_object()
