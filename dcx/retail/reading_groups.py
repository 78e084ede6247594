"""Reading groups: membership, threads and posts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dcx.extensions import db
from dcx.platform.timeline.services import record
from dcx.retail.models import (
    RetailGroup,
    RetailMembership,
    RetailPost,
    RetailThread,
)
from dcx.retail.services import KEY, RetailError

# --- groups ----------------------------------------------------------------------------------


def is_member(group_id: int, user_id: int) -> bool:
    """True when the customer belongs to the group."""
    return (
        db.session.execute(
            select(RetailMembership.id).where(
                RetailMembership.group_id == group_id, RetailMembership.user_id == user_id
            )
        ).first()
        is not None
    )


def join_group(group: RetailGroup, user_id: int) -> bool:
    """Join the group; False if already a member."""
    if is_member(group.id, user_id):
        return False
    db.session.add(RetailMembership(group_id=group.id, user_id=user_id))
    db.session.flush()
    record(
        user_id,
        KEY,
        "group_joined",
        _l("You joined %(name)s", name=group.name),
        key=f"retail.group:{group.id}:{user_id}",
    )
    return True


def leave_group(group: RetailGroup, user_id: int) -> None:
    """Leave the group."""
    membership = db.session.execute(
        select(RetailMembership).where(
            RetailMembership.group_id == group.id, RetailMembership.user_id == user_id
        )
    ).scalar_one_or_none()
    if membership is not None:
        db.session.delete(membership)
        db.session.flush()


def groups_with_counts(user_id: int | None) -> list[tuple[RetailGroup, int, bool]]:
    """Every group with its member count and whether this customer is one."""
    counts = dict(
        db.session.execute(
            select(RetailMembership.group_id, func.count(RetailMembership.id)).group_by(
                RetailMembership.group_id
            )
        ).all()
    )
    mine = (
        set(
            db.session.execute(
                select(RetailMembership.group_id).where(RetailMembership.user_id == user_id)
            ).scalars()
        )
        if user_id
        else set()
    )
    groups = db.session.execute(
        select(RetailGroup)
        .options(selectinload(RetailGroup.current_book))
        .order_by(RetailGroup.name)
    ).scalars()
    return [(g, counts.get(g.id, 0), g.id in mine) for g in groups]


def start_thread(group: RetailGroup, user_id: int, title: str, body: str) -> RetailThread:
    """Open a conversation in a group the customer belongs to."""
    if not is_member(group.id, user_id):
        raise RetailError(_l("Join the group to start a thread."))
    if db.session.execute(
        select(RetailThread.id).where(
            RetailThread.group_id == group.id, RetailThread.title == title.strip()
        )
    ).first():
        raise RetailError(_l("This group already has a thread with that title."))
    thread = RetailThread(group_id=group.id, user_id=user_id, title=title.strip())
    thread.posts = [RetailPost(user_id=user_id, body=body.strip())]
    db.session.add(thread)
    db.session.flush()
    return thread


def reply(thread: RetailThread, user_id: int, body: str) -> RetailPost:
    """Reply in a thread of a group the customer belongs to."""
    if not is_member(thread.group_id, user_id):
        raise RetailError(_l("Join the group to reply."))
    post = RetailPost(thread_id=thread.id, user_id=user_id, body=body.strip())
    db.session.add(post)
    db.session.flush()
    return post


def threads_of(group_id: int) -> list[tuple[RetailThread, int]]:
    """The group's threads, most recently active first, with their post counts."""
    rows = db.session.execute(
        select(RetailThread, func.count(RetailPost.id), func.max(RetailPost.created_at))
        .join(RetailPost, RetailPost.thread_id == RetailThread.id)
        .where(RetailThread.group_id == group_id)
        .group_by(RetailThread.id)
        .order_by(func.max(RetailPost.created_at).desc())
    ).all()
    return [(t, n) for t, n, _last in rows]
