"""The new-vertical scaffold writes a vertical that passes its own tests and the contract."""

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy.engine import make_url

from dcx.config import DEFAULT_VERTICALS
from dcx.platform.scaffold import writer
from tests.conftest import DATABASE_URL, own_database

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
        "dcx/insurance/simulate.py",
        "dcx/insurance/templates/insurance/index.html",
        "dcx/insurance/templates/insurance/staff.html",
        "dcx/insurance/migrations/insurance_0001_initial.py",
        "seeds/default/insurance.yaml",
        "tests/insurance/test_services.py",
        "tests/insurance/test_views.py",
        "tests/browser/test_insurance_story.py",
    } <= names
    init = plan.files[ROOT / "dcx/insurance/__init__.py"]
    for part in (
        "jobs=jobs_in(jobs)",
        "TourStep(",
        "timeline_kinds=",
        "seed=seed.load",
        "simulate=simulate.period",
        "summary_card=",
        'staff_endpoint="insurance.staff.home"',
    ):
        assert part in init
    assert '@scheduled({"hour": 8}' in plan.files[ROOT / "dcx/insurance/jobs.py"]


@contextmanager
def _own_database():
    """On PostgreSQL, a fresh database for the copy's suite; None on SQLite."""
    if not os.environ.get("DATABASE_URL"):
        yield None
        return
    with own_database(f"{make_url(DATABASE_URL).database}_scaffold") as url:
        yield url


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


# Written into the scaffolded copy: every page of the new vertical answers, signed out and as
# each seeded persona, with the seeded showcase loaded.
SMOKE = """
from dcx.extensions import db
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.conftest import AuthActions


def test_every_page_of_the_new_vertical_answers(app):
    seed_showcase(registry(), "default")
    db.session.commit()
    rules = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("insurance.") and "GET" in rule.methods and not rule.arguments
    ]
    assert rules, "the new vertical registers no page"
    personas = read_showcase("default")["personas"]
    for persona in [None, *personas]:
        client = app.test_client()
        if persona:
            signed_in = AuthActions(client).login(persona["email"], persona["password"])
            assert signed_in.status_code == 302, persona["email"]
        for url in rules:
            page = client.get(url)
            who = persona and persona["email"]
            if url.startswith("/insurance/staff") and not (persona and persona["role"] == "admin"):
                # the staff workspace: sign in first, and only the department (or an admin)
                assert page.status_code in (302, 403), (who, url, page.status_code)
                continue
            assert page.status_code < 400, (who, url, page.status_code)
            html = page.get_data(as_text=True)
            assert "Undefined" not in html and "<Macro" not in html, (who, url)
"""


NEW_ARGS = ["--title", "Insurance", "--register"]
# What proves a new vertical works: its own tests, its browser story, the contract, the migrations
PROOF = [
    "-p",
    "no:xdist",
    "-p",
    "no:cacheprovider",
    "tests/insurance",
    "tests/browser/test_insurance_story.py",
    "tests/test_verticals_contract.py",
    "tests/test_migrations.py",
    # The contract's per-vertical cases of the six verticals the suite itself proves are left
    # out (their ids carry their key); the new vertical's cases and the registry-wide ones run.
    "-k",
    " and ".join(f"not {v.rsplit('.', 1)[-1]}" for v in DEFAULT_VERTICALS),
]


def _run(args: list[str], project: Path, env: dict, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.browser
def test_a_scaffolded_vertical_passes_its_tests_the_contract_and_the_migrations(tmp_path):
    """Scaffold into a copy, register, then run there what proves a vertical: its own tests
    (browser story included), the contract test, the migrations test and a smoke request of
    every page. Not the whole suite: the rest of the suite does not change with a new vertical."""
    project = tmp_path / "project"
    _copy_project(project)
    env = {**os.environ, "FLASK_APP": "wsgi", "PYTHONPATH": str(project)}
    for name in list(env):
        # the copy's run is not a worker of this run: it picks its own database
        if name.startswith(("PYTEST_", "DCX_VERTICALS")):
            env.pop(name)
    made = _run(
        [sys.executable, "-m", "flask", "dcx", "new-vertical", "insurance", *NEW_ARGS],
        project,
        env,
        120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert '"dcx.insurance"' in (project / "dcx/config.py").read_text()
    lint = _run(
        [sys.executable, "-m", "ruff", "check", "dcx/insurance", "tests/insurance"],
        project,
        env,
        120,
    )
    assert lint.returncode == 0, lint.stdout
    (project / "tests/insurance/test_smoke_pages.py").write_text(SMOKE)
    with _own_database() as url:
        if url:
            env["DATABASE_URL"] = url
        report = tmp_path / "report.xml"
        suite = _run(
            [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", *PROOF],
            project,
            env,
            900,
        )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    ran = {
        case.get("classname", "").split(".")[1]
        for case in ElementTree.parse(report).iter("testcase")  # noqa: S314 (our own report)
        if case.find("failure") is None and case.find("skipped") is None
    }
    # each part of the proof ran and passed: the vertical's own tests, its story, the smoke
    # requests, the contract and the migrations
    assert {"insurance", "browser", "test_verticals_contract", "test_migrations"} <= ran, ran
