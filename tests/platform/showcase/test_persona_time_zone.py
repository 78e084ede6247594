"""A showcase file may give a persona a time zone; the persona then reads every time in it."""

from pathlib import Path

import pytest
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.showcase.loader import ShowcaseError, read_showcase, seed_showcase

DEFAULT = Path(__file__).resolve().parents[3] / "seeds" / "default" / "showcase.yaml"
MARIA = "    email: maria@dcx.example\n"


@pytest.fixture
def app_config(tmp_path):
    return {"DCX_SEEDS_DIR": str(tmp_path / "seeds")}


def _showcase(tmp_path, zone: str) -> None:
    folder = tmp_path / "seeds" / "default"
    folder.mkdir(parents=True)
    text = DEFAULT.read_text().replace(MARIA, f"{MARIA}    timezone: {zone}\n")
    (folder / "showcase.yaml").write_text(text)


def test_a_persona_seeded_in_bucharest_reads_times_in_bucharest(app, tmp_path):
    _showcase(tmp_path, "Europe/Bucharest")
    seed_showcase(app.extensions["dcx_verticals"], "default", only=())
    db.session.commit()
    zones = dict(db.session.execute(select(User.email, User.timezone)).all())
    assert zones["maria@dcx.example"] == "Europe/Bucharest"
    assert zones["alex@dcx.example"] == ""


def test_an_unknown_persona_time_zone_names_the_field(app, tmp_path):
    _showcase(tmp_path, "Mars/Olympus_Mons")
    with pytest.raises(ShowcaseError, match=r"personas\[1\]\.timezone"):
        read_showcase("default")
