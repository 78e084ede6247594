"""The Vertical contract and the registry of loaded verticals.

A vertical is a package whose ``__init__.py`` exposes one :class:`Vertical`. The app loads the
packages named in the ``DCX_VERTICALS`` setting, in that order, and registers each one's
blueprints, jobs, seed, tour and extension points. The platform reads verticals only through
this registry; it never imports a vertical package by name.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask, current_app


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job declared as data: a stable id, a trigger and the function to run.

    ``trigger`` is a cron mapping understood by APScheduler's ``CronTrigger`` (for example
    ``{"hour": 7}`` for daily at 07:00, ``{"day": 1, "hour": 6}`` for monthly on the 1st).
    ``function(now)`` receives the demo clock's time and returns a count of what it did.
    ``each_period``: the job's work is keyed by the period its due time names (a monthly
    report), so the runner runs it once for every due time, missed ones included, each as of
    that due time; otherwise one run at the latest due time, as of now, catches up the rest
    from state.
    """

    id: str
    trigger: Mapping[str, Any]
    function: Callable[[datetime], int]
    description: str = ""
    each_period: bool = False


JobFunction = Callable[[datetime], int]
_SCHEDULE = "__dcx_schedule__"


def scheduled(
    trigger: Mapping[str, Any], description: str = "", *, name: str = "", each_period: bool = False
) -> Callable[[JobFunction], JobFunction]:
    """Declare a function of a vertical's ``jobs`` module a scheduled job, beside its code.

    :func:`jobs_in` turns it into a :class:`JobSpec` with the id ``<key>.<name>``: ``name`` is
    the function's own unless given (a job's id is stable data: its runs and claims are kept
    under it, so a renamed function keeps its old id this way). ``each_period``: see
    :class:`JobSpec`. The function is unchanged.
    """

    def mark(function: JobFunction) -> JobFunction:
        mark = (trigger, description, name or function.__name__, each_period)
        setattr(function, _SCHEDULE, mark)
        return function

    return mark


def jobs_in(module: ModuleType) -> tuple[JobSpec, ...]:
    """The jobs ``module`` (``dcx.<key>.jobs``) declares with :func:`scheduled`, in the order
    they are written, each with its id prefixed by the vertical's key."""
    key = module.__name__.split(".")[-2]
    specs = []
    for function in vars(module).values():
        mark = getattr(function, _SCHEDULE, None) if inspect.isfunction(function) else None
        if mark is not None and function.__module__ == module.__name__:
            trigger, description, name, each_period = mark
            specs.append(JobSpec(f"{key}.{name}", trigger, function, description, each_period))
    return tuple(specs)


@dataclass(frozen=True)
class Topic:
    """A kind of message a vertical sends, with the channels used when the customer chose none.

    The in-app inbox always receives every message; ``channels`` adds email, sms or push.
    """

    key: str
    label: str
    channels: tuple[str, ...] = ("email",)
    # The files an e-mail of this topic carries, built at sending time from the message's key
    # and its recipient's id: the key names the object and its version (a booking and its
    # SEQUENCE), so a retry attaches the same file. In the recipient's language.
    attachments: Callable[[str, int], Sequence[Attachment]] | None = None


@dataclass(frozen=True)
class Attachment:
    """A file attached to an e-mail, e.g. an iCalendar cancellation (text/calendar).

    ``params`` are parameters of its Content-Type, such as ``(("method", "CANCEL"),)``, which
    mail apps read to offer the invitation's action.
    """

    filename: str
    content_type: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Obligation:
    """A dated amount a customer owes, exposed by a vertical for others (banking) to count.

    ``payee`` is who is paid, as a bank statement names them (a lender, a school): banking
    takes the vertical's dates for that payee instead of guessing them from past payments.
    """

    vertical: str
    title: str
    due_on: date
    amount_minor: int
    currency: str
    link: str = ""
    payee: str = ""


@dataclass(frozen=True)
class CalendarEntry:
    """A dated thing a vertical puts in the customer's calendar feed."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    # For invitations: who sends it and who is invited, each as (name, email).
    organizer: tuple[str, str] | None = None
    attendees: tuple[tuple[str, str], ...] = ()
    # RFC 5545 SEQUENCE (raised by each change of an invitation) and STATUS ("CANCELLED").
    sequence: int = 0
    status: str = ""


@dataclass(frozen=True)
class TourStep:
    """One step of a vertical's guided story: the page, the persona and what to look at."""

    title: str
    narration: str
    endpoint: str
    persona: str = ""
    selector: str = ""


