"""Read a showcase folder and turn it into rows: personas first, then each vertical's data.

A showcase is a folder ``seeds/<name>/`` with ``showcase.yaml`` (brand and personas) and one
``<vertical>.yaml`` per vertical. Seeding is idempotent: personas are found by email and each
vertical's seed gets-or-creates on natural keys, so seeding twice changes nothing.

A showcase is seeded in one language (English unless the file or the caller says otherwise):
its ``!t`` texts are translated as the files are read (:mod:`.texts`), the vertical hooks run
with that locale forced (so texts they mark in code come out in it too), the personas speak
it, and it becomes the site's default language.
"""

from __future__ import annotations

import copy
import functools
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from flask import current_app, g, has_app_context, has_request_context
from flask_babel import force_locale
from sqlalchemy import Integer, delete, func, select, text

from dcx.extensions import db
from dcx.platform import clock, simulation
from dcx.platform.accounts import services as accounts
from dcx.platform.accounts.models import ROLES, User
from dcx.platform.notify.history import outbox_mark, retire_seeded_emails
from dcx.platform.showcase import texts
from dcx.platform.timezones import valid_zone
from dcx.verticals import SeedContext, VerticalRegistry

SEEDS_DIR = Path(__file__).resolve().parents[3] / "seeds"
DEFAULT_LANGUAGES = ("en", "es", "ro")


def languages() -> tuple[str, ...]:
    """The languages a showcase can be seeded in: the site's languages."""
    if has_app_context():
        return tuple(current_app.config.get("LANGUAGES", DEFAULT_LANGUAGES))
    return DEFAULT_LANGUAGES


class ShowcaseError(ValueError):
    """A showcase file is malformed; the message names the file and the field."""


