"""The community: groups with the same goals, posts, cheers and reports for moderation.

The rows and the rules shared with other verticals are the platform's community
(:mod:`dcx.platform.community.services`); health adds what keeps health data private: a
member posts under a display name (a pseudonym), never the account name, and is told of
replies and cheers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.health import care_team
from dcx.health.models import HealthPatientProfile
from dcx.health.rules import KEY, HealthError
from dcx.platform.community import services as community
from dcx.platform.community.models import CommunityPost, CommunitySpace
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales

LONGEST = 2000  # characters in a health post


def ensure_groups(groups: Iterable[Mapping[str, str]]) -> list[CommunitySpace]:
    """Get or create community groups by slug; ``measure`` is the goal a group is about."""
    return community.ensure_spaces(
        KEY,
        [
            {
                "slug": spec["slug"],
                "name": spec["name"],
                "description": spec.get("description", ""),
                "topic": spec.get("measure", ""),
            }
            for spec in groups
        ],
    )


def groups() -> list[CommunitySpace]:
    """Every community group."""
    return community.spaces(KEY)


def group_by_slug(slug: str) -> CommunitySpace | None:
    """The group with this slug, or None."""
    return community.space_by_slug(KEY, slug)


def visible_post(post_id: Any) -> CommunityPost | None:
    """A health post that is not hidden, or None."""
    return community.visible_post(KEY, post_id)


def display_names(user_ids: set[int]) -> dict[int, str]:
    """The display names (pseudonyms) of these members, one query; never account names."""
    if not user_ids:
        return {}
    return {
        uid: name
        for uid, name in db.session.execute(
            select(HealthPatientProfile.user_id, HealthPatientProfile.display_name).where(
                HealthPatientProfile.user_id.in_(user_ids)
            )
        ).all()
        if name
    }


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
    group: CommunitySpace,
    body: str,
    milestone: bool = False,
    parent: CommunityPost | None = None,
) -> CommunityPost:
    """Post in a group (or reply); needs a display name first."""
    if not care_team.profile_for(user_id).display_name:
        raise HealthError(_l("Choose a display name before posting."))
    if not 1 <= len(body.strip()) <= LONGEST:
        raise HealthError(_l("Write between 1 and 2000 characters."))
    post = community.post(group, user_id, body, milestone, parent, longest=LONGEST)
    if parent and parent.user_id != user_id:
        author = parent.user_id
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


def cheer(user_id: int, post: CommunityPost) -> bool:
    """Cheer a post once; False if already cheered or it is one's own."""
    if not community.react(user_id, post):
        return False
    group = db.session.get_one(CommunitySpace, post.space_id)
    with in_locale(recipient_locales([post.user_id])[post.user_id]):
        title = str(_l("Someone cheered your post"))
    notify(
        post.user_id,
        "health.community",
        title,
        "",
        link("health.group", slug=group.slug, _anchor=f"post-{post.id}"),
        key=f"health.cheer:{post.id}:{user_id}",
    )
    return True


def report_post(user_id: int, post: CommunityPost, reason: str) -> bool:
    """Report a post to the moderators once; False if already reported by this member."""
    return community.report(user_id, post, reason) is not None


def hide_post(post_id: Any) -> CommunityPost | None:
    """A moderator hides a post (and resolves its reports); None if no such visible post."""
    post = visible_post(post_id)
    if post is not None:
        community.hide(post)
    return post


def dismiss_reports(post_id: Any) -> CommunityPost | None:
    """A moderator keeps a reported post: its reports are resolved; None if no such post."""
    post = visible_post(post_id)
    if post is not None:
        community.dismiss(post)
    return post


def threads(group: CommunitySpace, viewer_id: int) -> list[community.Conversation]:
    """The group's visible posts, newest first, with replies oldest first (three queries).

    Authors are shown by their display name; one without is a "Member".
    """
    return community.conversations(
        group, viewer_id, author_names=display_names, unnamed=str(_l("Member"))
    )


def open_report_count() -> int:
    """How many posts :func:`open_reports` lists, counted in SQL."""
    return community.open_report_count(KEY)


def open_reports() -> list[community.Reported]:
    """Reported posts still visible and unresolved, with how many reports and their group."""
    return community.open_reports(KEY)
