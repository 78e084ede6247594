"""The bookseller's pages, on the bookstore's blueprint: the store view and moderation."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.views import role_required
from dcx.retail import recommender, reviews, services, store_events
from dcx.retail.models import (
    RetailContentReport,
)
from dcx.retail.views import _get_or_404, bp

# --- staff -----------------------------------------------------------------------------------


def _require_bookseller() -> None:
    if not current_user.serves("retail"):
        abort(403)


@bp.route("/staff")
@role_required("staff", "admin")
def staff():
    """The store view: events with RSVPs and waitlists, the café table, moderation, top titles."""
    _require_bookseller()
    now = clock.now()
    upcoming = store_events.upcoming_events(now, limit=20)
    return render_template(
        "retail/staff.html",
        events=upcoming,
        counts=store_events.rsvp_counts(e.id for e in upcoming),
        waitlists=store_events.waitlists(e.id for e in upcoming),
        cafe=services.cafe_table_by_day(clock.today(), days=7),
        reports=reviews.open_reports(),
        top_reviewed=reviews.top_reviewed(),
        most_recommended=recommender.most_recommended(),
    )


@bp.route("/staff/reports/<int:report_id>/<action>", methods=["POST"])
@role_required("staff", "admin")
def moderate(report_id: int, action: str):
    """Hide reported content or dismiss the report."""
    _require_bookseller()
    report = _get_or_404(RetailContentReport, report_id)
    if action not in ("hidden", "dismissed"):
        abort(404)
    reviews.moderate(report, action)
    db.session.commit()
    flash(_("Report resolved."), "success")
    return redirect(url_for(".staff"))
