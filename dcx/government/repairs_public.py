"""The public face of a repair: the status page and the Atom feed follow its real state.

A fix is published once (``services.publish_fix``) and its notice says "Fixed". When a
citizen says it is still broken the repair is reopened; from then on the public entry says so,
with the repair's current status and the time of its latest step, until it is fixed again.
The state is read from the repair and its workflow steps, never copied, so it cannot go stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime, get_locale, gettext
from sqlalchemy import and_, case, func, select

from dcx.extensions import db
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentRepairEvent,
    RepairStatus,
)
from dcx.government.repairs import OPEN_STATUSES, STATUS_LABELS
from dcx.platform import clock
from dcx.platform.links import tag_uri

# A repair in these states stands behind its "Fixed" notice; any other state overrides it.
FIXED_STATUSES = ("fixed", "closed")


@dataclass(frozen=True)
class PublicEntry:
    """One public update as the public should read it now, in the current locale."""

    update: GovernmentPublicUpdate
    status: str  # the repair's status now; "" for an update about no repair
    title: str
    body: str
    updated_at: datetime  # the publication, or the repair's latest step since

    @property
    def fixed(self) -> bool:
        """True while the notice of the fix still holds."""
        return not self.status or self.status in FIXED_STATUSES

    @property
    def status_label(self) -> str:
        """The repair's status in words ("" for an update about no repair)."""
        return str(STATUS_LABELS.get(self.status, self.status)) if self.status else ""


def public_entries(updates: Sequence[GovernmentPublicUpdate]) -> list[PublicEntry]:
    """The updates with their repairs' real state, in one query whatever their number."""
    ids = [u.repair_id for u in updates if u.repair_id is not None]
    event = GovernmentRepairEvent
    reopened = case(
        (
            and_(event.from_status == RepairStatus.FIXED, event.to_status == RepairStatus.REPORTED),
            event.at,
        )
    )
    state: dict[int, tuple[GovernmentRepair, datetime | None, datetime | None]] = {}
    if ids:
        for repair, last_step, last_reopen in db.session.execute(
            select(GovernmentRepair, func.max(event.at), func.max(reopened))
            .outerjoin(event, event.repair_id == GovernmentRepair.id)
            .where(GovernmentRepair.id.in_(ids))
            .group_by(GovernmentRepair.id)
        ).all():
            state[repair.id] = (repair, last_step, last_reopen)
    entries = []
    for update in updates:
        found = state.get(update.repair_id) if update.repair_id is not None else None
        if found is None:
            entries.append(PublicEntry(update, "", update.title, update.body, update.published_at))
            continue
        repair, last_step, last_reopen = found
        updated_at = max(update.published_at, last_step or update.published_at)
        if repair.status in FIXED_STATUSES:
            entries.append(
                PublicEntry(update, repair.status, update.title, update.body, updated_at)
            )
            continue
        title, body = _not_fixed_notice(repair, last_reopen or updated_at)
        entries.append(PublicEntry(update, repair.status, title, body, updated_at))
    return entries


def _not_fixed_notice(repair: GovernmentRepair, reopened_at: datetime) -> tuple[str, str]:
    """What the public reads about a published fix that did not hold (title, body)."""
    what = str(CATEGORY_LABELS.get(repair.category, repair.category)).lower()
    status = str(STATUS_LABELS.get(repair.status, repair.status))
    if repair.status in OPEN_STATUSES:
        title = gettext("Reopened: %(what)s at %(place)s", what=what, place=repair.location)
    else:
        title = gettext(
            "%(status)s: %(what)s at %(place)s", status=status, what=what, place=repair.location
        )
    body = gettext(
        "On %(when)s UTC a citizen told us the %(what)s at %(place)s is still broken. "
        "Status now: %(status)s.",
        when=format_datetime(reopened_at, "d MMM y, HH:mm", rebase=False),
        what=what,
        place=repair.location,
        status=status.lower(),
    )
    return title[:200], body


def atom_feed(entries: Sequence[PublicEntry], feed_url: str, page_url: str) -> bytes:
    """The Atom feed of city updates, built with feedgen, in the current locale.

    Ids are permanent ``tag:`` URIs (never built from the request's Host), and ``xml:lang`` is
    the language the entries are written in: the current locale, which the caller sets to the
    site's (public notices are published in it). Each entry carries the repair's status as its category and, as ``updated``, the time of
    its latest change, so a feed reader shows a reopened repair again.
    """
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(tag_uri("government/updates"))
    fg.title(gettext("City updates"))
    fg.subtitle(gettext("Repairs and traffic news from the city, as they happen."))
    fg.author({"name": gettext("City of DCX")})
    fg.link(href=page_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language(str(get_locale() or "en").replace("_", "-"))
    fg.updated(max((e.updated_at for e in entries), default=clock.now()))
    for item in reversed(entries):
        entry = fg.add_entry()
        entry.id(tag_uri(f"government/update/{item.update.id}"))
        entry.title(item.title)
        entry.summary(item.body)
        entry.link(href=f"{page_url}#update-{item.update.id}")
        if item.status:
            entry.category(term=item.status, label=item.status_label)
        entry.updated(item.updated_at)
        entry.published(item.update.published_at)
    return fg.atom_str(pretty=True)
