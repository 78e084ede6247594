"""The public pages: the status of repairs and the Atom feed, for anyone."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.government import (
    districts,
    forms,
    photos,
    public_updates,
    repairs,
    repairs_public,
)
from dcx.government.models import (
    GovernmentPublicUpdate,
    GovernmentRepair,
    RepairStatus,
)
from dcx.government.views.base import bp
from dcx.platform.conditional import conditional
from dcx.platform.forms import SelectChoice
from dcx.platform.links import external
from dcx.platform.notify.services import in_locale, site_language
from dcx.platform.views import saved


@bp.route("/status")
def status():
    """The public status page: what the city fixed, the latest first, older ones a page at a
    time. No sign-in needed."""
    form = forms.FollowForm()
    form.district.choices = [SelectChoice(k, v) for k, v in districts.DISTRICTS.items()]
    following = (
        public_updates.followed_areas(current_user.id) if current_user.is_authenticated else []
    )
    shown, page, older = public_updates.status_page(request.args.get("page", 1, type=int) or 1)
    return render_template(
        "government/status.html",
        updates=repairs_public.public_entries(shown),
        page=page,
        older=older,
        open_repairs=photos.count_repairs(repairs.OPEN_STATUSES),
        follow_form=form,
        following=following,
        districts=districts.DISTRICTS,
    )


@bp.post("/status/<int:update_id>/still-broken")
@login_required
def still_broken(update_id: int):
    """A signed-in citizen says a published fix is not working: the repair is reopened."""
    update = db.get_or_404(GovernmentPublicUpdate, update_id)
    repair = db.session.get(GovernmentRepair, update.repair_id) if update.repair_id else None
    if repair is None:
        abort(404)
    if not public_updates.may_reopen(repair, current_user.id):
        abort(403)
    if repair.status != RepairStatus.FIXED:
        flash(_("This repair is already being looked at again."), "info")
        return redirect(url_for("government.status"))
    photos.reopen(repair, current_user.id, repairs.NOTE_STILL_BROKEN)
    return saved(
        url_for("government.status"), (_("Thank you. The repair has been reopened."), "warning")
    )


@bp.route("/updates.atom")
def feed():
    """The Atom feed of city updates, in the city's language, answering conditional GETs."""
    with in_locale(site_language()):
        entries = repairs_public.public_entries(public_updates.public_updates())
        body = repairs_public.atom_feed(
            entries, feed_url=external("government.feed"), page_url=external("government.status")
        )
    latest = max((e.updated_at for e in entries), default=None)
    return conditional(body, "application/atom+xml", last_modified=latest)
