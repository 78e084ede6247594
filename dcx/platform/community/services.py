"""The community's rules: join and leave, threads and posts, reactions, reports, moderation.

Every function takes the vertical's key or a space it loaded, adds and flushes; the caller
commits. Lists are read in a fixed number of queries, however many posts or members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.community.models import (
    CommunityMembership,
    CommunityPost,
    CommunityReaction,
    CommunityReport,
    CommunitySpace,
    CommunityThread,
    ReportStatus,
)
from dcx.platform.inputs import db_int

AuthorNames = Callable[[set[int]], Mapping[int, str]]


class CommunityError(Exception):
    """A rule of the community refused the action; the message is shown to the person."""


def account_names(user_ids: set[int]) -> dict[int, str]:
    """The authors' account names (one query): the default way to show who wrote a post."""
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


# --- spaces and members ----------------------------------------------------------------------


def ensure_spaces(vertical: str, specs: Iterable[Mapping[str, str]]) -> list[CommunitySpace]:
    """Get or create the vertical's spaces by slug (``name``, ``description``, ``topic``)."""
    specs = list(specs)
    have = {
        s.slug: s
        for s in db.session.execute(
            select(CommunitySpace).where(
                CommunitySpace.vertical == vertical,
                CommunitySpace.slug.in_([spec["slug"] for spec in specs]),
            )
        ).scalars()
    }
    found = []
    for spec in specs:
        space = have.get(spec["slug"])
        if space is None:
            space = CommunitySpace(
                vertical=vertical,
                slug=spec["slug"],
                name=spec["name"],
                description=spec.get("description", ""),
                topic=spec.get("topic", ""),
            )
            db.session.add(space)
            db.session.flush()
            have[space.slug] = space
        found.append(space)
    return found


def spaces(vertical: str) -> list[CommunitySpace]:
    """Every space of the vertical, by name."""
    return rows_where(
        CommunitySpace,
        CommunitySpace.vertical == vertical,
        order_by=(CommunitySpace.name, CommunitySpace.id),
    )


def space_by_slug(vertical: str, slug: str) -> CommunitySpace | None:
    """The vertical's space with this slug, or None."""
    return db.session.execute(
        select(CommunitySpace).where(
            CommunitySpace.vertical == vertical, CommunitySpace.slug == slug
        )
    ).scalar_one_or_none()


def space_by_id(vertical: str, space_id: Any) -> CommunitySpace | None:
    """The vertical's space with this id (another vertical's id is None), or None."""
    try:
        ident = db_int(space_id)
    except (TypeError, ValueError):
        return None
    space = db.session.get(CommunitySpace, ident)
    return space if space is not None and space.vertical == vertical else None


def is_member(space_id: int, user_id: int) -> bool:
    """True when the person belongs to the space."""
    return (
        db.session.execute(
            select(CommunityMembership.id).where(
                CommunityMembership.space_id == space_id, CommunityMembership.user_id == user_id
            )
        ).first()
        is not None
    )


def join(space: CommunitySpace, user_id: int) -> bool:
    """Join the space; False if already a member."""
    try:
        with db.session.begin_nested():
            db.session.add(CommunityMembership(space_id=space.id, user_id=user_id))
    except IntegrityError:
        return False
    return True


def leave(space: CommunitySpace, user_id: int) -> bool:
    """Leave the space; False if not a member."""
    membership = db.session.execute(
        select(CommunityMembership).where(
            CommunityMembership.space_id == space.id, CommunityMembership.user_id == user_id
        )
    ).scalar_one_or_none()
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    return True


def spaces_with_counts(
    vertical: str, user_id: int | None
) -> list[tuple[CommunitySpace, int, bool]]:
    """Every space of the vertical with its member count and whether this person is one."""
    counts = dict(
        db.session.execute(
            select(CommunityMembership.space_id, func.count(CommunityMembership.id))
            .join(CommunitySpace, CommunitySpace.id == CommunityMembership.space_id)
            .where(CommunitySpace.vertical == vertical)
            .group_by(CommunityMembership.space_id)
        ).all()
    )
    mine = (
        set(
            db.session.execute(
                select(CommunityMembership.space_id).where(CommunityMembership.user_id == user_id)
            ).scalars()
        )
        if user_id
        else set()
    )
    return [(s, counts.get(s.id, 0), s.id in mine) for s in spaces(vertical)]


def memberships_of(user_id: int, vertical: str) -> int:
    """How many of the vertical's spaces the person belongs to."""
    return int(
        db.session.execute(
            select(func.count(CommunityMembership.id))
            .join(CommunitySpace, CommunitySpace.id == CommunityMembership.space_id)
            .where(CommunityMembership.user_id == user_id, CommunitySpace.vertical == vertical)
        ).scalar_one()
    )


# --- threads ---------------------------------------------------------------------------------


LONGEST = 5000  # characters in a post


