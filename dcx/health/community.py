"""The community: groups with the same goals, posts, cheers and reports for moderation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from dcx.health import care_team
from dcx.health.models import (
    HealthCheer,
    HealthGroup,
    HealthPatientProfile,
    HealthPost,
    HealthPostReport,
)
from dcx.health.rules import HealthError
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales


def ensure_groups(groups: Iterable[Mapping[str, str]]) -> list[HealthGroup]:
    """Get or create community groups by slug."""
    found = []
    for spec in groups:
        group = db.session.execute(
            select(HealthGroup).where(HealthGroup.slug == spec["slug"])
        ).scalar_one_or_none()
        if group is None:
            group = HealthGroup(
                slug=spec["slug"],
                name=spec["name"],
                description=spec.get("description", ""),
                measure=spec.get("measure", ""),
            )
            db.session.add(group)
            db.session.flush()
        found.append(group)
    return found


def groups() -> list[HealthGroup]:
    """Every community group."""
    return list(db.session.execute(select(HealthGroup).order_by(HealthGroup.name)).scalars())


def group_or_404(slug: str) -> HealthGroup:
    """The group with this slug, or 404."""
    group = db.session.execute(
        select(HealthGroup).where(HealthGroup.slug == slug)
    ).scalar_one_or_none()
    if group is None:
        abort(404)
    return group


def visible_post_or_404(post_id: Any) -> HealthPost:
    """A post that is not hidden, or 404."""
    try:
        pid = int(post_id)
    except (TypeError, ValueError):
        abort(404)
    post = db.session.get(HealthPost, pid)
    if post is None or post.hidden:
        abort(404)
    return post


def set_display_name(user_id: int, name: str) -> HealthPatientProfile:
    """Choose the name shown in the community (never the account name unless typed)."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 40:
        raise HealthError(_l("A display name has 2 to 40 characters."))
    taken = db.session.execute(
        select(HealthPatientProfile.id).where(
            func.lower(HealthPatientProfile.display_name) == name.lower(),
            HealthPatientProfile.user_id != user_id,
        )
    ).first()
    if taken:
        raise HealthError(_l("Someone already uses that name."))
    profile = care_team.profile_for(user_id)
    profile.display_name = name
    db.session.flush()
    return profile


def create_post(
    user_id: int,
    group: HealthGroup,
    body: str,
    milestone: bool = False,
    parent: HealthPost | None = None,
) -> HealthPost:
    """Post in a group (or reply); needs a display name first."""
    if not care_team.profile_for(user_id).display_name:
        raise HealthError(_l("Choose a display name before posting."))
    body = body.strip()
    if not 1 <= len(body) <= 2000:
        raise HealthError(_l("Write between 1 and 2000 characters."))
    post = HealthPost(
        group_id=group.id,
        author_id=user_id,
        parent_id=parent.id if parent else None,
        body=body,
        milestone=bool(milestone) and parent is None,
    )
    db.session.add(post)
    db.session.flush()
    if parent and parent.author_id != user_id:
        author = parent.author_id
        with in_locale(recipient_locales([author])[author]):
            title = str(_l("New reply to your post"))
        notify(
            author,
            "health.community",
            title,
            "",
            link("health.group", slug=group.slug, _anchor=f"post-{parent.id}"),
            key=f"health.reply:{post.id}",
        )
    return post


def cheer(user_id: int, post: HealthPost) -> bool:
    """Cheer a post once; False if already cheered or it is one's own."""
    if post.author_id == user_id:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(HealthCheer(post_id=post.id, user_id=user_id))
    except IntegrityError:
        return False
    group = db.session.get_one(HealthGroup, post.group_id)
    with in_locale(recipient_locales([post.author_id])[post.author_id]):
        title = str(_l("Someone cheered your post"))
    notify(
        post.author_id,
        "health.community",
        title,
        "",
        link("health.group", slug=group.slug, _anchor=f"post-{post.id}"),
        key=f"health.cheer:{post.id}:{user_id}",
    )
    return True


