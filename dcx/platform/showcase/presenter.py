"""Presenter mode: who is presenting, "view as" a persona and back, the loaded brand.

The presenter is an admin. "View as" signs this browser in as a persona and remembers the
presenter's id in the signed session, so the presenter bar stays and "back" returns to the
admin account. Guided tours also sign a visitor in as the persona of a step, by a POST from
the step's own page (never by following a link). Both happen only in showcase mode and only
inside a sandbox (:mod:`dcx.platform.sandboxes`): a presenter or visitor who has none gets one.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, current_app, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.brand import DEFAULT_COLOUR
from dcx.platform.showcase.loader import STATE_KEY, ShowcaseError, read_showcase
from dcx.platform.showcase.models import ShowcaseState

PRESENTER_KEY = "dcx_presenter_id"


def presenter() -> User | None:
    """The admin presenting in this browser: the signed-in admin, or the one viewing as a persona."""
    if not current_user.is_authenticated:
        return None
    if current_user.is_admin:
        return current_user._get_current_object()
    presenter_id = session.get(PRESENTER_KEY)
    if presenter_id is None:
        return None
    user = db.session.get(User, presenter_id)
    return user if user is not None and user.is_admin else None


def in_own_sandbox() -> bool:
    """Whether this browser works in a sandbox of its own: there, its visitor presents."""
    from dcx.platform import sandboxes

    return sandboxes.enabled() and sandboxes.current() is not None


def presenter_required(view):
    """Allow only a presenter (an admin, an admin viewing as a persona, or anyone in their
    own sandbox, whose world it is); others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if presenter() is None and not in_own_sandbox():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def state() -> ShowcaseState | None:
    """The loaded showcase's row, or None before the first seed.

    Read once per request (the brand, the language and the showcase's name all ask for it,
    and a loaded row the session no longer holds would be read again for each); a seed or a
    reset in the request forgets it (:func:`~dcx.platform.showcase.loader.forget_state`)."""
    if not has_request_context():
        return db.session.get(ShowcaseState, 1)
    if STATE_KEY not in g:
        g.setdefault(STATE_KEY, db.session.get(ShowcaseState, 1))
    return g.get(STATE_KEY)


def showcase_name() -> str:
    """The name of the loaded showcase (the configured one before any seed)."""
    loaded = state()
    return loaded.name if loaded else current_app.config["DCX_SHOWCASE"]


def showcase_data(name: str | None = None) -> dict[str, Any]:
    """The showcase file's content, read once per app and showcase name."""
    name = name or showcase_name()
    cache = current_app.extensions.setdefault("dcx_showcase_cache", {})
    if name not in cache:
        try:
            cache[name] = read_showcase(name)
        except ShowcaseError:
            cache[name] = {"name": name, "brand": {"name": name}, "personas": [], "verticals": {}}
    return cache[name]


def personas() -> list[dict[str, Any]]:
    """The personas of the loaded showcase, with their accounts where they exist (one query)."""
    listed = showcase_data()["personas"]
    emails = [p["email"].lower() for p in listed]
    users = {
        u.email: u for u in db.session.execute(select(User).where(User.email.in_(emails))).scalars()
    }
    return [{**p, "user": users.get(p["email"].lower())} for p in listed]


def persona_user(key: str) -> User | None:
    """The account of the persona ``key`` in the loaded showcase, or None."""
    for p in personas():
        if p["key"] == key:
            return p["user"]
    return None


def language() -> str | None:
    """The language the loaded showcase was seeded in (the site's default), None before a seed."""
    loaded = state()
    return loaded.language if loaded is not None else None


TITLES = {"dr", "prof", "mr", "mrs", "ms"}


def short_name(name: str) -> str:
    """How a story calls a person: "Alex" for Alex Morgan, "Dr. Vidal" for Dr. Lucía Vidal."""
    parts = name.split()
    if len(parts) > 2 and parts[0].rstrip(".").lower() in TITLES:
        return f"{parts[0]} {parts[-1]}"
    return parts[0] if parts else name


class _Cast(dict):
    """Persona key -> short name; a key the showcase lacks reads as itself ("Bookseller")."""

    def __missing__(self, key: str) -> str:
        return key.replace("_", " ").capitalize()


def cast() -> dict[str, str]:
    """The loaded showcase's people by persona key, as the stories call them."""
    return _Cast({p["key"]: short_name(p["name"]) for p in showcase_data()["personas"]})


def with_cast(text: Any) -> str:
    """A story text with its ``%(alex)s``-style persona placeholders filled with the loaded
    showcase's people, so a branded showcase's tours and cards name its own people."""
    raw = str(text)
    if "%(" not in raw:
        return raw
    try:
        return raw % cast()
    except (TypeError, ValueError):  # a stray % in a translation: show the text as it is
        return raw


def brand() -> dict[str, str]:
    """The brand every page shows: the loaded showcase's, else the configured name."""
    loaded = state()
    if loaded is not None:
        return {"name": loaded.brand_name, "colour": loaded.brand_colour}
    return {"name": current_app.config["DCX_BRAND"], "colour": DEFAULT_COLOUR}
