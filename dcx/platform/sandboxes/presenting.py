"""What the sales team learns: the live and recent sandboxes, what each visited and for how
long, and a way to open one. Only the showcase's own admin, on the main database, sees it: a
visitor is admin of nothing but their own copy."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, render_template, session, url_for
from flask_login import current_user

from dcx.platform import sandboxes
from dcx.platform.sandboxes import services
from dcx.platform.sandboxes.views import bp
from dcx.verticals import registry


def showcase_admin_required(view):
    """Only an admin of the showcase itself (signed in on the main database); 403 otherwise."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not sandboxes.enabled():
            abort(404)
        if (
            sandboxes.current() is not None
            or not current_user.is_authenticated
            or not current_user.is_admin
        ):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/all")
@showcase_admin_required
def overview():
    """The live and recent sandboxes: when, in which language, which stories and steps."""
    titles = {v.key: v.title for v in registry()}
    return render_template("sandboxes/overview.html", reports=services.reports(), titles=titles)


@bp.route("/<sandbox_id>/open", methods=["POST"])
@showcase_admin_required
def open_sandbox(sandbox_id: str):
    """Open a visitor's sandbox in this browser (signed in as nobody there)."""
    if services.live(sandbox_id) is None:
        abort(404)
    session.clear()
    session[sandboxes.SESSION_KEY] = sandbox_id
    return redirect(url_for("site.home"))
