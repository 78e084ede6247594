"""Public updates: a fix published the moment it is done, on the status page and the Atom feed."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import districts
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentAreaFollow,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentSocialPost,
    RepairStatus,
    SocialPostStatus,
)
from dcx.government.rules import KEY
from dcx.platform import clock
from dcx.platform.links import external, link
from dcx.platform.notify.services import in_locale, notify, recipient_locales, site_language
from dcx.platform.timeline.services import record

SOCIAL_NETWORKS = {"x": 280, "mastodon": 500, "facebook": 2000}


def _public_link(update_id: int) -> str:
    """The update on the status page, absolute on the configured base URL (posts leave the site)."""
    return external("government.status", _anchor=f"update-{update_id}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_posts(update: GovernmentPublicUpdate, link: str) -> dict[str, str]:
    """The post for each network, within its length limit (the link is always kept whole)."""
    x_room = SOCIAL_NETWORKS["x"] - len(link) - 1
    return {
        "x": f"{_shorten(update.title, x_room)} {link}",
        "mastodon": _shorten(
            f"{update.title}\n\n{update.body}", SOCIAL_NETWORKS["mastodon"] - len(link) - 20
        )
        + f"\n\n{link}\n#CityUpdates",
        "facebook": _shorten(f"{update.title}\n\n{update.body}", 1800)
        + "\n\n"
        + gettext("More: %(link)s", link=link),
    }


def send_to_webhook(url: str, payload: Mapping[str, Any]) -> str:
    """POST the payload as JSON to the social webhook; returns a short outcome or raises."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError("the social webhook must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's config
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    # Accepted (bandit B310): the operator's configured URL, its scheme checked above to be http(s)
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # nosec B310
        return f"HTTP {response.status}"


# The outcome of a post that was not sent: a key, shown through labels.POST_OUTCOME_LABELS.
NO_WEBHOOK = "no GOVERNMENT_SOCIAL_WEBHOOK configured"


def deliver_social(post: GovernmentSocialPost, link: str) -> None:
    """Send one post through the configured webhook, or record that none is configured."""
    webhook = current_app.config.get("GOVERNMENT_SOCIAL_WEBHOOK", "")
    if not webhook:
        post.status, post.outcome = SocialPostStatus.SKIPPED.value, NO_WEBHOOK
        return
    try:
        post.outcome = send_to_webhook(
            webhook, {"network": post.network, "text": post.text, "link": link}
        )[:300]
        post.status = SocialPostStatus.SENT.value
    except Exception as exc:  # any network failure is recorded, never raised to the caller
        post.status, post.outcome = (
            SocialPostStatus.FAILED.value,
            f"{type(exc).__name__}: {exc}"[:300],
        )


def fix_notice(category: str, location: str, district: str, at: datetime) -> tuple[str, str]:
    """The public notice of a fix (title, body), in the current locale (``publish_fix`` sets
    the site's: everyone reads the same notice, and the feed says which language it is in)."""
    what = str(CATEGORY_LABELS.get(category, category)).lower()
    title = gettext("Fixed: %(what)s at %(place)s", what=what, place=location)[:200]
    body = gettext(
        "The %(what)s reported at %(place)s (%(district)s) was repaired on %(when)s UTC. "
        "Thank you for your patience.",
        what=what,
        place=location,
        district=districts.DISTRICTS[district],
        when=format_datetime(at, "d MMM y, HH:mm", rebase=False),
    )
    return title, body