def _read_yaml(path: Path) -> dict[str, Any]:
    stat = path.stat()
    # a copy: callers check and translate what they get in place
    return copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """One showcase file parsed, once per version of it (a seed reads each file twice, and a
    sandbox, a reset or a test seeds the same files again)."""
    try:
        data = texts.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ShowcaseError(
            f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise ShowcaseError(f"{path}: the top level must be a mapping")
    return data


def showcase_folder(name: str, seeds_dir: Path | None = None) -> Path:
    """The folder of the showcase ``name`` (``DCX_SEEDS_DIR``, else the project's seeds/)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name or ""):
        raise ShowcaseError(f"{name!r}: a showcase name is letters, digits, - and _")
    if seeds_dir is None:
        seeds_dir = (
            Path(current_app.config.get("DCX_SEEDS_DIR") or SEEDS_DIR)
            if has_app_context()
            else SEEDS_DIR
        )
    return seeds_dir / name


def read_showcase(
    name: str, seeds_dir: Path | None = None, language: str | None = None
) -> dict[str, Any]:
    """Read and check ``seeds/<name>/``; raise ShowcaseError naming the file and field.

    The texts come out in ``language`` (else the file's ``language:``, else English), from the
    folder's ``translations/<language>.po`` and, for a showcase that extends another, the
    base's; a text with no translation stays as written.
    """
    folder = showcase_folder(name, seeds_dir)
    seeds_dir = folder.parent
    main = folder / "showcase.yaml"
    if not main.is_file():
        raise ShowcaseError(f"{main}: no such showcase file")
    data = _read_yaml(main)
    brand = data.get("brand")
    if (
        not isinstance(brand, dict)
        or not isinstance(brand.get("name"), str)
        or not brand["name"].strip()
    ):
        raise ShowcaseError(f"{main}: field 'brand.name' is required")
    colour = brand.get("colour", "#1f4e79")
    if not isinstance(colour, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise ShowcaseError(f"{main}: field 'brand.colour' must look like #1f4e79")
    brand["colour"] = colour
    personas = data.get("personas")
    if not isinstance(personas, list) or not personas:
        raise ShowcaseError(f"{main}: field 'personas' must be a non-empty list")
    for i, p in enumerate(personas):
        for field in ("key", "email", "name", "password"):
            if not isinstance(p, dict) or not isinstance(p.get(field), str) or not p.get(field):
                raise ShowcaseError(f"{main}: field 'personas[{i}].{field}' is required")
        if p.get("role", "customer") not in ROLES:
            raise ShowcaseError(f"{main}: field 'personas[{i}].role' must be one of {ROLES}")
        if len(p["password"]) < 12:
            raise ShowcaseError(
                f"{main}: field 'personas[{i}].password' needs 12 characters or more"
            )
        if "timezone" in p and not valid_zone(str(p["timezone"])):
            raise ShowcaseError(
                f"{main}: field 'personas[{i}].timezone' must be a time zone like Europe/Bucharest"
            )
    keys = [p["key"] for p in personas]
    if len(set(keys)) != len(keys):
        raise ShowcaseError(f"{main}: field 'personas' has a key twice")
    allowed = languages()
    if data.get("language", "en") not in allowed:
        raise ShowcaseError(f"{main}: field 'language' must be one of {', '.join(allowed)}")
    language = language or data.get("language") or "en"
    if language not in allowed:
        raise ShowcaseError(f"{name}: language {language!r} must be one of {', '.join(allowed)}")
    verticals: dict[str, Any] = {}
    catalogue: dict[str, str] = {}
    base = data.get("extends")
    if base is not None:
        # A branded copy may keep the base showcase's industry data and change only the
        # brand and the people: its persona keys must then match the base's.
        if not isinstance(base, str) or base == name:
            raise ShowcaseError(f"{main}: field 'extends' must name another showcase")
        verticals.update(read_showcase(base, seeds_dir, language)["verticals"])
        catalogue.update(texts.load_catalogue(seeds_dir / base, language))
    catalogue.update(texts.load_catalogue(folder, language))
    verticals.update(
        {
            path.stem: texts.translate(_read_yaml(path), catalogue)
            for path in sorted(folder.glob("*.yaml"))
            if path.stem != "showcase"
        }
    )
    data = texts.translate(data, catalogue)
    data["verticals"] = verticals
    data["name"] = name
    data["language"] = language
    return data


def seed_personas(personas: list[dict[str, Any]], language: str = "en") -> dict[str, User]:
    """Get or create each persona's account by email; a showcase seeded in another language
    than English has its personas speak it (English personas follow their browser)."""
    users: dict[str, User] = {}
    for p in personas:
        user = accounts.find_user(p["email"])
        if user is None:
            user = accounts.create_user(
                p["email"],
                p["name"],
                p["password"],
                role=p.get("role", "customer"),
                department=p.get("department", ""),
                phone=p.get("phone", ""),
            )
            user.locale = "" if language == "en" else language
            user.timezone = str(p.get("timezone", ""))
        users[p["key"]] = user
    return users


def loaded_language() -> str | None:
    """The language the database's showcase was seeded in, or None before any seed."""
    from dcx.platform.showcase.models import ShowcaseState

    state = db.session.get(ShowcaseState, 1)
    return state.language if state is not None else None


def _context(data: dict[str, Any], key: str, users: dict[str, User], rng_seed: str) -> SeedContext:
    """What vertical ``key``'s seed or scale hook gets: its data, the people, a seeded random."""
    return SeedContext(
        showcase=data["name"],
        data=data["verticals"].get(key, {}),
        users=users,
        random=random.Random(rng_seed),
        language=data["language"],
    )


def seed_showcase(
    registry: VerticalRegistry,
    name: str = "default",
    seed: int = 2026,
    only: Iterable[str] | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Seed personas and every loaded vertical (or those in ``only``) from the showcase ``name``,
    in ``language`` (else the file's, else English).

    A database already seeded in another language is refused (its rows would mix two
    languages): reset it instead. The caller commits.
    """
    data = read_showcase(name, language=language)
    language = data["language"]
    existing = loaded_language()
    if existing is not None and existing != language:
        raise ShowcaseError(
            f"{name}: the database holds a showcase in {existing!r}; reset it to seed "
            f"in {language!r} (flask dcx reset --language {language})"
        )
    mark = outbox_mark()
    users = seed_personas(data["personas"], language)
    remember_showcase(data)
    wanted = None if only is None else set(only)
    with force_locale(language):
        for vertical in registry:
            if vertical.seed is None or (wanted is not None and vertical.key not in wanted):
                continue
            vertical.seed(_context(data, vertical.key, users, f"{seed}:{vertical.key}"))
            db.session.flush()
    if wanted is None:
        simulation.live_history()
    retire_seeded_emails(mark)
    return data


SCALE_EMAIL = "customer{number:05d}@scale.dcx.example"


def scale_showcase(
    registry: VerticalRegistry,
    name: str,
    customers: int,
    seed: int = 2026,
    batch: int = 50,
    progress: Any = None,
) -> int:
    """Add ``customers`` synthetic customers, and let every vertical give them a history.

    Accounts are got-or-created by a numbered email, and each vertical's ``scale`` hook
    receives one batch at a time with a random seeded by the batch, so the same ``seed``
    makes the same rows and running it twice adds nothing. ``progress(n)`` is told how many
    customers each batch handled. Their texts are in the loaded showcase's language. Commits
    per batch; returns how many accounts were new.
    """
    data = read_showcase(name, language=loaded_language())
    language = data["language"]
    users = seed_personas(data["personas"], language)
    password_hash = accounts.UNUSABLE_PASSWORD_HASH  # nobody signs in as a synthetic customer
    created = 0
    for start in range(1, customers + 1, batch):
        numbers = range(start, min(start + batch, customers + 1))
        emails = [SCALE_EMAIL.format(number=n) for n in numbers]
        existing = {
            u.email: u
            for u in db.session.execute(select(User).where(User.email.in_(emails))).scalars()
        }
        group = []
        for number, email in zip(numbers, emails, strict=True):
            user = existing.get(email)
            if user is None:
                user = User(
                    email=email,
                    name=f"Customer {number}",
                    password_hash=password_hash,
                    locale="" if language == "en" else language,
                )
                db.session.add(user)
                created += 1
            group.append(user)
        db.session.flush()
        mark = outbox_mark()
        with force_locale(language):
            for vertical in registry:
                if vertical.scale is None:
                    continue
                context = _context(data, vertical.key, users, f"{seed}:{vertical.key}:{start}")
                vertical.scale(context, group)
                db.session.flush()
        retire_seeded_emails(mark)
        db.session.commit()
        if progress is not None:
            progress(len(group))
    return created


#: Where a request keeps the showcase's row once read (see ``presenter.state``).
STATE_KEY = "_dcx_showcase_state"


def forget_state() -> None:
    """Read the showcase's row afresh next time: it was written or wiped in this request."""
    if has_request_context():
        g.pop(STATE_KEY, None)


def remember_showcase(data: dict[str, Any]) -> None:
    """Record which showcase is loaded, so every page shows its brand."""
    from dcx.platform.showcase.models import ShowcaseState

    state = db.session.get(ShowcaseState, 1) or ShowcaseState(id=1)
    state.name = data["name"]
    state.brand_name = data["brand"]["name"][:120]
    state.brand_colour = data["brand"]["colour"]
    state.language = data.get("language", "en")
    # every seed (a partial one too) is a new load: sandboxes copy a template taken again
    # when this moment changes, so a re-seeded vertical reaches the next sandbox
    state.loaded_at = clock.now()
    db.session.add(state)
    db.session.flush()
    forget_state()


def check_is_showcase() -> None:
    """Raise :class:`ShowcaseError` unless the database holds a showcase or holds nothing.

    Resetting deletes every row: it must never wipe a database the app merely points at (a
    real one, or another project's). A showcase records itself when seeded.
    """
    from dcx.platform.showcase.models import ShowcaseState

    if db.session.get(ShowcaseState, 1) is not None:
        return
    accounts_held = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    if accounts_held:
        raise ShowcaseError(
            f"this database holds {accounts_held} accounts but no showcase: a reset would "
            "delete them all, so it is refused. Point DATABASE_URL at a showcase's database "
            "(or an empty one) and seed it."
        )


def _restart_ids() -> None:
    """On PostgreSQL, ids count from 1 again after a wipe, as SQLite's do: a reseeded showcase
    is the same rows with the same ids, so what the seed and the simulation draw per row is the
    same too. One statement for every table's id sequence."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    pairs = [
        (f'"{table.name}"', column.name)
        for table in db.metadata.sorted_tables
        for column in table.primary_key.columns
        if len(table.primary_key.columns) == 1 and isinstance(column.type, Integer)
    ]
    if not pairs:
        return
    rows = ", ".join(f"(:t{i}, :c{i})" for i in range(len(pairs)))
    params = {f"t{i}": t for i, (t, _) in enumerate(pairs)} | {
        f"c{i}": c for i, (_, c) in enumerate(pairs)
    }
    # only placeholders are joined into the statement; the names travel as bound parameters
    # (setval is strict: a table whose id has no sequence gets NULL and nothing happens)
    restart = "SELECT setval(pg_get_serial_sequence(v.t, v.c), 1, false)"
    statement = f"{restart} FROM (VALUES {rows}) AS v(t, c)"  # nosec B608
    db.session.execute(text(statement), params)


def wipe() -> None:
    """Delete every row of every table (children first), keeping the schema, and the sandboxes
    the register held, with their databases and uploads; refused (see
    :func:`check_is_showcase`) on a database that holds accounts but no showcase."""
    check_is_showcase()
    from dcx.platform.sandboxes import services as sandboxing

    # the main database's register goes with its rows: so do its sandboxes, now, not at a sweep
    registered = sandboxing.registered_ids(db.session)
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    _restart_ids()
    db.session.flush()
    sandboxing.delete_stores(registered)
    db.session.expunge_all()  # the deleted rows' objects must not shadow the reseeded ones
    if has_app_context():
        g.pop("_dcx_clock_offset", None)  # the clock's offset row is gone: real time again
    forget_state()
