"""The bookseller's pages, on the bookstore's blueprint: the store view and moderation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.views import saved
from dcx.retail import reading_groups, recommender, reviews, services, store_events
from dcx.retail.forms import RemoveAttendeeForm
from dcx.retail.models import (
    RetailContentReport,
    RetailEvent,
    RetailRsvp,
    RsvpStatus,
)
from dcx.retail.services import RetailError
from dcx.retail.views import staff_bp

# --- staff -----------------------------------------------------------------------------------


@staff_bp.route("")
def home():
    """The store view: events with RSVPs and waitlists, the café table, moderation, top titles."""
    now = clock.now()
    upcoming = store_events.upcoming_events(now, limit=20)
    return render_template(
        "retail/staff.html",
        events=upcoming,
        counts=store_events.rsvp_counts(e.id for e in upcoming),
        waitlists=store_events.waitlists(e.id for e in upcoming),
        cafe=services.cafe_table_by_day(clock.today(), days=7),
        reports=reviews.open_reports(),
        post_reports=reading_groups.open_post_reports(),
        top_reviewed=reviews.top_reviewed(),
        most_recommended=recommender.most_recommended(),
    )


@staff_bp.route("/reports/<int:report_id>/<action>", methods=["POST"])
def moderate(report_id: int, action: str):
    """Hide reported content or dismiss the report."""
    report = db.get_or_404(RetailContentReport, report_id)
    if action not in ("hidden", "dismissed"):
        abort(404)
    reviews.moderate(report, action)
    return saved(url_for("retail.staff.home"), _("Report resolved."))


@staff_bp.route("/posts/<int:post_id>/<action>", methods=["POST"])
def moderate_post(post_id: int, action: str):
    """Hide a reported book-club post or dismiss its reports."""
    post = reading_groups.post_by_id(post_id)
    if post is None or action not in ("hidden", "dismissed"):
        abort(404)
    reading_groups.moderate_post(post, action)
    return saved(url_for("retail.staff.home"), _("Report resolved."))


@staff_bp.route("/events/<int:event_id>")
def staff_event(event_id: int):
    """An event's guest list and waitlist, with a way to take a guest off the list."""
    event = db.get_or_404(RetailEvent, event_id)
    return render_template(
        "retail/staff_event.html",
        event=event,
        guests=store_events.guest_list(event.id),
        waitlist=store_events.waitlist(event.id),
        started=event.starts_at <= clock.now(),
    )


def _guest_or_404(event: RetailEvent, rsvp_id: int) -> RetailRsvp:
    rsvp = db.get_or_404(RetailRsvp, rsvp_id)
    if rsvp.event_id != event.id:
        abort(404)
    return rsvp


@staff_bp.route("/events/<int:event_id>/guests/<int:rsvp_id>/remove", methods=["GET", "POST"])
def remove_guest(event_id: int, rsvp_id: int):
    """Confirm, then take a guest off the list: the first on the waitlist gets the seat."""
    event = db.get_or_404(RetailEvent, event_id)
    rsvp = _guest_or_404(event, rsvp_id)
    form = RemoveAttendeeForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                promoted = store_events.remove_attendee(event, rsvp)
            except RetailError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                return redirect(url_for("retail.staff.staff_event", event_id=event.id))
            names = [r.user.name for r in promoted]
            db.session.commit()
            flash(_("%(name)s is off the guest list.", name=rsvp.user.name), "success")
            if names:
                flash(
                    ngettext(
                        "%(names)s moved up from the waitlist and was told.",
                        "%(num)d people moved up from the waitlist and were told: %(names)s.",
                        len(names),
                        names=", ".join(names),
                    ),
                    "info",
                )
            return redirect(url_for("retail.staff.staff_event", event_id=event.id))
        status = 400
    if rsvp.status != RsvpStatus.GOING:
        return redirect(url_for("retail.staff.staff_event", event_id=event.id))
    queue = store_events.waitlist(event.id)
    return render_template(
        "retail/staff_remove.html",
        event=event,
        rsvp=rsvp,
        form=form,
        next_in_line=queue[0] if queue else None,
    ), status
