"""`flask dcx sandboxes ...` through the CLI runner: list, expire, sweep, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.sandboxes import store
from dcx.platform.sandboxes.commands import human_size
from dcx.platform.sandboxes.models import Sandbox
from dcx.platform.showcase.loader import seed_showcase
from tests.conftest import sandbox_of


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("banking",))
    db.session.commit()


def _new_sandbox(app, story: str | None = None) -> str:
    browser = app.test_client()
    browser.post("/showcase/sandbox")
    if story:
        browser.get(f"/{story}/")
    return sandbox_of(browser)


def _register() -> set[str]:
    return set(db.session.execute(select(Sandbox.id)).scalars())


def _idle(sandbox_id: str) -> None:
    db.session.execute(
        update(Sandbox)
        .where(Sandbox.id == sandbox_id)
        .values(last_seen_at=clock.real_now() - timedelta(hours=3))
    )
    db.session.commit()


def test_list_says_what_each_sandbox_is_and_takes(app, runner, seeded):
    assert runner.invoke(args=["dcx", "sandboxes", "list"]).output == "No sandboxes.\n"
    visited = _new_sandbox(app, story="banking")
    fresh = _new_sandbox(app)
    _idle(fresh)
    result = runner.invoke(args=["dcx", "sandboxes", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[:-1]}
    assert set(lines) == {visited, fresh}
    assert "  en  live  created " in lines[visited] and "stories banking" in lines[visited]
    assert "  en  idle  " in lines[fresh] and lines[fresh].endswith("stories -")
    assert "last used " in lines[fresh]
    size = lines[visited].split("size ", 1)[1].split("  ")[0]
    assert size.endswith(("KB", "MB")) and float(size.split()[0]) > 0
    assert result.output.splitlines()[-1] == "2 sandbox(es), 1 live."


def test_expire_deletes_one_and_an_unknown_id_is_a_clear_error(app, runner, seeded):
    gone, kept = _new_sandbox(app), _new_sandbox(app)
    result = runner.invoke(args=["dcx", "sandboxes", "expire", gone])
    assert result.exit_code == 0 and result.output == f"Expired sandbox {gone}.\n"
    assert _register() == {kept}
    assert store.engine(gone) is None and not (store.root() / gone).exists()
    assert store.engine(kept) is not None
    unknown = runner.invoke(args=["dcx", "sandboxes", "expire", gone])
    assert unknown.exit_code == 2
    assert f"no sandbox '{gone}'" in unknown.output
    assert _register() == {kept}


def test_sweep_expires_only_the_idle_ones_now(app, runner, seeded):
    idle, live = _new_sandbox(app), _new_sandbox(app)
    _idle(idle)
    result = runner.invoke(args=["dcx", "sandboxes", "sweep"])
    assert result.exit_code == 0
    assert result.output == "Swept 1 idle sandbox(es); 1 still live.\n"
    assert _register() == {live}
    assert store.engine(idle) is None


def test_purge_asks_first_then_deletes_every_one(app, runner, seeded):
    first, second = _new_sandbox(app), _new_sandbox(app)
    declined = runner.invoke(args=["dcx", "sandboxes", "purge"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert _register() == {first, second}
    result = runner.invoke(args=["dcx", "sandboxes", "purge", "--yes"])
    assert result.exit_code == 0 and result.output == "Purged 2 sandbox(es).\n"
    assert db.session.execute(select(func.count()).select_from(Sandbox)).scalar_one() == 0
    assert store.engine(first) is None and store.engine(second) is None
    assert store.stored_ids(older_than=0) == set()


def test_sizes_read_as_people_read_them():
    assert human_size(812) == "812 B"
    assert human_size(96 * 1024) == "96.0 KB"
    assert human_size(int(3.4 * 1024 * 1024)) == "3.4 MB"


def test_a_sandbox_id_is_never_read_as_an_option(monkeypatch):
    """An id starting with "-" would make `expire ID` a usage error (1 id in 64 did)."""
    from dcx.platform.sandboxes import services

    drawn = iter(["-starts-like-an-option", "Az09_-az09_-az09_-az09"])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(drawn))
    assert services.new_id() == "Az09_-az09_-az09_-az09"
