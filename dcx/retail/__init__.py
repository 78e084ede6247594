"""Retail: Your local bookstore as a community: reviews, book clubs, events and picks from your reading history."""

from flask_babel import lazy_gettext as _l

from dcx.retail import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="retail",
    title=_l("Retail"),
    icon="book",
    promise=_l(
        "Your local bookstore as a community: reviews, book clubs, events and picks from your reading history."
    ),
    persona=_l("Alex, a regular at the corner bookstore"),
    story=_l(
        "A local bookstore runs an online community where customers review favourite books, join discussion groups, and take part in virtual events or meetups in the shop. Recommendations come from what each customer has bought, and picked titles can be set aside at the café table to browse before choosing. Managing one's reading feels simple and pleasant."
    ),
    blueprint=views.bp,
)
