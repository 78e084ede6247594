"""Retail pages: catalogue, orders, café table, shelves, reviews, groups, events, staff view."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.platform import charts, clock
from dcx.platform.blueprints import vertical_blueprints
from dcx.platform.community import services as community
from dcx.platform.community.models import CommunitySpace
from dcx.platform.drafts import services as drafts
from dcx.platform.forms import SelectChoice, validated
from dcx.platform.views import post_or_400, saved, submit
from dcx.retail import reading_groups, recommender, reviews, services, store_events
from dcx.retail.covers import cover_svg
from dcx.retail.forms import (
    CafeReservationForm,
    GoalForm,
    ReplyForm,
    ReportForm,
    ReviewForm,
    RsvpForm,
    SearchForm,
    ShelfForm,
    ThreadForm,
)
from dcx.retail.models import (
    ReservationOutcome,
    RetailEvent,
    RetailOrder,
    RetailReservation,
    RetailReview,
    RsvpStatus,
)
from dcx.retail.services import RetailError

# its pages at /retail and the staff workspace at /retail/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("retail")

CAFE_DRAFT = "retail.cafe"
PER_PAGE = 24


@bp.app_template_filter("retail_rating")
def _retail_rating(value: float | None) -> str:
    """``{{ summary.average|retail_rating }}``: stars with the visitor's decimal sign (4,5).

    An app-wide filter (Jinja filters cannot be limited to one blueprint), hence the vertical's
    prefix; unlike a context variable it also reaches macros imported without context.
    """
    return reviews.format_rating(value)


@bp.route("/")
def index():
    """The landing page; for a signed-in customer, their reading dashboard."""
    if not current_user.is_authenticated:
        return render_template("retail/index.html")
    uid = current_user.id
    now = clock.now()
    return render_template(
        "retail/index.html",
        recommendations=recommender.recommend(uid, limit=4),
        progress=services.goal_progress(uid, now.year),
        reading=services.shelves_for(uid)["reading"][:4],
        events=store_events.upcoming_events(now, limit=3),
        reservations=[r for r in services.reservations_for(uid) if r.open][:3],
        orders=services.orders_for(uid)[:3],
    )


# --- catalogue -------------------------------------------------------------------------------


@bp.route("/books")
def books():
    """The catalogue: search, filter by subject or author, paginated."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template(
            "retail/books.html", form=form, page=None, subjects=services.all_subjects()
        ), 400
    page = services.book_page(
        form.q.data or "",
        form.subject.data or "",
        form.author.data or "",
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "retail/books.html", form=form, page=page, subjects=services.all_subjects()
    )


@bp.route("/books/<int:book_id>")
def book(book_id: int):
    """One book: details, ratings chart, reviews and what the customer can do with it."""
    book = db.get_or_404(services.RetailBook, book_id)
    summary = reviews.rating_summary(book.id)
    page = reviews.reviews_page(book.id, request.args.get("page", 1, type=int) or 1, summary.count)
    chart = charts.bar_chart(
        _("Reviews per rating"),
        # Horizontal bars are drawn bottom-up: ascending puts five stars on top.
        [reviews.format_rating(h / 2) for h in range(1, 11)],
        {_("Reviews"): [summary.distribution[h] for h in range(1, 11)]},
        height=300,
        horizontal=True,
        counts=True,
    )
    mine = shelf = None
    if current_user.is_authenticated:
        mine = reviews.review_by(current_user.id, book.id)
        shelf = services.shelf_entry(current_user.id, book.id)
    shelf_form = ShelfForm(shelf=shelf.shelf if shelf else "want")
    return render_template(
        "retail/book.html",
        book=book,
        summary=summary,
        chart=chart,
        reviews=page.items,
        page=page,
        mine=mine,
        shelf=shelf,
        shelf_form=shelf_form,
    )


