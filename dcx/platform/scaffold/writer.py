"""Write a new vertical: package, migration, seed file and tests, from templates in files/.

Every generated file is filled by ``string.Template`` with the key, its class-name form and
the title; nothing is copied from another vertical, so the kit never drifts with them.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

FILES = Path(__file__).parent / "files"
KEY = re.compile(r"^[a-z][a-z0-9]{2,23}$")
RESERVED = {
    "platform",
    "api",
    "admin",
    "account",
    "static",
    "showcase",
    "drafts",
    "inbox",
    "staff",
    "calendar",
    "timeline",
    "scaffold",
    "tests",
}

# template file -> path in the project ($key is replaced)
LAYOUT = {
    "init.py.tmpl": "dcx/$key/__init__.py",
    "models.py.tmpl": "dcx/$key/models.py",
    "services.py.tmpl": "dcx/$key/services.py",
    "forms.py.tmpl": "dcx/$key/forms.py",
    "views.py.tmpl": "dcx/$key/views.py",
    "jobs.py.tmpl": "dcx/$key/jobs.py",
    "seed.py.tmpl": "dcx/$key/seed.py",
    "simulate.py.tmpl": "dcx/$key/simulate.py",
    "index.html.tmpl": "dcx/$key/templates/$key/index.html",
    "item.html.tmpl": "dcx/$key/templates/$key/item.html",
    "staff.html.tmpl": "dcx/$key/templates/$key/staff.html",
    "migration.py.tmpl": "dcx/$key/migrations/${key}_0001_initial.py",
    "seed.yaml.tmpl": "seeds/default/$key.yaml",
    "test_services.py.tmpl": "tests/$key/test_services.py",
    "test_views.py.tmpl": "tests/$key/test_views.py",
    "test_init.py.tmpl": "tests/$key/__init__.py",
    "test_story.py.tmpl": "tests/browser/test_${key}_story.py",
}


class ScaffoldError(ValueError):
    """The key is invalid or taken; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What the scaffold will write."""

    key: str
    title: str
    files: dict[Path, str]


def check_key(key: str, root: Path) -> None:
    """Refuse a key that is not a lowercase identifier, is reserved, or already exists."""
    if not KEY.match(key or ""):
        raise ScaffoldError(
            f"{key!r} is not a valid key: 3-24 lowercase letters and digits, starting with a letter"
        )
    if key in RESERVED or keyword.iskeyword(key):
        raise ScaffoldError(f"{key!r} is reserved by the platform")
    if (root / "dcx" / key).exists():
        raise ScaffoldError(f"dcx/{key} already exists: pick another key or extend that vertical")


def plan(key: str, title: str, root: Path) -> Plan:
    """Render every file of the new vertical without writing anything."""
    check_key(key, root)
    title = title.strip() or key.title()
    if len(title) > 60 or any(c in title for c in '"\\\n{}'):
        raise ScaffoldError(
            "the title must be up to 60 characters, without quotes, braces or backslashes"
        )
    values = {"key": key, "Key": key.title(), "title": title}
    files = {}
    for template, target in LAYOUT.items():
        text = Template((FILES / template).read_text(encoding="utf-8")).substitute(values)
        files[root / Template(target).substitute(values)] = text
    return Plan(key=key, title=title, files=files)


def write(plan_: Plan) -> list[Path]:
    """Write the planned files; refuses to overwrite any existing file."""
    for path in plan_.files:
        if path.exists():
            raise ScaffoldError(f"{path} already exists; nothing was written")
    for path, text in plan_.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(plan_.files)


def tidy(paths: list[Path], root: Path) -> bool:
    """Sort imports and format the written Python files with ruff, when it is installed.

    Where a new key sorts among the platform's imports depends on the key, so the templates
    cannot fix the order; ruff, the project's formatter, does. False when ruff is missing.
    """
    import subprocess
    import sys

    python_files = [str(p) for p in paths if p.suffix == ".py"]
    commands = (
        ["check", "--fix", "--select", "I", "--quiet", *python_files],
        ["format", "--quiet", *python_files],
    )
    for args in commands:
        try:
            done = subprocess.run(  # noqa: S603  (our own interpreter and ruff, fixed args)
                [sys.executable, "-m", "ruff", *args], cwd=root, capture_output=True, check=False
            )
        except OSError:
            return False
        if done.returncode != 0 and b"No module named ruff" in done.stderr:
            return False
    return True


CONFIG_LINE = re.compile(r"(DEFAULT_VERTICALS = \(\n(?:    \"[^\"]+\",\n)+)\)")


def register(key: str, root: Path) -> None:
    """Add ``dcx.<key>`` to DEFAULT_VERTICALS in dcx/config.py."""
    config = root / "dcx" / "config.py"
    text = config.read_text(encoding="utf-8")
    if f'"dcx.{key}"' in text:
        return
    new, count = CONFIG_LINE.subn(lambda m: f'{m.group(1)}    "dcx.{key}",\n)', text)
    if count != 1:
        raise ScaffoldError(
            "could not find DEFAULT_VERTICALS in dcx/config.py; add the line by hand"
        )
    config.write_text(new, encoding="utf-8")