def publish_fix(repair: GovernmentRepair) -> GovernmentPublicUpdate:
    """Publish a fixed repair: status page + feed entry, social posts, and the citizens told.

    Once per repair: a repair fixed again after a reopen refreshes the same update.
    """
    district = districts.district_of(repair.x, repair.y)
    with in_locale(site_language()):  # a public notice speaks the city's language
        title, body = fix_notice(repair.category, repair.location, district, clock.now())
    update = db.session.execute(
        select(GovernmentPublicUpdate).where(GovernmentPublicUpdate.repair_id == repair.id)
    ).scalar_one_or_none()
    if update is None:
        update = GovernmentPublicUpdate(repair_id=repair.id)
        db.session.add(update)
    update.title, update.body, update.district = title, body, district
    update.published_at = clock.now()
    db.session.flush()
    public_link = _public_link(update.id)
    existing = {
        p.network: p
        for p in db.session.execute(
            select(GovernmentSocialPost).where(GovernmentSocialPost.update_id == update.id)
        ).scalars()
    }
    with in_locale(site_language()):
        posts = render_posts(update, public_link)
    for network, text in posts.items():
        post = existing.get(network)
        if post is None:
            post = GovernmentSocialPost(
                update_id=update.id, network=network, created_at=clock.now()
            )
            db.session.add(post)
        post.text = text
        deliver_social(post, public_link)
    fixes = sum(1 for e in repair.events if e.to_status == RepairStatus.FIXED)
    followers = list(
        db.session.execute(
            select(GovernmentAreaFollow.user_id).where(GovernmentAreaFollow.district == district)
        ).scalars()
    )
    locales = recipient_locales([*followers, *([repair.reporter_id] if repair.reporter_id else [])])
    if repair.reporter_id:
        with in_locale(locales[repair.reporter_id]):
            title = str(_l("Is it really fixed? Report #%(number)s", number=repair.id))
            body = str(
                _l(
                    "We marked your report at %(location)s as fixed. If it is not, reopen it.",
                    location=repair.location,
                )
            )
        notify(
            repair.reporter_id,
            "government.fix_check",
            title,
            body,
            link=link("government.citizen_report", repair_id=repair.id),
            key=f"government.fix_check:{repair.id}:{fixes}",
        )
        record(
            repair.reporter_id,
            KEY,
            "repair_fixed",
            _l("Report #%(number)s fixed", number=repair.id),
            repair.location,
            link=link("government.citizen_report", repair_id=repair.id),
            key=f"government.repair_fixed:{repair.id}:{fixes}",
        )
    for user_id in followers:
        if user_id == repair.reporter_id:
            continue
        with in_locale(locales[user_id]):
            title = str(
                _l(
                    "Fixed in %(district)s: %(location)s",
                    district=districts.DISTRICTS[district],
                    location=repair.location,
                )
            )
            body = str(_l("Is it really fixed? If not, tell us on the status page."))
        notify(
            user_id,
            "government.fix_check",
            title[:200],
            body,
            link=link("government.status", _anchor=f"update-{update.id}"),
            key=f"government.fix_check:{repair.id}:{fixes}",
        )
    return update


def public_updates(limit: int = 50, offset: int = 0) -> list[GovernmentPublicUpdate]:
    """The latest public updates, newest first (``limit`` of them, after skipping ``offset``)."""
    return list(
        db.session.execute(
            select(GovernmentPublicUpdate)
            .order_by(GovernmentPublicUpdate.published_at.desc(), GovernmentPublicUpdate.id.desc())
            .offset(offset)
            .limit(limit)
        ).scalars()
    )


def social_posts(limit: int = 60) -> list[GovernmentSocialPost]:
    """The social-media outbox, newest first."""
    return list(
        db.session.execute(
            select(GovernmentSocialPost).order_by(GovernmentSocialPost.id.desc()).limit(limit)
        ).scalars()
    )


#: Updates on one page of the public status page; older ones are a "more" link away.
STATUS_PAGE = 10
#: The furthest page asked for is clamped here (an offset must stay a small number).
LAST_STATUS_PAGE = 10_000


def status_page(page: int) -> tuple[list[GovernmentPublicUpdate], int, bool]:
    """Page ``page`` (from 1, clamped) of the public updates: its updates, the page number
    used, and whether older updates follow. One statement of at most ``STATUS_PAGE + 1`` rows."""
    page = min(max(page, 1), LAST_STATUS_PAGE)
    found = public_updates(STATUS_PAGE + 1, offset=(page - 1) * STATUS_PAGE)
    return found[:STATUS_PAGE], page, len(found) > STATUS_PAGE


def follow_area(user_id: int, district: str) -> bool:
    """Follow a district; False if already followed."""
    if district not in districts.DISTRICTS:
        raise ValueError(f"unknown district {district!r}")
    exists = db.session.execute(
        select(GovernmentAreaFollow.id).where(
            GovernmentAreaFollow.user_id == user_id, GovernmentAreaFollow.district == district
        )
    ).first()
    if exists:
        return False
    db.session.add(GovernmentAreaFollow(user_id=user_id, district=district))
    db.session.flush()
    return True


def may_reopen(repair: GovernmentRepair, user_id: int) -> bool:
    """The reporter, or a citizen following the repair's district, may say it is not fixed."""
    if repair.reporter_id == user_id:
        return True
    return districts.district_of(repair.x, repair.y) in followed_areas(user_id)


def followed_areas(user_id: int) -> list[str]:
    """The districts a citizen follows."""
    return list(
        db.session.execute(
            select(GovernmentAreaFollow.district).where(GovernmentAreaFollow.user_id == user_id)
        ).scalars()
    )
