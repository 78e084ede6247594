"""Retail: Your local bookstore as a community: reviews, book clubs, events and picks from your reading history."""

from flask_babel import lazy_gettext as _l

from dcx.retail import jobs, recommender, seed, simulate, store_events, views
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="retail",
    title=_l("Retail"),
    icon="book",
    promise=_l(
        "Your local bookstore as a community: reviews, book clubs, events and picks from your reading history."
    ),
    persona=_l("%(alex)s, a regular at the corner bookstore"),
    story=_l(
        "A local bookstore runs an online community where customers review favourite books, join discussion groups, and take part in virtual events or meetups in the shop. Recommendations come from what each customer has bought, and picked titles can be set aside at the café table to browse before choosing. Managing one's reading feels simple and pleasant."
    ),
    blueprint=views.bp,
    jobs=jobs_in(jobs),
    topics=(
        Topic(
            "retail.waitlist_promoted", _l("A seat freed up for you at an event"), ("email", "push")
        ),
        Topic("retail.event_reminder", _l("Event reminders the day before"), ("email",)),
        Topic("retail.new_for_you", _l("Monthly book picks for you"), ("email",)),
    ),
    timeline_kinds={
        "order_placed": _l("Order placed"),
        "cafe_reserved": _l("Books set aside at the café"),
        "review_written": _l("Review written"),
        "group_joined": _l("Joined a book club"),
        "seat_confirmed": _l("Event seat confirmed"),
    },
    staff_endpoint="retail.staff.home",
    seed=seed.seed,
    simulate=simulate.period,
    scale=seed.scale,
    calendar=store_events.calendar,
    summary_card=recommender.summary_card,
    tour=(
        TourStep(
            _l("Picks with a reason"),
            _l(
                "%(alex)s's suggestions come from what readers with similar orders bought; each says which of %(alex)s's books it is like."
            ),
            "retail.recommendations",
            "alex",
            "#retail-recommendations",
        ),
        TourStep(
            _l("A seat at the café table"),
            _l(
                "%(alex)s ticks two picks and chooses a day; they wait at the café table to browse with a coffee, then %(alex)s keeps one and returns the other."
            ),
            "retail.reservations",
            "alex",
            "#retail-reservations",
        ),
        TourStep(
            _l("The book club"),
            _l("The club reads one book on a schedule and talks it over in threads."),
            "retail.groups",
            "alex",
            "#retail-groups",
        ),
        TourStep(
            _l("Events and the waitlist"),
            _l(
                "A full author talk keeps a waitlist: when someone cancels, the first in line gets the seat and a message at once."
            ),
            "retail.events",
            "alex",
            "#retail-events",
        ),
        TourStep(
            _l("The bookseller's view"),
            _l(
                "%(bookseller)s sees RSVPs and waitlists, the café table for each day, reports to moderate and the titles readers love."
            ),
            "retail.staff.home",
            "bookseller",
            "#retail-staff",
        ),
    ),
)
