"""My timeline, my calendar, and the staff's customer 360."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.platform import brand
from dcx.platform.accounts.models import Role, User
from dcx.platform.accounts.views import role_required
from dcx.platform.conditional import conditional
from dcx.platform.timeline import calendar, privacy, services
from dcx.verticals import registry

bp = Blueprint("timeline", __name__, template_folder="templates")

PAGE = 30


def _vertical_filter() -> str | None:
    key = request.args.get("vertical") or None
    if key is not None and key not in registry():
        abort(400)
    return key


@bp.route("/timeline")
@login_required
def mine():
    """The signed-in customer's events across every industry, filterable by industry."""
    key = _vertical_filter()
    before = request.args.get("before", type=int)
    events = services.timeline(
        current_user.id, key, include_private=True, limit=PAGE + 1, before_id=before
    )
    more = len(events) > PAGE
    return render_template(
        "timeline/mine.html", events=events[:PAGE], more=more, current=key, kinds=_kinds()
    )


def _kinds() -> dict[str, dict]:
    return {v.key: dict(v.timeline_kinds) for v in registry()}


@bp.route("/calendar")
@login_required
def my_calendar():
    """The customer's upcoming dated things and the private URL of their calendar feed."""
    secret = calendar.feed_secret(current_user)
    feed = url_for("timeline.feed", user_id=current_user.id, secret=secret, _external=True)
    return render_template(
        "timeline/calendar.html", entries=calendar.entries_for(current_user.id), feed=feed
    )


@bp.route("/calendar/<int:user_id>/<secret>.ics")
def feed(user_id: int, secret: str):
    """The .ics feed: no session needed, the secret in the URL is the key. Wrong → 404."""
    if len(secret) > 64:
        abort(404)
    user = calendar.user_for_feed(user_id, secret)
    if user is None:
        abort(404)
    return conditional(
        calendar.build_ics(user, brand.name()),
        "text/calendar",
        volatile_prefixes=(b"DTSTAMP",),  # "now" on every build: not a change of the calendar
        headers={"Content-Disposition": "inline; filename=dcx-calendar.ics"},
    )


@bp.route("/staff/customers")
@role_required("staff", "admin")
def customers():
    """Staff search for a customer by name or email."""
    q = (request.args.get("q") or "").strip()[:100]
    return render_template(
        "timeline/customers.html", customers=services.find_customers(q, limit=50), q=q
    )


@bp.route("/staff/customers/<int:user_id>")
@role_required("staff", "admin")
def customer_360(user_id: int):
    """One page for staff: profile, each industry's card, the timeline and messages sent."""
    customer = db.get_or_404(User, user_id)
    if customer.role != Role.CUSTOMER:
        abort(404)
    hidden = privacy.hidden_verticals(customer, current_user)
    cards = []
    for vertical in registry():
        if vertical.summary_card is None:
            continue
        if vertical.key in hidden:
            cards.append({"vertical": vertical, "hidden": True})
            continue
        card = vertical.summary_card(customer.id)
        if card:
            cards.append({"vertical": vertical, "card": card})
    events = privacy.events_for_staff(customer.id, hidden, limit=PAGE)
    messages = privacy.messages_for_staff(customer.id, hidden, limit=20)
    return render_template(
        "timeline/customer_360.html",
        customer=customer,
        cards=cards,
        events=events,
        messages=messages,
        kinds=_kinds(),
    )