def _body(body: str, longest: int = LONGEST) -> str:
    body = body.strip()
    if not 1 <= len(body) <= longest:
        raise CommunityError(_l("Write between 1 and %(most)d characters.", most=longest))
    return body


def start_thread(space: CommunitySpace, user_id: int, title: str, body: str) -> CommunityThread:
    """Open a conversation in a space the person belongs to, with its first post."""
    if not is_member(space.id, user_id):
        raise CommunityError(_l("Join the group to start a thread."))
    title = title.strip()
    if db.session.execute(
        select(CommunityThread.id).where(
            CommunityThread.space_id == space.id, CommunityThread.title == title
        )
    ).first():
        raise CommunityError(_l("This group already has a thread with that title."))
    thread = CommunityThread(space_id=space.id, user_id=user_id, title=title)
    thread.posts = [CommunityPost(space_id=space.id, user_id=user_id, body=_body(body))]
    db.session.add(thread)
    db.session.flush()
    return thread


def reply_in_thread(thread: CommunityThread, user_id: int, body: str) -> CommunityPost:
    """Reply in a thread of a space the person belongs to."""
    if not is_member(thread.space_id, user_id):
        raise CommunityError(_l("Join the group to reply."))
    post = CommunityPost(
        space_id=thread.space_id, thread_id=thread.id, user_id=user_id, body=_body(body)
    )
    db.session.add(post)
    db.session.flush()
    return post


def threads_of(space_id: int) -> list[tuple[CommunityThread, int]]:
    """The space's threads, most recently active first, with their visible post counts."""
    rows = db.session.execute(
        select(CommunityThread, func.count(CommunityPost.id), func.max(CommunityPost.created_at))
        .join(CommunityPost, CommunityPost.thread_id == CommunityThread.id)
        .where(CommunityThread.space_id == space_id, CommunityPost.hidden.is_(False))
        .group_by(CommunityThread.id)
        .order_by(func.max(CommunityPost.created_at).desc(), CommunityThread.id.desc())
    ).all()
    return [(t, n) for t, n, _last in rows]


def thread_posts(thread: CommunityThread) -> list[CommunityPost]:
    """A thread's visible posts, oldest first, with their authors."""
    return list(
        db.session.execute(
            select(CommunityPost)
            .where(CommunityPost.thread_id == thread.id, CommunityPost.hidden.is_(False))
            .options(selectinload(CommunityPost.author))
            .order_by(CommunityPost.id)
        ).scalars()
    )


def thread_in(vertical: str, thread_id: Any) -> CommunityThread | None:
    """The vertical's thread with this id (with its space), or None."""
    try:
        ident = db_int(thread_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(CommunityThread)
        .join(CommunitySpace, CommunitySpace.id == CommunityThread.space_id)
        .where(CommunityThread.id == ident, CommunitySpace.vertical == vertical)
        .options(selectinload(CommunityThread.space))
    ).scalar_one_or_none()


# --- posts, reactions and reports ------------------------------------------------------------


def visible_post(vertical: str, post_id: Any) -> CommunityPost | None:
    """The vertical's post with this id if it is not hidden, or None."""
    try:
        ident = db_int(post_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(CommunityPost)
        .join(CommunitySpace, CommunitySpace.id == CommunityPost.space_id)
        .where(
            CommunityPost.id == ident,
            CommunitySpace.vertical == vertical,
            CommunityPost.hidden.is_(False),
        )
    ).scalar_one_or_none()


def post(
    space: CommunitySpace,
    user_id: int,
    body: str,
    milestone: bool = False,
    parent: CommunityPost | None = None,
    longest: int = LONGEST,
) -> CommunityPost:
    """Post in a space outside threads, or reply to such a post (a reply is no milestone)."""
    made = CommunityPost(
        space_id=space.id,
        user_id=user_id,
        parent_id=parent.id if parent else None,
        body=_body(body, longest),
        milestone=bool(milestone) and parent is None,
    )
    db.session.add(made)
    db.session.flush()
    return made


def react(user_id: int, post: CommunityPost, kind: str = "cheer") -> bool:
    """React to a post once; False if already done or the post is one's own."""
    if post.user_id == user_id:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(CommunityReaction(post_id=post.id, user_id=user_id, kind=kind))
    except IntegrityError:
        return False
    return True


def report(user_id: int, post: CommunityPost, reason: str) -> CommunityReport | None:
    """Report a post to the moderators once; None if this person reported it already."""
    made = CommunityReport(post_id=post.id, user_id=user_id, reason=reason.strip()[:200])
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:
        return None
    return made


def _resolve(post: CommunityPost, status: ReportStatus) -> int:
    reports = list(
        db.session.execute(
            select(CommunityReport).where(
                CommunityReport.post_id == post.id, CommunityReport.status == ReportStatus.OPEN
            )
        ).scalars()
    )
    for one in reports:
        one.status = status
    db.session.flush()
    return len(reports)