@bp.route("/books/<int:book_id>/cover.svg")
def cover(book_id: int):
    """The generated cover of a book without one."""
    book = db.get_or_404(services.RetailBook, book_id)
    svg = cover_svg(book.title, book.author_list[0] if book.author_list else "")
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/books/<int:book_id>/buy", methods=["POST"])
@login_required
def buy(book_id: int):
    """Place an order for one copy of the book."""
    book = db.get_or_404(services.RetailBook, book_id)
    try:
        order = services.place_order(current_user.id, [book.id])
    except RetailError as exc:
        flash(str(exc), "error")
        return redirect(url_for("retail.book", book_id=book.id))
    return saved(
        url_for("retail.order", order_id=order.id),
        _("Thank you! Order %(ref)s is placed.", ref=order.reference),
    )


@bp.route("/books/<int:book_id>/shelf", methods=["POST"])
@login_required
def shelve(book_id: int):
    """Put the book on a shelf."""
    book = db.get_or_404(services.RetailBook, book_id)
    form = ShelfForm()
    return post_or_400(
        form,
        lambda: services.shelve(current_user.id, book.id, form.shelf.data),
        to=url_for("retail.book", book_id=book.id),
        flashed=_("Your shelves are up to date."),
    )


# --- orders ----------------------------------------------------------------------------------


@bp.route("/orders")
@login_required
def orders():
    """The customer's order history."""
    return render_template("retail/orders.html", orders=services.orders_for(current_user.id))


@bp.route("/orders/<order_id>")
@login_required
def order(order_id):
    """One of the customer's orders."""
    order = owned_or_404(RetailOrder, order_id, current_user.id)
    return render_template("retail/order.html", order=order)


# --- recommendations and the café table ------------------------------------------------------


def _cafe_form(recs, data=None):
    form = CafeReservationForm(data) if data is not None else CafeReservationForm()
    form.book_ids.choices = [SelectChoice(r.book.id, r.book.title) for r in recs]
    if not form.day.data and request.method == "GET":
        form.day.data = clock.today() + timedelta(days=1)
    return form


@bp.route("/recommendations", methods=["GET", "POST"])
@login_required
def recommendations():
    """Picks from the customer's order history, each with its reason; reserve some for the café."""
    recs = recommender.recommend(current_user.id, limit=8)
    form = _cafe_form(recs)
    if request.method == "POST":
        # The checked titles must be among those offered now (or in stock in the catalogue).
        wanted = request.form.getlist("book_ids", type=int)
        extra = [b for b in wanted if b not in {r.book.id for r in recs}]
        form.book_ids.choices += [SelectChoice(b, str(b)) for b in extra if services.get_book(b)]

        def reserve() -> RetailReservation:
            reservation = services.reserve_for_cafe(
                current_user.id, form.day.data, form.book_ids.data
            )
            drafts.discard(current_user.id, CAFE_DRAFT)
            return reservation

        done = submit(
            form,
            reserve,
            to=lambda r: url_for("retail.reservation", reservation_id=r.id),
            flashed=_("Your books will wait for you at the café table."),
            refused=RetailError,
            field=form.day,
        )
        if done.response:
            return done.response
        return render_template("retail/recommendations.html", recs=recs, form=form), 400
    return render_template("retail/recommendations.html", recs=recs, form=form)


@bp.route("/reservations")
@login_required
def reservations():
    """The customer's café reservations."""
    return render_template(
        "retail/reservations.html", reservations=services.reservations_for(current_user.id)
    )


@bp.route("/reservations/<reservation_id>")
@login_required
def reservation(reservation_id):
    """One café reservation: keep or return each title."""
    reservation = owned_or_404(RetailReservation, reservation_id, current_user.id)
    return render_template("retail/reservation.html", reservation=reservation)


@bp.route("/reservations/<reservation_id>/items/<int:item_id>/<outcome>", methods=["POST"])
@login_required
def decide(reservation_id, item_id: int, outcome: str):
    """Keep (buy) or return one title of a café reservation."""
    reservation = owned_or_404(RetailReservation, reservation_id, current_user.id)
    if outcome not in (ReservationOutcome.KEPT, ReservationOutcome.RETURNED):
        abort(404)
    try:
        services.decide_reservation_item(reservation, item_id, outcome)
    except LookupError:
        abort(404)
    except RetailError as exc:
        flash(str(exc), "error")
        return redirect(url_for("retail.reservation", reservation_id=reservation.id))
    return saved(
        url_for("retail.reservation", reservation_id=reservation.id),
        _("Kept: it is yours.") if outcome == "kept" else _("Returned to the shelf."),
    )


