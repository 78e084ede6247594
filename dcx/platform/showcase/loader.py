"""Read a showcase folder and turn it into rows: personas first, then each vertical's data.

A showcase is a folder ``seeds/<name>/`` with ``showcase.yaml`` (brand and personas) and one
``<vertical>.yaml`` per vertical. Seeding is idempotent: personas are found by email and each
vertical's seed gets-or-creates on natural keys, so seeding twice changes nothing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from flask import current_app, g, has_app_context
from sqlalchemy import delete, select

from dcx.extensions import db
from dcx.platform.accounts import services as accounts
from dcx.platform.accounts.models import ROLES, User
from dcx.verticals import SeedContext, VerticalRegistry

SEEDS_DIR = Path(__file__).resolve().parents[3] / "seeds"


class ShowcaseError(ValueError):
    """A showcase file is malformed; the message names the file and the field."""


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ShowcaseError(
            f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise ShowcaseError(f"{path}: the top level must be a mapping")
    return data


def read_showcase(name: str, seeds_dir: Path | None = None) -> dict[str, Any]:
    """Read and check ``seeds/<name>/``; raise ShowcaseError naming the file and field."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name or ""):
        raise ShowcaseError(f"{name!r}: a showcase name is letters, digits, - and _")
    if seeds_dir is None:
        seeds_dir = (
            Path(current_app.config.get("DCX_SEEDS_DIR") or SEEDS_DIR)
            if has_app_context()
            else SEEDS_DIR
        )
    folder = seeds_dir / name
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
    keys = [p["key"] for p in personas]
    if len(set(keys)) != len(keys):
        raise ShowcaseError(f"{main}: field 'personas' has a key twice")
    verticals: dict[str, Any] = {}
    base = data.get("extends")
    if base is not None:
        # A branded copy may keep the base showcase's industry data and change only the
        # brand and the people: its persona keys must then match the base's.
        if not isinstance(base, str) or base == name:
            raise ShowcaseError(f"{main}: field 'extends' must name another showcase")
        verticals.update(read_showcase(base, seeds_dir)["verticals"])
    verticals.update(
        {
            path.stem: _read_yaml(path)
            for path in sorted(folder.glob("*.yaml"))
            if path.stem != "showcase"
        }
    )
    data["verticals"] = verticals
    data["name"] = name
    return data


def seed_personas(personas: list[dict[str, Any]]) -> dict[str, User]:
    """Get or create each persona's account by email."""
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
        users[p["key"]] = user
    return users


def seed_showcase(
    registry: VerticalRegistry,
    name: str = "default",
    seed: int = 2026,
    only: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Seed personas and every loaded vertical (or those in ``only``) from the showcase ``name``.

    The caller commits.
    """
    data = read_showcase(name)
    users = seed_personas(data["personas"])
    remember_showcase(data)
    wanted = None if only is None else set(only)
    for vertical in registry:
        if vertical.seed is None or (wanted is not None and vertical.key not in wanted):
            continue
        vertical.seed(
            SeedContext(
                showcase=name,
                data=data["verticals"].get(vertical.key, {}),
                users=users,
                random=random.Random(f"{seed}:{vertical.key}"),
            )
        )
        db.session.flush()
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
    customers each batch handled. Commits per batch; returns how many accounts were new.
    """
    data = read_showcase(name)
    users = seed_personas(data["personas"])
    password_hash = accounts.hash_password(f"synthetic-{seed}-not-for-sign-in")
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
                user = User(email=email, name=f"Customer {number}", password_hash=password_hash)
                db.session.add(user)
                created += 1
            group.append(user)
        db.session.flush()
        for vertical in registry:
            if vertical.scale is None:
                continue
            vertical.scale(
                SeedContext(
                    showcase=name,
                    data=data["verticals"].get(vertical.key, {}),
                    users=users,
                    random=random.Random(f"{seed}:{vertical.key}:{start}"),
                ),
                group,
            )
            db.session.flush()
        db.session.commit()
        if progress is not None:
            progress(len(group))
    return created


def remember_showcase(data: dict[str, Any]) -> None:
    """Record which showcase is loaded, so every page shows its brand."""
    from dcx.platform.showcase.models import ShowcaseState

    state = db.session.get(ShowcaseState, 1) or ShowcaseState(id=1)
    state.name = data["name"]
    state.brand_name = data["brand"]["name"][:120]
    state.brand_colour = data["brand"]["colour"]
    db.session.add(state)
    db.session.flush()


def wipe() -> None:
    """Delete every row of every table (children first), keeping the schema."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.flush()
    db.session.expunge_all()  # the deleted rows' objects must not shadow the reseeded ones
    if has_app_context():
        g.pop("_dcx_clock_offset", None)  # the clock's offset row is gone: real time again
