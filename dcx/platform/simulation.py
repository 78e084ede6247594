"""The world moves with the clock: each vertical lives through the showcase time that passed.

When the presenter (or ``flask dcx clock advance``) moves the clock from ``start`` to ``end``,
:func:`advance` runs every vertical's ``simulate`` hook for the time not lived yet, in the
order of ``DCX_VERTICALS``; the caller then runs the jobs that fell due, so a monthly report
sees the month's salary and a service reminder the kilometres driven.

Each vertical's lived time is recorded in ``simulation_period``: a period already lived is
never lived again, and the gap left by real time passing between two clock moves is lived
with the next one, or by the job ``platform.live_on`` every five minutes (so sensors keep
streaming while the presenter talks). The hooks are idempotent themselves too
(natural keys, INSERT ... ON CONFLICT DO NOTHING), so a lost record costs nothing twice.
A seeded showcase gets its history through :func:`live_history`: the same hooks over the
months before the seed, marked ``history`` so a hook may skip what its seed already wrote.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, UTCDateTime, insert_many_ignoring_duplicates
from dcx.extensions import Model, db
from dcx.platform import clock
from dcx.verticals import SimulationContext, Vertical, registry

# Beyond this, a gap is not lived through (a database left for months would take minutes).
LONGEST_PERIOD = timedelta(days=190)
HISTORY_DAYS = 120
# Rows per INSERT statement of a hook.
BATCH = 5000
# Shorter than this, a period is left for the next clock move (nothing happens in a second).
SHORTEST_PERIOD = timedelta(minutes=1)


class SimulationPeriod(IdMixin, Model):
    """One stretch of showcase time a vertical has lived through: ``[period_start,
    period_end)``, with how many rows its hook wrote."""

    __tablename__ = "simulation_period"
    __table_args__ = (UniqueConstraint("vertical", "period_start"),)

    vertical: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    lived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def lived_until() -> dict[str, datetime]:
    """Per vertical key, the end of the latest period it lived through (one query)."""
    rows = db.session.execute(
        select(SimulationPeriod.vertical, func.max(SimulationPeriod.period_end)).group_by(
            SimulationPeriod.vertical
        )
    ).all()
    return {key: _aware(end) for key, end in rows if end is not None}


def _aware(value: datetime) -> datetime:
    # max() over a decorated column comes back raw from SQLite: give it its UTC zone again.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=clock.real_now().tzinfo)


def _context(
    vertical: Vertical, start: datetime, history: bool, users: dict[str, int] | None = None
) -> SimulationContext:
    """What ``vertical``'s hook gets for a period from ``start``: the loaded showcase's data."""
    from dcx.platform.showcase import presenter

    if users is None:
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"] is not None}
    data = presenter.showcase_data()
    seed = int(data.get("seed", 2026))
    return SimulationContext(
        key=vertical.key,
        data=data.get("verticals", {}).get(vertical.key, {}),
        users=users,
        seed=seed,
        history=history,
        language=presenter.language() or data.get("language") or "en",
        random=random.Random(f"{seed}:{vertical.key}:{start.isoformat()}"),
    )


def advance(start: datetime, end: datetime, history: bool = False) -> dict[str, int]:
    """Let every vertical live ``[start, end)``, or from where it stopped if that is earlier.

    Returns the rows each vertical wrote, by key. Adds and flushes; the caller commits, then
    runs the jobs that fell due.
    """
    if end <= start:
        return {}
    from dcx.platform.showcase import presenter

    done = lived_until()
    users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"] is not None}
    written: dict[str, int] = {}
    for vertical in registry():
        if vertical.simulate is None:
            continue
        begin = done.get(vertical.key, start)
        begin = max(begin, end - LONGEST_PERIOD)
        if end - begin < SHORTEST_PERIOD:
            continue
        ctx = _context(vertical, begin, history, users)
        try:
            # a savepoint per vertical: one failing hook must not stop the clock or the others
            with db.session.begin_nested(), force_locale(ctx.language):
                rows = int(vertical.simulate(ctx, begin, end) or 0)
        except Exception:
            current_app.logger.exception("%s could not live %s to %s", vertical.key, begin, end)
            continue
        db.session.add(
            SimulationPeriod(vertical=vertical.key, period_start=begin, period_end=end, rows=rows)
        )
        db.session.flush()
        written[vertical.key] = rows
    return written


def live_on(now: datetime) -> int:
    """Live the real time that passed since the world last lived, up to ``now`` (a job).

    Between two clock moves real time passes too: without this, sensors would fall silent
    15 minutes after the presenter's last "+1 week". Run every few minutes, each vertical
    carries on from where it stopped; a showcase that never lived (nothing seeded) is left
    alone. Returns the rows written.
    """
    done = lived_until()
    if not done:
        return 0
    return summary(advance(min(done.values()), now))


def live_history(days: int = HISTORY_DAYS) -> dict[str, int]:
    """Give a freshly seeded showcase its past: every vertical lives the ``days`` before now.

    Lived once: a showcase that already lived some time (seeded twice) gets nothing more."""
    if db.session.execute(select(SimulationPeriod.id).limit(1)).first() is not None:
        return {}
    now = clock.now()
    return advance(now - timedelta(days=days), now, history=True)


def summary(written: dict[str, Any]) -> int:
    """How many rows a call of :func:`advance` wrote in all."""
    return sum(int(n) for n in written.values())


def insert_batches(model: Any, rows: list[dict[str, Any]], batch: int = BATCH) -> int:
    """Insert ``rows`` into ``model``'s table, skipping natural-key duplicates, in batches.

    Every row of a batch carries the same keys. Returns ``len(rows)``.
    """
    # One executemany per batch with the values converted column by column: SQLAlchemy's own
    # executemany prepared each row on its own, a third of a month's time at scale.
    table = model.__table__
    for at in range(0, len(rows), batch):
        insert_many_ignoring_duplicates(table, rows[at : at + batch])
    return len(rows)
