"""Settings read from the environment: the generated secret key and a private instance/."""

from __future__ import annotations

import multiprocessing
import secrets
import stat
import time
from pathlib import Path

import pytest

from dcx.config import from_environment

PROCESSES = 6
TRIALS = 8


def _start(instance: str, barrier, results) -> None:
    barrier.wait()
    results.put(from_environment(instance)["SECRET_KEY"])


@pytest.fixture
def no_env_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_processes_starting_together_share_one_generated_key(tmp_path, no_env_key, monkeypatch):
    # A slow random source widens the window in which every process has found no key yet.
    fast = secrets.token_hex
    monkeypatch.setattr(secrets, "token_hex", lambda n: (time.sleep(0.05), fast(n))[1])
    context = multiprocessing.get_context("fork")
    for trial in range(TRIALS):
        instance = tmp_path / f"instance-{trial}"
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        workers = [
            context.Process(target=_start, args=(str(instance), barrier, results))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        keys = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(keys)) == 1, f"trial {trial}: {len(set(keys))} different keys"
        assert len(keys[0]) == 64
        assert (instance / "secret_key").read_text() == keys[0]
        assert [p.name for p in instance.iterdir() if p.name.startswith(".secret")] == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_key_and_database_are_private(tmp_path, no_env_key):
    instance = tmp_path / "instance"
    from_environment(str(instance))
    assert _mode(instance) == 0o700
    assert _mode(instance / "secret_key") == 0o600
    assert _mode(instance / "dcx.sqlite3") == 0o600


def test_an_existing_world_readable_database_is_made_private(tmp_path, no_env_key):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "dcx.sqlite3").touch(mode=0o644)
    (instance / "dcx.sqlite3").chmod(0o644)
    from_environment(str(instance))
    assert _mode(instance) == 0o700
    assert _mode(instance / "dcx.sqlite3") == 0o600


def test_an_empty_key_file_is_refused(tmp_path, no_env_key):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="empty"):
        from_environment(str(instance))
