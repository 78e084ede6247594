"""Sandboxes: create one (within the caps), find a live one, keep it alive, reset, sweep.

The register lives in the main database; these functions write it in short transactions of
their own on the main engine, because the request's ``db.session`` may be routed to a sandbox.
Lifetimes are wall-clock time (``clock.real_now()``): a sandbox's own demo clock may run a
month ahead, its visitor's idleness does not.

A client address is never stored: a keyed hash of it (``address_key``, truncated, useless
without the secret key) is kept on the sandbox's row, so the cap on how many live sandboxes
one address holds is counted in the database and holds across every web worker and host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, scoped_session

from dcx.platform import clock
from dcx.platform.sandboxes import store
from dcx.platform.sandboxes.models import Sandbox, SandboxVisit

TOUCH_EVERY = timedelta(seconds=60)
# How far back the presenter's overview lists sandboxes.
RECENT = timedelta(days=7)
# The advisory lock (PostgreSQL) under which a sandbox's place is counted and taken.
REGISTER_LOCK = 0x0DC5_5B0C


class SandboxLimit(Exception):
    """No new sandbox now: ``reason`` is ``"total"`` (the showcase is full) or ``"address"``
    (this address holds its share)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def register() -> Iterator[Session]:
    """A session on the main database's register, committed at the end of the block."""
    with Session(store.main_engine(), expire_on_commit=False) as session, session.begin():
        yield session


def idle_lifetime() -> timedelta:
    """How long a sandbox lives after its last request (``DCX_SANDBOX_IDLE_MINUTES``)."""
    return timedelta(minutes=int(current_app.config.get("DCX_SANDBOX_IDLE_MINUTES", 120)))


def live_since() -> datetime:
    """The moment after which a sandbox last used is still live."""
    return clock.real_now() - idle_lifetime()


def _address_key(address: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, (address or "").encode(), hashlib.sha256).hexdigest()[:32]


def create(address: str, language: str | None = None) -> Sandbox:
    """A new sandbox, a copy of the template; raise :class:`SandboxLimit` past a cap.

    Its row is registered first, in one transaction that holds the register's lock while it
    counts and inserts (:func:`_reserve`), so two requests at the same moment (in any worker or
    host) cannot both take the last place; the copy is made after, and a failed copy gives the
    place back."""
    sandbox_id = new_id()
    now = clock.real_now()
    sandbox = Sandbox(
        id=sandbox_id,
        created_at=now,
        last_seen_at=now,
        language=store.template_language(),
        resets=0,
        address_key=_address_key(address),
    )
    _reserve(sandbox)
    try:
        store.copy_template(sandbox_id)
    except BaseException:
        expire({sandbox_id})
        raise
    return sandbox