# --- shelves ---------------------------------------------------------------------------------


@bp.route("/shelves", methods=["GET", "POST"])
@login_required
def shelves():
    """Want to read, reading, read; the year's goal with its progress."""
    year = clock.today().year
    progress = services.goal_progress(current_user.id, year)
    form = GoalForm(target=progress.target)
    done = submit(
        form,
        lambda: services.set_goal(current_user.id, year, form.target.data),
        to=url_for("retail.shelves"),
        flashed=_("Goal saved."),
    )
    if done.response:
        return done.response
    return render_template(
        "retail/shelves.html",
        shelves=services.shelves_for(current_user.id),
        progress=progress,
        form=form,
    ), done.status


# --- reviews ---------------------------------------------------------------------------------


def _review_page(form, book, review, status=200):
    return render_template("retail/review_form.html", form=form, book=book, review=review), status


@bp.route("/books/<int:book_id>/review", methods=["GET", "POST"])
@login_required
def write_review(book_id: int):
    """Write a review of the book (or go to editing the one already written)."""
    book = db.get_or_404(services.RetailBook, book_id)
    existing = reviews.review_by(current_user.id, book.id)
    if existing is not None:
        return redirect(url_for("retail.edit_review", review_id=existing.id))
    form = ReviewForm()
    done = submit(
        form,
        lambda: reviews.save_review(
            current_user.id,
            book.id,
            int(form.half_stars.data),
            validated(form.title.data),
            form.body.data or "",
        ),
        to=url_for("retail.book", book_id=book.id),
        flashed=_("Thank you for your review."),
    )
    return done.response or _review_page(form, book, None, done.status)


@bp.route("/reviews/<review_id>/edit", methods=["GET", "POST"])
@login_required
def edit_review(review_id):
    """Edit the customer's own review; another customer's answers 404."""
    review = owned_or_404(RetailReview, review_id, current_user.id)
    form = ReviewForm(obj=None if request.method == "POST" else review)
    if request.method == "GET":
        form.half_stars.data = str(review.half_stars)
    done = submit(
        form,
        lambda: reviews.save_review(
            current_user.id,
            review.book_id,
            int(form.half_stars.data),
            form.title.data,
            form.body.data,
            review=review,
        ),
        to=url_for("retail.book", book_id=review.book_id),
        flashed=_("Your review is updated."),
    )
    return done.response or _review_page(form, review.book, review, done.status)


@bp.route("/reviews/<int:review_id>/helpful", methods=["POST"])
@login_required
def helpful(review_id: int):
    """Mark a review as helpful."""
    review = db.get_or_404(RetailReview, review_id)
    if review.hidden:
        abort(404)
    try:
        reviews.vote_helpful(review, current_user.id)
    except RetailError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Thanks, noted."), "success")
    return redirect(url_for("retail.book", book_id=review.book_id))


@bp.route("/reviews/<int:review_id>/report", methods=["POST"])
@login_required
def report_review(review_id: int):
    """Report a review to the staff."""
    review = db.get_or_404(RetailReview, review_id)
    form = ReportForm()
    return post_or_400(
        form,
        lambda: reviews.report_content(current_user.id, form.reason.data or "", review=review),
        to=url_for("retail.book", book_id=review.book_id),
        flashed=(_("Thank you: a bookseller will look at it."), "info"),
    )


# --- groups ----------------------------------------------------------------------------------


@bp.route("/groups")
def groups():
    """Every discussion group."""
    uid = current_user.id if current_user.is_authenticated else None
    return render_template("retail/groups.html", groups=reading_groups.groups_with_counts(uid))


