"""Home page with the six stories, the language switch and the error pages."""

from __future__ import annotations

from datetime import datetime

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
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dcx.platform.accounts.models import Role
from dcx.platform.accounts.services import SINCE_SESSION_KEY, is_safe_next
from dcx.platform.site.outage import database_fault, fault_behind, render_outage, rollback_quietly
from dcx.platform.site.overview import overview_for
from dcx.platform.site.workspaces import workspaces_for
from dcx.verticals import registry

bp = Blueprint("site", __name__, template_folder="templates")


@bp.route("/")
def home():
    """The six stories as cards; for a signed-in customer, first what needs their attention;
    for staff, first their workspace."""
    overview = None
    if current_user.is_authenticated and current_user.role == Role.CUSTOMER:
        overview = overview_for(current_user.id, _previous_visit())
    return render_template(
        "site/home.html",
        stories=list(registry()),
        overview=overview,
        workspaces=workspaces_for(current_user),
    )


def _previous_visit() -> datetime | None:
    """When the signed-in customer's previous visit began, as their sign-in noted it in the
    session; a session restored without one counts from this visit's sign-in."""
    raw = session.get(SINCE_SESSION_KEY)
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    return current_user.last_seen_at


@bp.route("/language/<code>")
def language(code: str):
    """Remember the chosen language for this browser and go back where the visitor was."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("site.home"))


@bp.route("/favicon.ico")
def favicon_ico():
    """The brand's icon for browsers and tools that ask for /favicon.ico on their own."""
    from dcx.platform import brand
    from dcx.platform.site import favicon

    response = current_app.response_class(favicon.ico(brand.current()["colour"]))
    response.mimetype = "image/vnd.microsoft.icon"
    response.cache_control.max_age = 3600
    return response


@bp.route("/favicon.svg")
def favicon_svg():
    """The brand's icon (its colour and initial), linked from every page."""
    from dcx.platform import brand
    from dcx.platform.site import favicon

    current = brand.current()
    response = current_app.response_class(favicon.svg(current["name"], current["colour"]))
    response.mimetype = "image/svg+xml"
    response.cache_control.max_age = 3600
    return response


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
    410: _l("This page is no longer here."),
    500: _l("Something went wrong on our side. Nothing you entered was lost."),
    503: _l("The showcase is busy for a moment."),
}

# What to do next, in the visitor's language: shown instead of Werkzeug's own (English)
# explanation of an error; an explanation the app wrote itself (``abort(400, _("..."))``) stays.
_EXPLANATIONS = {
    400: _l("Go back, check the form and send it again."),
    401: _l("Sign in, then open the page again."),
    403: _l(
        "This page belongs to someone else or needs another role. Sign in as the right person, or go back."
    ),
    404: _l("The address may be mistyped, or what it pointed to was removed."),
    405: _l("Go back and use the page's own buttons and links."),
    410: _l("What it pointed to was removed."),
    413: _l("Send a smaller file or less text."),
    429: _l("Wait a few minutes before trying again."),
    503: _l("Please try again in a minute."),
}


def _explanation(error: Exception, code: int) -> str | None:
    """The explanation under the error's title: the app's own words, else a translated one."""
    description = getattr(error, "description", None) if code < 500 else None
    if description and description != getattr(type(error), "description", None):
        return str(description)
    text = _EXPLANATIONS.get(code)
    return str(text) if text is not None else None


def _protocol_headers(error: Exception, code: int) -> dict[str, str]:
    """The headers HTTP asks of this error: ``Allow`` on a 405, ``Retry-After`` on a 429."""
    headers: dict[str, str] = {}
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() in {"allow", "retry-after"}:
                headers[name] = value
    if code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = str(_seconds_until_reset())
    return headers


def _seconds_until_reset() -> int:
    """Seconds until the rate limit that was hit lets the caller in again (60 if unknown)."""
    import math
    import time

    from dcx.extensions import limiter

    try:
        limit = limiter.current_limit
    except Exception:  # outside a limited request there is no current limit
        limit = None
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def render_error(error: Exception):
    """One error page in the shared layout; JSON for the API. Keeps the headers HTTP asks.

    A database fault (behind the error, or met while choosing the language or drawing the
    layout, both of which read the database) gets the 503 page that needs no database.
    """
    if fault_behind(error) is not None:
        return render_outage(error)
    try:
        return _error_page(error)
    except SQLAlchemyError as failure:
        if database_fault(failure) is None:
            raise
        rollback_quietly()
        return render_outage(failure)


def _error_page(error: Exception):
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    message = str(_MESSAGES.get(code, _MESSAGES[500 if code >= 500 else 400]))
    detail = _explanation(error, code)
    headers = _protocol_headers(error, code)
    if request.path.startswith("/api/"):
        description = getattr(error, "description", None) if code != 500 else None
        return jsonify(error=description or message, status=code), code, headers
    page = render_template("site/error.html", code=code, message=message, detail=detail)
    return page, code, headers