@dataclass(frozen=True)
class Vertical:
    """What one industry package tells the platform about itself.

    Only ``key``, ``title``, ``story`` and ``blueprint`` are required; every other field is an
    optional extension point, read by the platform when present.

    ``obligations(user_id, start, end)`` answers the bills one customer owes here, due between
    ``start`` and ``end`` inclusive (the customer's home page and banking's pages ask it).
    ``obligations_many(user_ids, start, end)`` is its batch twin: every given customer's
    obligations in one go, as a mapping with every given id a key (an empty list when nothing
    is owed), each list what ``obligations`` answers for that customer. Jobs over many
    customers (banking's daily alerts) use it so their queries do not grow with the number
    of customers; a vertical that offers only ``obligations`` is asked once per customer. A
    vertical offering ``obligations_many`` offers ``obligations`` too (checked at load).

    ``simulate(ctx, start, end)`` writes the plausible life of the showcase time ``[start,
    end)`` (see :class:`SimulationContext`) and returns how many rows it wrote. The platform
    calls it when the clock moves, before the jobs that fell due, and when a showcase is seeded
    (its history). It must be deterministic for ``ctx``, idempotent (natural keys with
    INSERT ... ON CONFLICT DO NOTHING) and set-based (a fixed number of statements per
    period, whatever the number of customers).
    """

    key: str
    title: str
    story: str
    blueprint: Blueprint
    promise: str = ""
    persona: str = ""
    icon: str = "stars"
    api_blueprint: Blueprint | None = None
    jobs: tuple[JobSpec, ...] = ()
    topics: tuple[Topic, ...] = ()
    staff_endpoint: str = ""
    seed: Callable[[SeedContext], None] | None = None
    scale: Callable[[SeedContext, list[Any]], None] | None = None
    tour: tuple[TourStep, ...] = ()
    timeline_kinds: Mapping[str, str] = field(default_factory=dict)
    private_timeline: bool = False
    obligations: Callable[[int, date, date], Iterable[Obligation]] | None = None
    obligations_many: (
        Callable[[Sequence[int], date, date], Mapping[int, list[Obligation]]] | None
    ) = None
    calendar: Callable[[int], Iterable[CalendarEntry]] | None = None
    summary_card: Callable[[int], Mapping[str, Any] | None] | None = None
    simulate: Callable[[SimulationContext, datetime, datetime], int] | None = None
    cli: Any = None  # a click group, mounted as `flask dcx <key> ...`
    # (URL prefix, blueprint) pairs served at a path a standard fixes, outside /<key>
    # (Open311 at /open311/v2). Machine clients with their own keys: no CSRF token.
    mounts: tuple[tuple[str, Blueprint], ...] = ()

    @property
    def index_endpoint(self) -> str:
        """The endpoint of the vertical's landing page."""
        return f"{self.key}.index"


class VerticalRegistry:
    """The verticals loaded into one app, in configuration order."""

    def __init__(self, verticals: Iterable[Vertical]):
        self._by_key = {v.key: v for v in verticals}

    def __iter__(self):
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Vertical | None:
        """Return the vertical with this key, or None."""
        return self._by_key.get(key)

    def jobs(self) -> list[JobSpec]:
        """Every job declared by every loaded vertical."""
        return [job for v in self for job in v.jobs]

    def topics(self) -> dict[str, Topic]:
        """Every notification topic declared by every loaded vertical, by key."""
        return {t.key: t for v in self for t in v.topics}


def load_verticals(paths: Iterable[str]) -> VerticalRegistry:
    """Import each package path and collect its ``vertical`` object, checking the contract."""
    found: list[Vertical] = []
    for path in paths:
        module = importlib.import_module(path)
        vertical = getattr(module, "vertical", None)
        if not isinstance(vertical, Vertical):
            raise RuntimeError(f"{path} has no `vertical = Vertical(...)`")
        if vertical.blueprint.name != vertical.key:
            raise RuntimeError(f"{path}: blueprint name must equal key {vertical.key!r}")
        for job in vertical.jobs:
            if not job.id.startswith(f"{vertical.key}."):
                raise RuntimeError(f"{path}: job id {job.id!r} must start with '{vertical.key}.'")
        # The batch hook only speeds up jobs; pages ask one customer through `obligations`.
        if vertical.obligations_many is not None and vertical.obligations is None:
            raise RuntimeError(f"{path}: obligations_many needs obligations too")
        found.append(vertical)
    return VerticalRegistry(found)


