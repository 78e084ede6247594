"""Presenter controls (view as, back, run due jobs, reset), the tour list and tour exit; the
tour steps themselves are in :mod:`.tours`."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from dcx.extensions import db
from dcx.platform.accounts.services import find_user, is_safe_next
from dcx.platform.accounts.views import sign_in
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.showcase import presenter as presenting
from dcx.platform.showcase.loader import ShowcaseError, seed_showcase, wipe
from dcx.verticals import registry

bp = Blueprint("showcase", __name__, url_prefix="/showcase", template_folder="templates")

TOUR_KEY = "dcx_tour"


def _back(default: str = "site.home"):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for(default))


@bp.route("/view-as/<persona>", methods=["POST"])
@presenting.presenter_required
def view_as(persona: str):
    """Sign this browser in as a persona; the presenter bar stays, with a way back."""
    admin = presenting.presenter()
    if admin is None:  # presenter_required lets only a presenter in
        abort(403)
    user = presenting.persona_user(persona)
    if user is None:
        abort(404)
    sign_in(user)
    session[presenting.PRESENTER_KEY] = admin.id
    db.session.commit()
    flash(_("You are now viewing as %(name)s.", name=user.name), "info")
    return redirect(url_for("site.home"))


@bp.route("/back", methods=["POST"])
@presenting.presenter_required
def back():
    """Return from a persona to the presenter's own account."""
    admin = presenting.presenter()
    sign_in(admin)
    db.session.commit()
    return _back()


@bp.route("/run-due", methods=["POST"])
@presenting.presenter_required
def run_due():
    """Run every job that is due on the showcase clock now."""
    runs = run_due_jobs()
    flash(ngettext("%(num)d due job ran.", "%(num)d due jobs ran.", len(runs)), "info")
    return _back()


@bp.route("/reset", methods=["POST"])
@presenting.presenter_required
def reset():
    """Delete everything and seed the loaded showcase again, in the language chosen (else the
    one it was in); the presenter stays signed in."""
    if request.form.get("confirm") != "yes":
        abort(400)
    language = request.form.get("language") or presenting.language() or None
    if language is not None and language not in current_app.config["LANGUAGES"]:
        abort(400)
    email = presenting.presenter().email
    name = presenting.showcase_name()
    try:
        wipe()
        seed_showcase(registry(), name, language=language)
    except (ShowcaseError, KeyError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("site.home"))
    db.session.commit()
    admin = find_user(email)
    if admin is not None:
        sign_in(admin)
        db.session.commit()
    session.pop(TOUR_KEY, None)
    flash(_("The showcase is reset to its seeded state."), "success")
    return redirect(url_for("site.home"))


@bp.route("/phone")
@presenting.presenter_required
def phone():
    """The phone preview of the persona being viewed (the notification centre's page)."""
    return redirect(url_for("notify.phone"))


@bp.route("/tours/exit", methods=["POST"])
def tour_exit():
    """Leave the tour; the visitor stays where they are."""
    session.pop(TOUR_KEY, None)
    return _back()


@bp.route("/tours")
def tours():
    """Every story that can be walked as a tour."""
    return render_template("showcase/tours.html", stories=[v for v in registry() if v.tour])


def current_tour() -> dict | None:
    """The tour this browser is in, with its step, for the tour panel; None otherwise."""
    state = session.get(TOUR_KEY)
    if not state:
        return None
    vertical = registry().get(state.get("key", ""))
    if vertical is None or not vertical.tour:
        return None
    number = int(state.get("step", 1))
    if not 1 <= number <= len(vertical.tour):
        return None
    return {
        "vertical": vertical,
        "number": number,
        "total": len(vertical.tour),
        "step": vertical.tour[number - 1],
    }
