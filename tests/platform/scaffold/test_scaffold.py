"""The new-vertical scaffold writes a vertical that passes its own tests and the suite's."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dcx.platform.scaffold import writer

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "key,message",
    [
        ("Insurance", "not a valid key"),
        ("in", "not a valid key"),
        ("1nsurance", "not a valid key"),
        ("banking", "already exists"),
        ("platform", "reserved"),
        ("class", "reserved"),
    ],
)
def test_bad_or_taken_keys_are_refused_with_a_clear_message(key, message):
    with pytest.raises(writer.ScaffoldError, match=message):
        writer.plan(key, "Title", ROOT)


def test_the_command_refuses_an_existing_key(runner):
    result = runner.invoke(args=["dcx", "new-vertical", "banking"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_plan_writes_every_part_of_the_contract():
    plan = writer.plan("insurance", "Insurance", ROOT)
    names = {str(p.relative_to(ROOT)) for p in plan.files}
    assert {
        "dcx/insurance/__init__.py",
        "dcx/insurance/models.py",
        "dcx/insurance/services.py",
        "dcx/insurance/views.py",
        "dcx/insurance/jobs.py",
        "dcx/insurance/seed.py",
        "dcx/insurance/templates/insurance/index.html",
        "migrations/versions/insurance_0001_initial.py",
        "seeds/default/insurance.yaml",
        "tests/insurance/test_services.py",
        "tests/insurance/test_views.py",
        "tests/browser/test_insurance_story.py",
    } <= names
    init = plan.files[ROOT / "dcx/insurance/__init__.py"]
    for part in ("JobSpec(", "TourStep(", "timeline_kinds=", "seed=seed.load", "summary_card="):
        assert part in init


def _copy_project(target: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    shutil.copytree(
        ROOT / "dcx" / "translations", target / "dcx" / "translations", dirs_exist_ok=True
    )


@pytest.mark.browser
def test_a_scaffolded_vertical_passes_its_tests_and_the_suite(tmp_path):
    project = tmp_path / "project"
    _copy_project(project)
    env = {**os.environ, "FLASK_APP": "wsgi", "PYTHONPATH": str(project)}
    env.pop("DCX_VERTICALS", None)
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "dcx",
            "new-vertical",
            "insurance",
            "--title",
            "Insurance",
            "--register",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert '"dcx.insurance"' in (project / "dcx/config.py").read_text()
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "dcx/insurance", "tests/insurance"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    suite = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "tests/insurance",
            "tests/browser/test_insurance_story.py",
            "tests/test_verticals_contract.py",
            "tests/test_migrations.py",
            "tests/test_cli.py",
            "tests/browser/test_shell.py",
            "tests/platform/showcase",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    assert "insurance" in suite.stdout or "passed" in suite.stdout
