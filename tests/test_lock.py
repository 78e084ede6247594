"""requirements.lock pins, with hashes, a version inside every range pyproject.toml asks for."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)")


def _locked() -> dict[str, str]:
    pins = {}
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    for number, line in enumerate(lines):
        found = PIN.match(line)
        if found:
            name = canonicalize_name(found.group(1).split("[")[0])
            following = lines[number + 1] if number + 1 < len(lines) else ""
            assert "--hash=sha256:" in following, f"{name} is locked without a hash"
            pins[name] = found.group(2)
    return pins


def _asked() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted.extend(extra)
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize("requirement", _asked(), ids=str)
def test_the_lock_holds_a_version_in_range(requirement):
    locked = _locked()
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{name} is not in requirements.lock: run `make lock`"
    assert requirement.specifier.contains(locked[name], prereleases=True), (
        f"{name}=={locked[name]} is outside {requirement.specifier}: run `make lock`"
    )


def test_pyproject_asks_for_ranges_not_pins():
    pinned = [str(r) for r in _asked() if any(s.operator == "==" for s in r.specifier)]
    assert not pinned, f"exact pins belong in the lock, not pyproject.toml: {pinned}"
