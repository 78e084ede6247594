"""Book clubs: the bookstore's community spaces, with a current book and a reading schedule.

Membership, threads, posts and reports are the platform's community
(:mod:`dcx.platform.community.services`); this module adds what a bookstore needs: the
timeline entry on joining, the book a club reads and its schedule, and bookstore errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform.community import services as community
from dcx.platform.community.models import CommunityPost, CommunitySpace, CommunityThread
from dcx.platform.timeline.services import record
from dcx.retail.models import RetailBook, RetailClub, RetailClubReading
from dcx.retail.services import KEY, RetailError

# --- clubs -----------------------------------------------------------------------------------


def create_group(
    slug: str,
    name: str,
    description: str = "",
    current_book_id: int | None = None,
    schedule: Iterable[tuple[date, str]] = (),
) -> CommunitySpace:
    """Open a book club (get-or-create by slug) with its current book and reading schedule."""
    (space,) = community.ensure_spaces(
        KEY, [{"slug": slug, "name": name, "description": description}]
    )
    if db.session.execute(select(RetailClub.id).where(RetailClub.space_id == space.id)).first():
        return space
    db.session.add(RetailClub(space_id=space.id, current_book_id=current_book_id))
    db.session.add_all(
        RetailClubReading(space_id=space.id, due_on=due_on, reading=reading)
        for due_on, reading in schedule
    )
    db.session.flush()
    return space


def group_by_id(group_id: Any) -> CommunitySpace | None:
    """The bookstore's club with this id, or None (another vertical's space is None)."""
    return community.space_by_id(KEY, group_id)


def current_books(space_ids: Iterable[int]) -> dict[int, RetailBook]:
    """The book each club reads now (one query)."""
    ids = list(space_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(RetailClub)
        .where(RetailClub.space_id.in_(ids), RetailClub.current_book_id.is_not(None))
        .options(selectinload(RetailClub.current_book))
    ).scalars()
    return {c.space_id: c.current_book for c in rows if c.current_book is not None}


def schedule_of(space_id: int) -> list[RetailClubReading]:
    """A club's reading schedule, by date."""
    return rows_where(
        RetailClubReading,
        RetailClubReading.space_id == space_id,
        order_by=(RetailClubReading.due_on,),
    )


# --- members ---------------------------------------------------------------------------------


def is_member(group_id: int, user_id: int) -> bool:
    """True when the customer belongs to the club."""
    return community.is_member(group_id, user_id)


def join_group(group: CommunitySpace, user_id: int) -> bool:
    """Join the club (and say so on the timeline); False if already a member."""
    if not community.join(group, user_id):
        return False
    record(
        user_id,
        KEY,
        "group_joined",
        _l("You joined %(name)s", name=group.name),
        key=f"retail.group:{group.id}:{user_id}",
    )
    return True


def leave_group(group: CommunitySpace, user_id: int) -> None:
    """Leave the club."""
    community.leave(group, user_id)


def groups_with_counts(
    user_id: int | None,
) -> list[tuple[CommunitySpace, int, bool, RetailBook | None]]:
    """Every club with its member count, whether this customer is one, and its book."""
    rows = community.spaces_with_counts(KEY, user_id)
    books = current_books(s.id for s, _n, _mine in rows)
    return [(s, n, mine, books.get(s.id)) for s, n, mine in rows]


# --- threads ---------------------------------------------------------------------------------


def start_thread(group: CommunitySpace, user_id: int, title: str, body: str) -> CommunityThread:
    """Open a conversation in a club the customer belongs to."""
    try:
        return community.start_thread(group, user_id, title, body)
    except community.CommunityError as exc:
        message = exc.args[0]  # the community's lazy text, read in the visitor's language
        raise RetailError(message) from exc


def reply(thread: CommunityThread, user_id: int, body: str) -> CommunityPost:
    """Reply in a thread of a club the customer belongs to."""
    try:
        return community.reply_in_thread(thread, user_id, body)
    except community.CommunityError as exc:
        message = exc.args[0]  # the community's lazy text, read in the visitor's language
        raise RetailError(message) from exc


def threads_of(group_id: int) -> list[tuple[CommunityThread, int]]:
    """The club's threads, most recently active first, with their post counts."""
    return community.threads_of(group_id)


def thread_by_id(thread_id: Any) -> CommunityThread | None:
    """The bookstore's thread with this id, or None."""
    return community.thread_in(KEY, thread_id)


def post_by_id(post_id: Any) -> CommunityPost | None:
    """A visible post of a bookstore thread, or None."""
    return community.visible_post(KEY, post_id)


def report_post(user_id: int, post: CommunityPost, reason: str) -> bool:
    """Report a club post to the booksellers once; False if reported by this customer."""
    return community.report(user_id, post, reason) is not None


def open_post_reports() -> list[community.Reported]:
    """Staff: club posts reported and not yet moderated."""
    return community.open_reports(KEY)


def moderate_post(post: CommunityPost, action: str) -> int:
    """Staff: hide a reported club post or dismiss its reports."""
    try:
        return community.moderate(post, action)
    except community.CommunityError as exc:
        message = exc.args[0]  # the community's lazy text, read in the visitor's language
        raise RetailError(message) from exc