def register_verticals(app: Flask) -> VerticalRegistry:
    """Load the configured verticals and mount their blueprints on ``app``."""
    registry = load_verticals(app.config["DCX_VERTICALS"])
    for vertical in registry:
        app.register_blueprint(vertical.blueprint, url_prefix=f"/{vertical.key}")
        if vertical.api_blueprint is not None:
            # Device APIs authenticate with bearer tokens, not cookies: no CSRF token to send.
            app.extensions["csrf"].exempt(vertical.api_blueprint)
            app.register_blueprint(vertical.api_blueprint, url_prefix=f"/api/v1/{vertical.key}")
        for prefix, blueprint in vertical.mounts:
            app.extensions["csrf"].exempt(blueprint)
            app.register_blueprint(blueprint, url_prefix=prefix)
    app.extensions["dcx_verticals"] = registry
    return registry


def migration_folders(paths: Iterable[str]) -> list[str]:
    """The Alembic branch folders the verticals at ``paths`` carry (``<package>/migrations``).

    A vertical owns its tables, so its migrations live in its package, as a plugin's do: adding
    or removing a vertical is one package and one line of ``DCX_VERTICALS``.
    """
    folders = []
    for path in paths:
        spec = importlib.util.find_spec(path)
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location) / "migrations"
            if folder.is_dir():
                folders.append(str(folder))
    return folders


def registry() -> VerticalRegistry:
    """The registry of the current app."""
    return current_app.extensions["dcx_verticals"]


@dataclass
class SeedContext:
    """What a vertical's seed hook receives: its part of the showcase file and the personas.

    ``data`` is the vertical's own mapping (``seeds/<showcase>/<key>.yaml``), its ``!t`` texts
    already in the showcase's ``language``; ``users`` maps persona keys to accounts already
    created by the platform; ``random`` is seeded, so the same showcase seeds the same rows.
    The hook runs with ``language`` as the locale, so a text it marks with ``lazy_gettext``
    and turns into ``str`` comes out in that language too.
    """

    showcase: str
    data: Mapping[str, Any]
    users: Mapping[str, Any]
    random: Any
    language: str = "en"

    def user(self, persona: str):
        """The account of a persona named in the showcase file; KeyError names it."""
        try:
            return self.users[persona]
        except KeyError:
            raise KeyError(f"persona {persona!r} is not in the showcase file") from None


_DRAWS = 2**64


@dataclass
class SimulationContext:
    """What a vertical's ``simulate`` hook receives besides the period it lives through.

    ``data`` is the vertical's part of the loaded showcase file (persona habits such as an
    adherence or a daily distance), ``users`` the personas' account ids by key, ``seed`` the showcase's seed value, ``history`` True when
    the period is the seeded past rather than a clock move. ``random`` is seeded from the
    vertical's key and the period; :meth:`draw` and :meth:`rng` give draws that depend only on
    what they are about (a customer, a day), not on how the time was cut into periods, so
    "+1 week" four times lives the same month as "+1 month".
    """

    key: str
    data: Mapping[str, Any]
    users: Mapping[str, int] = field(default_factory=dict)
    seed: int = 2026
    history: bool = False
    language: str = "en"
    random: Any = None

    def draw(self, *about: Any) -> float:
        """A number in [0, 1) fixed by the seed, this vertical and ``about``.

        Hot (a simulated month draws a million times at scale): a caller in a loop may pass
        a part already as its ``str`` (a day's text, computed once), the draw is the same."""
        text = ":".join(map(str, (self.seed, self.key, *about)))
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / _DRAWS

    def rng(self, *about: Any) -> random.Random:
        """A ``random.Random`` fixed by the seed, this vertical and ``about``."""
        return random.Random(int(self.draw(*about) * 2**53))
