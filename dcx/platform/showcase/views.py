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
from flask_login import current_user

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import find_user, is_safe_next
from dcx.platform.accounts.views import sign_in
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.showcase import presenter as presenting
from dcx.platform.showcase.loader import ShowcaseError, seed_showcase, wipe
from dcx.platform.views import saved
from dcx.verticals import registry

bp = Blueprint("showcase", __name__, url_prefix="/showcase", template_folder="templates")

TOUR_KEY = "dcx_tour"


def _back(default: str = "site.home"):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for(default))


@bp.route("/view-as/<persona>", methods=["POST"])
@presenting.presenter_required
def view_as(persona: str):
    """Sign this browser in as a persona, inside its own sandbox (made now if it has none);
    the presenter bar stays, with a way back to the presenter's account in that copy."""
    from dcx.platform import sandboxes
    from dcx.platform.sandboxes.views import start_or_refusal
    from dcx.platform.showcase.tours import refuse_foreign_origin

    if not sandboxes.enabled():
        abort(404)  # outside a showcase nobody signs in as somebody else
    refuse_foreign_origin()
    admin = presenting.presenter()
    admin_email = admin.email if admin is not None else None
    refusal = start_or_refusal()
    if refusal is not None:
        return refusal
    user = presenting.persona_user(persona)
    if user is None:
        abort(404)
    keep = find_user(admin_email) if admin_email else None  # the presenter, in this copy
    sign_in(user)
    if keep is not None and keep.is_admin:
        session[presenting.PRESENTER_KEY] = keep.id
    return saved(
        url_for("site.home"), (_("You are now viewing as %(name)s.", name=user.name), "info")
    )


@bp.route("/back", methods=["POST"])
@presenting.presenter_required
def back():
    """Return from a persona to the presenter's own account."""
    admin = presenting.presenter()
    if admin is None:  # a visitor of their own sandbox who came in through a tour
        abort(404)
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
    who = presenting.presenter() or (current_user if current_user.is_authenticated else None)
    email = who.email if who is not None else None
    # the operator is no seeded persona: a wipe would take their account, so it comes back
    operator = (
        {"email": who.email, "name": who.name, "role": who.role, "hash": who.password_hash}
        if who is not None and who.is_admin
        else None
    )
    name = presenting.showcase_name()
    if not _fresh_sandbox_copy(language):
        try:
            wipe()
            seed_showcase(registry(), name, language=language)
        except (ShowcaseError, KeyError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("site.home"))
        if operator is not None and find_user(operator["email"]) is None:
            db.session.add(
                User(
                    email=operator["email"],
                    name=operator["name"],
                    role=operator["role"],
                    password_hash=operator["hash"],
                )
            )
        db.session.commit()
    admin = find_user(email) if email else None
    if admin is not None:
        sign_in(admin)
        db.session.commit()
    session.pop(TOUR_KEY, None)
    flash(_("The showcase is reset to its seeded state."), "success")
    return redirect(url_for("site.home"))


def _fresh_sandbox_copy(language: str | None) -> bool:
    """In a sandbox, reset it to a fresh copy of the template when that is in ``language``
    (milliseconds); False when not in a sandbox or when it must be seeded in another language
    (then the sandbox is wiped and seeded in place, like the main database)."""
    from dcx.platform import sandboxes
    from dcx.platform.sandboxes import services as sandboxing
    from dcx.platform.sandboxes import store

    sandbox_id = sandboxes.current()
    if sandbox_id is None:
        return False
    if language is not None and language != store.template_language():
        sandboxing.note_language(sandbox_id, language)
        return False
    db.session.close()
    sandboxing.reset(sandbox_id)
    sandboxes.enter(sandbox_id)
    return True


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