def new_id() -> str:
    """A fresh, unguessable sandbox id that never starts with "-", so that
    ``flask dcx sandboxes expire ID`` takes any id as listed (not as an option)."""
    while (found := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return found


def _reserve(sandbox: Sandbox) -> None:
    """Register ``sandbox`` unless a cap is reached, counting and inserting under the lock."""
    live_now = Sandbox.last_seen_at >= live_since()
    with register() as session:
        _lock_register(session)
        total, mine = session.execute(
            select(
                func.count(),
                func.count().filter(Sandbox.address_key == sandbox.address_key),
            ).where(live_now)
        ).one()
        if total >= int(current_app.config.get("DCX_SANDBOX_MAX", 200)):
            raise SandboxLimit("total")
        if mine >= int(current_app.config.get("DCX_SANDBOX_MAX_PER_ADDRESS", 10)):
            raise SandboxLimit("address")
        session.add(sandbox)


def _lock_register(session: Session) -> None:
    """Hold the register's lock until this transaction ends: one creation counts at a time.

    PostgreSQL: a transaction-scoped advisory lock (a plain count would let two transactions
    both see the last free place; there is no row to lock). SQLite: ``BEGIN IMMEDIATE`` takes
    the database's write lock before the count is read (the driver would otherwise begin only
    at the insert, after the count), and a second writer waits on ``busy_timeout``."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REGISTER_LOCK})
    else:
        session.execute(text("BEGIN IMMEDIATE"))


def _language_of(sandbox_id: str) -> str:
    from dcx.platform.showcase.models import ShowcaseState

    engine = store.engine(sandbox_id)
    if engine is None:
        return "en"
    with engine.connect() as conn:
        found = conn.execute(select(ShowcaseState.language).where(ShowcaseState.id == 1)).scalar()
    return found or "en"


def live(sandbox_id: str | None) -> Sandbox | None:
    """The sandbox with this id, if it exists and has not been idle too long."""
    if not sandbox_id or not store.SANDBOX_ID.fullmatch(sandbox_id):
        return None
    with register() as session:
        return session.execute(
            select(Sandbox).where(Sandbox.id == sandbox_id, Sandbox.last_seen_at >= live_since())
        ).scalar_one_or_none()


def touch(sandbox: Sandbox) -> None:
    """Note the sandbox was used now (written at most once a minute)."""
    now = clock.real_now()
    if now - sandbox.last_seen_at < TOUCH_EVERY:
        return
    with register() as session:
        session.execute(update(Sandbox).where(Sandbox.id == sandbox.id).values(last_seen_at=now))


def reset(sandbox_id: str) -> None:
    """Replace the sandbox's database and files with a fresh copy of the template."""
    store.forget_engine(sandbox_id)
    store.copy_template(sandbox_id)
    with register() as session:
        session.execute(
            update(Sandbox)
            .where(Sandbox.id == sandbox_id)
            .values(resets=Sandbox.resets + 1, language=_language_of(sandbox_id))
        )


def note_language(sandbox_id: str, language: str) -> None:
    """Record the language the sandbox now shows."""
    with register() as session:
        session.execute(update(Sandbox).where(Sandbox.id == sandbox_id).values(language=language))


def record_visit(sandbox_id: str, vertical: str, step: int = 0) -> None:
    """Note that the sandbox opened ``vertical`` (at tour ``step``, 0 for a plain page), and
    close the previous visit's duration. A page of the same story and step extends it."""
    now = clock.real_now()
    with register() as session:
        last = session.execute(
            select(SandboxVisit)
            .where(SandboxVisit.sandbox_id == sandbox_id)
            .order_by(SandboxVisit.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None:
            last.seconds = max(int((now - last.at).total_seconds()), 0)
            if last.vertical == vertical and last.step == step:
                return
        session.add(SandboxVisit(sandbox_id=sandbox_id, vertical=vertical, step=step, at=now))


def note_assessment(sandbox_id: str, stage: str, overall: int) -> None:
    """Record the outcome of the assessment the sandbox just ran (its latest), for the
    presenter page: the stage and score only, never the answers."""
    with register() as session:
        session.execute(
            update(Sandbox)
            .where(Sandbox.id == sandbox_id)
            .values(assessment_stage=stage, assessment_overall=overall)
        )


def expire(sandbox_ids: set[str]) -> None:
    """Delete these sandboxes now, register rows first, then their databases and files."""
    if not sandbox_ids:
        return
    with register() as session:
        session.execute(delete(SandboxVisit).where(SandboxVisit.sandbox_id.in_(sandbox_ids)))
        session.execute(delete(Sandbox).where(Sandbox.id.in_(sandbox_ids)))
    delete_stores(sandbox_ids)


def registered_ids(session: Session | scoped_session) -> set[str]:
    """The ids in the register ``session`` reads (a sandbox's own copy has none)."""
    return set(session.execute(select(Sandbox.id)).scalars())


def delete_stores(sandbox_ids: set[str]) -> None:
    """Delete these sandboxes' databases and uploads (their register rows are gone)."""
    for sandbox_id in sandbox_ids:
        store.delete(sandbox_id)


def purge() -> int:
    """Delete every sandbox, live or not, with its database and files, and any orphan;
    returns how many the register knew."""
    with register() as session:
        known = set(session.execute(select(Sandbox.id)).scalars().all())
    expire(known)
    for orphan in store.stored_ids(older_than=0) - known:
        store.delete(orphan)
    return len(known)


def sweep(now: datetime | None = None) -> int:
    """Delete every expired sandbox with its database and files, and any orphaned files;
    returns how many sandboxes were deleted. (The job's ``now`` is the main demo clock's;
    lifetimes are wall-clock, so it is not used.)"""
    with register() as session:
        expired = set(
            session.execute(select(Sandbox.id).where(Sandbox.last_seen_at < live_since()))
            .scalars()
            .all()
        )
        known = set(session.execute(select(Sandbox.id)).scalars().all())
    expire(expired)
    for orphan in store.stored_ids() - known:
        store.delete(orphan)
    return len(expired)


def live_count() -> int:
    """How many sandboxes are live now."""
    with register() as session:
        return session.execute(
            select(func.count()).select_from(Sandbox).where(Sandbox.last_seen_at >= live_since())
        ).scalar_one()


# --- what the presenter's overview shows -----------------------------------------------------


@dataclass
class SandboxReport:
    """One sandbox as the presenter page lists it."""

    sandbox: Sandbox
    live: bool
    visits: list[SandboxVisit] = field(default_factory=list)

    def seconds_in(self, vertical: str) -> int:
        """Time spent in one story, in seconds."""
        return sum(v.seconds for v in self.visits if v.vertical == vertical)

    def stories(self) -> list[str]:
        """The stories visited, in the order first seen."""
        return list(dict.fromkeys(v.vertical for v in self.visits))

    def assessment_stage_label(self) -> str | None:
        """The maturity stage the sandbox's latest assessment reached, as people read it."""
        key = self.sandbox.assessment_stage
        if key is None:
            return None
        from dcx.platform.assessment.services import stage_by_key

        return str(stage_by_key(key).label)

    def steps(self, vertical: str) -> list[int]:
        """The tour steps of ``vertical`` visited, in order, each once."""
        return sorted({v.step for v in self.visits if v.vertical == vertical and v.step})


def reports(now: datetime | None = None) -> list[SandboxReport]:
    """Sandboxes seen in the last week, newest first, with their visits (two queries)."""
    now = now or clock.real_now()
    with register() as reg:
        rows = (
            reg.execute(
                select(Sandbox)
                .where(Sandbox.last_seen_at >= now - RECENT)
                .order_by(Sandbox.last_seen_at.desc())
                .limit(200)
            )
            .scalars()
            .all()
        )
        visits: dict[str, list[SandboxVisit]] = defaultdict(list)
        if rows:
            for visit in reg.execute(
                select(SandboxVisit)
                .where(SandboxVisit.sandbox_id.in_([r.id for r in rows]))
                .order_by(SandboxVisit.id)
            ).scalars():
                visits[visit.sandbox_id].append(visit)
    horizon = now - idle_lifetime()
    return [SandboxReport(r, r.last_seen_at >= horizon, visits[r.id]) for r in rows]
