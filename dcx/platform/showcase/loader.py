"""Read a showcase folder and turn it into rows: personas first, then each vertical's data.

A showcase is a folder ``seeds/<name>/`` with ``showcase.yaml`` (brand and personas) and one
``<vertical>.yaml`` per vertical. Seeding is idempotent: personas are found by email and each
vertical's seed gets-or-creates on natural keys, so seeding twice changes nothing.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete

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
    folder = (seeds_dir or SEEDS_DIR) / name
    main = folder / "showcase.yaml"
    if not main.is_file():
        raise ShowcaseError(f"{main}: no such showcase file")
    data = _read_yaml(main)
    brand = data.get("brand")
    if not isinstance(brand, dict) or not isinstance(brand.get("name"), str):
        raise ShowcaseError(f"{main}: field 'brand.name' is required")
    personas = data.get("personas")
    if not isinstance(personas, list) or not personas:
        raise ShowcaseError(f"{main}: field 'personas' must be a non-empty list")
    for i, p in enumerate(personas):
        for field in ("key", "email", "name", "password"):
            if not isinstance(p, dict) or not isinstance(p.get(field), str) or not p.get(field):
                raise ShowcaseError(f"{main}: field 'personas[{i}].{field}' is required")
        if p.get("role", "customer") not in ROLES:
            raise ShowcaseError(f"{main}: field 'personas[{i}].role' must be one of {ROLES}")
    data["verticals"] = {
        path.stem: _read_yaml(path)
        for path in sorted(folder.glob("*.yaml"))
        if path.stem != "showcase"
    }
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
    registry: VerticalRegistry, name: str = "default", seed: int = 2026
) -> dict[str, Any]:
    """Seed personas and every loaded vertical from the showcase ``name``; the caller commits."""
    data = read_showcase(name)
    users = seed_personas(data["personas"])
    for vertical in registry:
        if vertical.seed is None:
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


def wipe() -> None:
    """Delete every row of every table (children first), keeping the schema."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.flush()
