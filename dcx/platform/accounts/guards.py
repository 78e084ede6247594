"""Who may open a page: one staff guard for every vertical's workspace.

A vertical's staff pages live on a nested ``staff`` blueprint made by :func:`staff_blueprint`;
its ``before_request`` guard runs for every route on it, so a new staff page cannot forget
the check. Signed-out visitors are sent to sign in; customers and other departments get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort
from flask_login import current_user
from werkzeug.wrappers import Response

from dcx.extensions import login_manager


def require_department(key: str) -> Callable[[], Response | None]:
    """A ``before_request`` hook: only staff of department ``key`` (or admins) pass."""

    def guard() -> Response | None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.serves(key):
            abort(403)
        return None

    guard.__name__ = f"require_{key}_department"
    return guard


def staff_blueprint(key: str, import_name: str, **options: Any) -> Blueprint:
    """The staff workspace of vertical ``key``: a blueprint named ``staff`` to nest under the
    vertical's own (``/<key>/staff/...``, endpoints ``<key>.staff.<view>``), guarded as a whole."""
    bp = Blueprint("staff", import_name, **options)
    bp.before_request(require_department(key))
    return bp
