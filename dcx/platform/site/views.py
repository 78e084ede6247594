"""Home page with the six stories, the language switch and the error pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from dcx.platform.accounts.services import is_safe_next
from dcx.platform.site.overview import overview_for
from dcx.platform.site.workspaces import workspaces_for
from dcx.verticals import registry

bp = Blueprint("site", __name__, template_folder="templates")


@bp.route("/")
def home():
    """The six stories as cards; for a signed-in customer, first what needs their attention;
    for staff, first their workspace."""
    overview = None
    if current_user.is_authenticated and current_user.role == "customer":
        overview = overview_for(current_user.id)
    return render_template(
        "site/home.html",
        stories=list(registry()),
        overview=overview,
        workspaces=workspaces_for(current_user),
    )


@bp.route("/language/<code>")
def language(code: str):
    """Remember the chosen language for this browser and go back where the visitor was."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("site.home"))


@bp.route("/healthz")
def healthz():
    """Liveness probe for gunicorn deployments."""
    return {"status": "ok"}


_MESSAGES = {
    400: _l("The request could not be understood. Please check what you entered."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find that page."),
    405: _l("That action is not allowed here."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing you entered was lost."),
}


def render_error(error: Exception):
    """One error page in the shared layout; JSON for the API."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    description = getattr(error, "description", None) if code != 500 else None
    message = str(_MESSAGES.get(code, _MESSAGES[400]))
    if request.path.startswith("/api/"):
        return jsonify(error=description or message, status=code), code
    return render_template("site/error.html", code=code, message=message, detail=description), code