def _group_or_404(group_id: int) -> CommunitySpace:
    group = reading_groups.group_by_id(group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group(group_id: int):
    """A group: its current book, reading schedule and threads; members start threads."""
    group = _group_or_404(group_id)
    member = reading_groups.is_member(group.id, current_user.id)
    form = ThreadForm()
    done = submit(
        form,
        lambda: reading_groups.start_thread(
            group, current_user.id, validated(form.title.data), validated(form.body.data)
        ),
        to=lambda thread: url_for("retail.thread", thread_id=thread.id),
        refused=RetailError,
        field=form.title,
    )
    if done.response:
        return done.response
    return render_template(
        "retail/group.html",
        group=group,
        current_book=reading_groups.current_books([group.id]).get(group.id),
        schedule=reading_groups.schedule_of(group.id),
        member=member,
        threads=reading_groups.threads_of(group.id),
        form=form,
        today=clock.today(),
    ), done.status


@bp.route("/groups/<int:group_id>/join", methods=["POST"])
@login_required
def join(group_id: int):
    """Join a group."""
    group = _group_or_404(group_id)
    reading_groups.join_group(group, current_user.id)
    return saved(
        url_for("retail.group", group_id=group.id), _("Welcome to %(name)s.", name=group.name)
    )


@bp.route("/groups/<int:group_id>/leave", methods=["POST"])
@login_required
def leave(group_id: int):
    """Leave a group."""
    group = _group_or_404(group_id)
    reading_groups.leave_group(group, current_user.id)
    return saved(url_for("retail.groups"), (_("You left %(name)s.", name=group.name), "info"))


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int):
    """A thread and its replies; members reply."""
    thread = reading_groups.thread_by_id(thread_id)
    if thread is None:
        abort(404)
    member = reading_groups.is_member(thread.space_id, current_user.id)
    form = ReplyForm()
    done = submit(
        form,
        lambda: reading_groups.reply(thread, current_user.id, validated(form.body.data)),
        to=url_for("retail.thread", thread_id=thread.id),
        refused=RetailError,
        field=form.body,
        refused_status=403,
    )
    if done.response:
        return done.response
    return render_template(
        "retail/thread.html",
        thread=thread,
        posts=community.thread_posts(thread),
        member=member,
        form=form,
    ), done.status


@bp.route("/posts/<int:post_id>/report", methods=["POST"])
@login_required
def report_post(post_id: int):
    """Report a post to the staff."""
    post = reading_groups.post_by_id(post_id)
    if post is None:
        abort(404)
    form = ReportForm()
    return post_or_400(
        form,
        lambda: reading_groups.report_post(current_user.id, post, form.reason.data or ""),
        to=url_for("retail.thread", thread_id=post.thread_id),
        flashed=(_("Thank you: a bookseller will look at it."), "info"),
    )


# --- events ----------------------------------------------------------------------------------


@bp.route("/events")
def events():
    """Upcoming and recent events."""
    now = clock.now()
    upcoming = store_events.upcoming_events(now)
    return render_template(
        "retail/events.html",
        upcoming=upcoming,
        past=store_events.past_events(now),
        counts=store_events.rsvp_counts(e.id for e in upcoming),
    )


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@login_required
def event(event_id: int):
    """One event: where, when, seats left; RSVP (a full event puts you on the waitlist)."""
    event = db.get_or_404(RetailEvent, event_id)
    rsvp = store_events.rsvp_for(event.id, current_user.id)
    form = RsvpForm(answer=rsvp.status if rsvp and rsvp.status != "waitlisted" else "going")
    done = submit(
        form,
        lambda: store_events.answer_event(event, current_user.id, form.answer.data),
        to=url_for("retail.event", event_id=event.id),
        flashed=lambda answer: (
            (_("The event is full: you are on the waitlist."), "warning")
            if answer.status == RsvpStatus.WAITLISTED
            else _("Your answer is saved.")
        ),
        refused=RetailError,
        field=form.answer,
    )
    if done.response:
        return done.response
    queue = store_events.waitlist(event.id)
    position = next((i + 1 for i, r in enumerate(queue) if r.user_id == current_user.id), None)
    return render_template(
        "retail/event.html",
        event=event,
        rsvp=rsvp,
        form=form,
        taken=store_events.seats_taken(event.id),
        waitlist_length=len(queue),
        position=position,
        started=event.starts_at <= clock.now(),
    ), done.status


@bp.route("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    """The event as a calendar file."""
    event = db.get_or_404(RetailEvent, event_id)
    return Response(
        store_events.event_ics(event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


# The staff pages register themselves on this blueprint.
from dcx.retail import staff_views  # noqa: E402, F401