def hide(post: CommunityPost) -> int:
    """A moderator hides a post; its open reports are resolved. How many were."""
    post.hidden = True
    return _resolve(post, ReportStatus.HIDDEN)


def dismiss(post: CommunityPost) -> int:
    """A moderator keeps a reported post; its open reports are dismissed. How many were."""
    return _resolve(post, ReportStatus.DISMISSED)


def moderate(post: CommunityPost, action: str) -> int:
    """Hide the post (``hidden``) or dismiss its reports (``dismissed``)."""
    if action == ReportStatus.HIDDEN:
        return hide(post)
    if action == ReportStatus.DISMISSED:
        return dismiss(post)
    raise CommunityError(_l("Hide or dismiss."))


def _open_reported(vertical: str):
    return (
        select(CommunityPost.id)
        .join(CommunityReport, CommunityReport.post_id == CommunityPost.id)
        .join(CommunitySpace, CommunitySpace.id == CommunityPost.space_id)
        .where(
            CommunitySpace.vertical == vertical,
            CommunityReport.status == ReportStatus.OPEN,
            CommunityPost.hidden.is_(False),
        )
    )


def open_report_count(vertical: str) -> int:
    """How many posts :func:`open_reports` lists, counted in SQL."""
    posts = _open_reported(vertical).distinct().subquery()
    return int(db.session.execute(select(func.count()).select_from(posts)).scalar_one())


@dataclass
class Reported:
    """A post waiting for a moderator: how many reported it, their reasons, where it is."""

    post: CommunityPost
    reports: int
    space: CommunitySpace
    thread: CommunityThread | None
    reasons: list[str] = field(default_factory=list)


def open_reports(vertical: str, limit: int = 100) -> list[Reported]:
    """Reported posts still visible and unresolved, most reported first (two queries)."""
    rows = db.session.execute(
        select(CommunityPost, func.count(CommunityReport.id), CommunitySpace, CommunityThread)
        .join(CommunityReport, CommunityReport.post_id == CommunityPost.id)
        .join(CommunitySpace, CommunitySpace.id == CommunityPost.space_id)
        .outerjoin(CommunityThread, CommunityThread.id == CommunityPost.thread_id)
        .where(
            CommunitySpace.vertical == vertical,
            CommunityReport.status == ReportStatus.OPEN,
            CommunityPost.hidden.is_(False),
        )
        .group_by(CommunityPost.id, CommunitySpace.id, CommunityThread.id)
        .order_by(func.count(CommunityReport.id).desc(), CommunityPost.id)
        .limit(limit)
    ).all()
    found = [Reported(p, n, space, thread) for p, n, space, thread in rows]
    by_post = {r.post.id: r for r in found}
    if by_post:
        for post_id, reason in db.session.execute(
            select(CommunityReport.post_id, CommunityReport.reason)
            .where(
                CommunityReport.post_id.in_(by_post), CommunityReport.status == ReportStatus.OPEN
            )
            .order_by(CommunityReport.id)
        ).all():
            if reason:
                by_post[post_id].reasons.append(reason)
    return found


# --- a space's posts as conversations --------------------------------------------------------


@dataclass
class Conversation:
    """A post with its author's shown name, reactions and replies, ready to show."""

    post: CommunityPost
    author: str
    reactions: int
    reacted: bool
    replies: list[Conversation] = field(default_factory=list)


def conversations(
    space: CommunitySpace,
    viewer_id: int,
    author_names: AuthorNames = account_names,
    unnamed: str = "",
    limit: int = 200,
) -> list[Conversation]:
    """The space's visible posts outside threads, newest first, replies oldest first.

    ``author_names`` maps author ids to the names shown (a pseudonym in health); an author
    it leaves out is shown as ``unnamed``. Three queries, however many posts.
    """
    posts = list(
        db.session.execute(
            select(CommunityPost)
            .where(
                CommunityPost.space_id == space.id,
                CommunityPost.thread_id.is_(None),
                CommunityPost.hidden.is_(False),
            )
            .order_by(CommunityPost.created_at.desc(), CommunityPost.id.desc())
            .limit(limit)
        ).scalars()
    )
    names = author_names({p.user_id for p in posts}) if posts else {}
    counts: dict[int, int] = defaultdict(int)
    mine: set[int] = set()
    if posts:
        for post_id, uid in db.session.execute(
            select(CommunityReaction.post_id, CommunityReaction.user_id).where(
                CommunityReaction.post_id.in_([p.id for p in posts])
            )
        ).all():
            counts[post_id] += 1
            if uid == viewer_id:
                mine.add(post_id)
    made = {
        p.id: Conversation(p, names.get(p.user_id) or unnamed, counts[p.id], p.id in mine)
        for p in posts
    }
    tops = []
    for one in posts:
        if one.parent_id is None:
            tops.append(made[one.id])
        elif one.parent_id in made:
            made[one.parent_id].replies.insert(0, made[one.id])
    return tops
