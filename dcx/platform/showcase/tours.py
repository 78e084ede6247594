"""Guided story tours: a GET shows a step and a button, only a POST walks into it.

A tour link is shared freely (an email, a slide, another site), so following one changes
nothing: it answers a page naming the step and its persona, with a button. Pressing the button
sends a POST with this site's CSRF token (and, when the browser says where it comes from, this
site's origin); only then is the visitor signed in as the step's persona and taken to its page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from dcx.extensions import db
from dcx.platform.accounts.views import sign_in
from dcx.platform.showcase import presenter as presenting
from dcx.platform.showcase.views import TOUR_KEY, bp
from dcx.verticals import TourStep, Vertical, registry


def _tour_step(key: str, number: int) -> tuple[Vertical, TourStep]:
    vertical = registry().get(key)
    if vertical is None or not vertical.tour or not 1 <= number <= len(vertical.tour):
        abort(404)
    return vertical, vertical.tour[number - 1]


def refuse_foreign_origin() -> None:
    """403 for a request another site's page made: its ``Origin`` (or, failing that, the
    browser's ``Sec-Fetch-Site``) names somewhere else. A request that says nothing passes:
    the CSRF token is what it must still show."""
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if origin == "null" or parts.netloc != request.host:
            abort(403)
    elif request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


def persona_sign_in_allowed() -> bool:
    """Whether this deployment signs browsers in as showcase personas (inside sandboxes)."""
    from dcx.platform import sandboxes

    return sandboxes.enabled()


@bp.route("/tours/<key>")
def tour_start(key: str):
    """The first step of a vertical's story tour, with a button to start it."""
    return tour_step(key, 1)


@bp.route("/tours/<key>/<int:number>", methods=["GET"])
def tour_step(key: str, number: int):
    """Step ``number`` of a tour: what it shows and as whom, and a button to go there. A GET
    signs nobody in and changes nothing."""
    vertical, step = _tour_step(key, number)
    persona = presenting.persona_user(step.persona) if step.persona else None
    return render_template(
        "showcase/tour_step.html",
        vertical=vertical,
        step=step,
        number=number,
        total=len(vertical.tour),
        persona=persona,
    )


@bp.route("/tours/<key>/<int:number>", methods=["POST"])
def tour_go(key: str, number: int):
    """Walk into step ``number``: as its persona (where persona sign-in is allowed), on its
    page, with the narration."""
    refuse_foreign_origin()
    vertical, step = _tour_step(key, number)
    if step.persona and persona_sign_in_allowed():
        from dcx.platform.sandboxes import services as sandboxing
        from dcx.platform.sandboxes.store import SandboxUnavailable
        from dcx.platform.sandboxes.views import limit_page, start_for_visitor

        try:
            sandbox_id = start_for_visitor()  # a persona exists for this browser only in its copy
        except sandboxing.SandboxLimit as limit:
            return limit_page(limit)
        except SandboxUnavailable:
            abort(503)
        sandboxing.record_visit(sandbox_id, vertical.key, number)
        user = presenting.persona_user(step.persona)
        if user is not None and (not current_user.is_authenticated or current_user.id != user.id):
            keep = presenting.presenter()
            sign_in(user)
            if keep is not None:
                session[presenting.PRESENTER_KEY] = keep.id
            db.session.commit()
    session[TOUR_KEY] = {"key": key, "step": number}
    return redirect(url_for(step.endpoint))