def report_post(user_id: int, post: HealthPost, reason: str) -> bool:
    """Report a post to the moderators once; False if already reported by this member."""
    try:
        with db.session.begin_nested():
            db.session.add(
                HealthPostReport(post_id=post.id, reporter_id=user_id, reason=reason[:200])
            )
    except IntegrityError:
        return False
    return True


def hide_post(post_id: Any) -> HealthPost:
    """A moderator hides a post (and resolves its reports)."""
    post = visible_post_or_404(post_id)
    post.hidden = True
    for report in db.session.execute(
        select(HealthPostReport).where(HealthPostReport.post_id == post.id)
    ).scalars():
        report.resolved = True
    db.session.flush()
    return post


def dismiss_reports(post_id: Any) -> None:
    """A moderator keeps a reported post: its reports are resolved."""
    post = visible_post_or_404(post_id)
    for report in db.session.execute(
        select(HealthPostReport).where(HealthPostReport.post_id == post.id)
    ).scalars():
        report.resolved = True
    db.session.flush()


@dataclass
class Thread:
    """A post with its author's display name, cheers and replies, ready to show."""

    post: HealthPost
    author: str
    cheers: int
    cheered: bool
    replies: list[Thread] = field(default_factory=list)


def threads(group: HealthGroup, viewer_id: int) -> list[Thread]:
    """The group's visible posts, newest first, with replies oldest first (three queries)."""
    posts = list(
        db.session.execute(
            select(HealthPost)
            .where(HealthPost.group_id == group.id, HealthPost.hidden.is_(False))
            .order_by(HealthPost.created_at.desc(), HealthPost.id.desc())
            .limit(200)
        ).scalars()
    )
    ids = [p.id for p in posts]
    names = dict(
        db.session.execute(
            select(HealthPatientProfile.user_id, HealthPatientProfile.display_name).where(
                HealthPatientProfile.user_id.in_({p.author_id for p in posts})
            )
        ).all()
    )
    counts: dict[int, int] = defaultdict(int)
    mine: set[int] = set()
    for post_id, uid in db.session.execute(
        select(HealthCheer.post_id, HealthCheer.user_id).where(HealthCheer.post_id.in_(ids))
    ).all():
        counts[post_id] += 1
        if uid == viewer_id:
            mine.add(post_id)
    made = {
        p.id: Thread(p, names.get(p.author_id) or str(_l("Member")), counts[p.id], p.id in mine)
        for p in posts
    }
    tops = []
    for post in posts:
        if post.parent_id is None:
            tops.append(made[post.id])
        elif post.parent_id in made:
            made[post.parent_id].replies.insert(0, made[post.id])
    return tops


def open_report_count() -> int:
    """How many posts :func:`open_reports` lists, counted in SQL."""
    posts = (
        select(HealthPost.id)
        .join(HealthPostReport, HealthPostReport.post_id == HealthPost.id)
        .where(HealthPostReport.resolved.is_(False), HealthPost.hidden.is_(False))
        .distinct()
        .subquery()
    )
    return int(db.session.execute(select(func.count()).select_from(posts)).scalar_one())


def open_reports() -> list[tuple[HealthPost, int, HealthGroup]]:
    """Reported posts still visible and unresolved: (post, how many reports, its group).

    The group comes whole so the moderation page can name it (its seeded, translated name)
    and link to it (its slug).
    """
    rows = db.session.execute(
        select(HealthPost, func.count(HealthPostReport.id), HealthGroup)
        .join(HealthPostReport, HealthPostReport.post_id == HealthPost.id)
        .join(HealthGroup, HealthGroup.id == HealthPost.group_id)
        .where(HealthPostReport.resolved.is_(False), HealthPost.hidden.is_(False))
        .group_by(HealthPost.id, HealthGroup.id)
        .order_by(func.count(HealthPostReport.id).desc(), HealthPost.id)
    ).all()
    return [(p, n, group) for p, n, group in rows]
