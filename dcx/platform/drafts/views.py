"""The drafts JSON endpoints the drafts script talks to, and the "continue on my phone" link.

``/drafts/<form_key>``: GET the signed-in customer's draft (204 when there is none), POST ``{"data": ..., "url": ...}``
to save it, DELETE to discard it; always JSON, always owner-scoped by ``current_user.id``.
``/d/<token>``: the short link shown as a QR code; it opens the draft's page after sign-in.
"""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from dcx.extensions import db, login_manager
from dcx.platform.accounts.services import is_safe_next
from dcx.platform.drafts import services
from dcx.platform.inputs import JSONBodyError, json_object
from dcx.platform.links import external
from dcx.platform.site.views import render_error

bp = Blueprint(
    "drafts",
    __name__,
    url_prefix="/drafts",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _error(status: int, message: str):
    return jsonify(error=message, status=status), status


def _json_login_required(view):
    """Like ``login_required``, but a script gets a 401 JSON answer, not a sign-in page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _error(401, _("Please sign in to continue."))
        return view(*args, **kwargs)

    return wrapped


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    return _error(400, error.description)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """The JSON endpoints answer errors in JSON (413 too large, 405, 400 unreadable body)."""
    if request.endpoint == "drafts.handoff":  # the short link is a page, not JSON
        return render_error(error)
    code = error.code or 400
    if code == 413:
        return _error(413, _("The draft is too large."))
    return _error(code, error.description or error.name)


def _as_json(draft) -> dict:
    device = draft.device if draft.device in services.DEVICES else "laptop"
    return {
        "data": draft.data,
        "updated_at": draft.updated_at.isoformat(),
        "device": device,
        "device_label": _device_names()[device],
        "messages": {
            "saved": _("Draft saved {time} on {device}"),
            "restored": _("Restored the draft saved {time} on {device}"),
        },
    }


def _device_names() -> dict[str, str]:
    return {"phone": _("phone"), "tablet": _("tablet"), "laptop": _("laptop")}


@bp.get("/<form_key>")
@_json_login_required
def show(form_key: str):
    """The customer's draft of ``form_key``, or 204 (no content) if there is none: having no
    draft yet is the normal first visit, not an error a browser should log."""
    draft = services.load(current_user.id, form_key)
    if draft is None:
        return "", 204
    return jsonify(_as_json(draft))


@bp.post("/<form_key>")
@_json_login_required
def save(form_key: str):
    """Save what the customer has typed so far; the device is named from the User-Agent."""
    if request.content_length is not None and request.content_length > services.MAX_DRAFT_BYTES:
        return _error(413, _("The draft is too large."))
    request.max_content_length = services.MAX_DRAFT_BYTES
    try:
        body = json_object()
    except JSONBodyError:
        body = {}
    if not isinstance(body.get("data"), dict):
        return _error(400, _('Send a JSON object: {"data": {...}, "url": "/page"}.'))
    url = body.get("url")
    try:
        draft = services.save(
            current_user.id,
            form_key,
            body["data"],
            url=url if isinstance(url, str) else "",
            device=services.device_label(request.user_agent.string),
        )
    except services.DraftError as exc:
        db.session.rollback()
        return _error(400, str(exc))
    db.session.commit()
    return jsonify(_as_json(draft))


@bp.delete("/<form_key>")
@_json_login_required
def discard(form_key: str):
    """Forget the customer's draft of ``form_key`` (nothing happens if there is none)."""
    services.discard(current_user.id, form_key)
    db.session.commit()
    return "", 204


def handoff(token: str):
    """Open the draft a "continue on my phone" link points to, once signed in as its owner."""
    try:
        user_id, form_key = services.read_handoff_token(current_app.config["SECRET_KEY"], token)
    except services.HandoffExpired:
        return render_template(
            "drafts/link_error.html",
            title=_("This link has expired."),
            detail=_(
                "Links to continue a form on another device work for one hour. "
                "Open the form on your first device and choose “Continue on my phone” again."
            ),
        ), 410
    except services.HandoffError:
        return render_template(
            "drafts/link_error.html",
            title=_("This link is not valid."),
            detail=_("Check that the whole link was copied, or scan the QR code again."),
        ), 400
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.id != user_id:
        abort(404)
    draft = services.load(user_id, form_key)
    if draft is None or not is_safe_next(draft.url):
        abort(404)
    return redirect(draft.url)


def handoff_url(form_key: str) -> str | None:
    """The absolute "continue on my phone" link for the signed-in customer's ``form_key``.

    A Jinja global: None when nobody is signed in (there is no draft to hand over).
    """
    if not current_user.is_authenticated:
        return None
    token = services.handoff_token(current_app.config["SECRET_KEY"], current_user.id, form_key)
    # on DCX_BASE_URL, never the laptop's own address: the phone in the room must reach it
    return external("drafts.handoff", token=token)


# ISO/IEC 18004 asks for a quiet zone of 4 modules around the symbol: with less, phone cameras
# fail to find it on a busy page.
QUIET_ZONE = 4


def qr_svg(text: str, title: str = "") -> Markup:
    """An inline SVG QR code of ``text``, labelled for screen readers with ``title``.

    It has a viewBox and no fixed size, so it scales to its box (CSS sets the width) instead of
    being shrunk or clipped at a phone's width.
    """
    import segno

    svg = segno.make(text, error="m").svg_inline(
        scale=1,
        border=QUIET_ZONE,
        omitsize=True,
        title=title or None,
        svgclass="dcx-qr",
        lineclass=None,
    )
    label = str(
        Markup(
            ' role="img" aria-label="{}" style="display: block; width: 100%; height: auto"'
        ).format(title)
    )
    # segno writes the SVG itself and escapes the title; the label is escaped by Markup.
    return Markup(svg.replace("<svg", "<svg" + label, 1))  # noqa: S704  # nosec B704
