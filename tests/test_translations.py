"""The Spanish and Romanian catalogues translate every message the code marks."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "dcx" / "translations"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every message id marked in the code and templates now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["es", "ro"])
def test_every_marked_message_is_translated(extracted, language, tmp_path):
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id
        and not m.fuzzy
        and (all(m.string) if isinstance(m.string, tuple | list) else m.string)
    }
    missing = sorted(extracted - translated)
    assert not missing, (
        f"{len(missing)} untranslated in {language} (run `make translations`): {missing[:10]}"
    )
    errors = [(m.id, e) for m, e in catalogue.check() if e]
    assert not errors, errors[:5]
    with (tmp_path / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)  # compiles
