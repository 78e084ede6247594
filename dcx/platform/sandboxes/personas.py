"""In a showcase, the seeded personas exist for visitors only inside sandboxes.

The showcase's files publish its personas' passwords (and those of the other accounts a seed
makes, such as staff and readers), so anyone can type them. On the main database of a showcase
they would open the shared world: its clock, its reset, the presenter's list of sandboxes. So,
in showcase mode, a sign-in as a seeded account outside a sandbox first makes a sandbox (with
the same caps as "Try it yourself") and signs the visitor in as that account inside it, and a
session on the main database is never honoured for a persona. The main database is operated by
an account nobody published: ``flask dcx create-admin``. Outside showcase mode nothing changes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, session
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dcx.extensions import db
from dcx.platform import sandboxes
from dcx.platform.accounts.models import User


def _walk_passwords(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.endswith("password") and isinstance(value, str):
                found.add(value)
            else:
                _walk_passwords(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk_passwords(item, found)


def published() -> tuple[frozenset[str], frozenset[str]]:
    """The loaded showcase's persona emails and every password its files publish (cached)."""
    from dcx.platform.showcase import presenter as presenting

    data = presenting.showcase_data()
    cache = current_app.extensions.setdefault("dcx_published_accounts", {})
    name = data.get("name", "")
    if name not in cache:
        passwords: set[str] = set()
        _walk_passwords(data, passwords)
        emails = frozenset(str(p.get("email", "")).lower() for p in data.get("personas", []))
        cache[name] = (emails, frozenset(passwords))
    return cache[name]


def guarded() -> bool:
    """Whether this request is a showcase's main database, where personas are not let in."""
    return sandboxes.enabled() and sandboxes.current() is None


def is_persona(user: User, password: str | None = None) -> bool:
    """Whether ``user`` is a seeded persona: a persona's email, or (when the password just
    typed is known) an account opened with a password the showcase's files publish."""
    emails, passwords = published()
    return user.email.lower() in emails or (password is not None and password in passwords)


def allowed_on_main(user: User | None) -> bool:
    """False for a persona's session on a showcase's main database (it is not honoured)."""
    return user is None or not guarded() or not is_persona(user)


def sign_in_inside_sandbox(email: str, target: str) -> Response | tuple[str, int]:
    """Make this browser a sandbox, sign it in there as ``email`` and go to ``target``; the
    cap's page when no sandbox can be made."""
    from dcx.platform.accounts.services import find_user
    from dcx.platform.accounts.views import sign_in
    from dcx.platform.sandboxes.views import start_or_refusal

    db.session.commit()  # the main database's side of the sign-in (failures cleared)
    refusal = start_or_refusal()
    if refusal is not None:
        return refusal
    user = find_user(email)
    if user is None:  # a persona the copy does not hold (seeded after it was taken)
        abort(404)
    sign_in(user)
    session[sandboxes.SESSION_KEY] = sandboxes.current()
    db.session.commit()
    flash(
        _("You are signed in as %(name)s in your own copy of the showcase.", name=user.name), "info"
    )
    return redirect(target)
