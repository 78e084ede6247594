"""Sandboxes: a visitor's private copy of the showcase, its own database, clock and files;
the caps, and the sweep that deletes expired ones with their files."""

from __future__ import annotations

import contextlib
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from dcx import create_app
from dcx.extensions import db
from dcx.platform import clock, sandboxes
from dcx.platform.accounts.models import User
from dcx.platform.jobs.models import JobRun
from dcx.platform.jobs.scheduler import tick
from dcx.platform.sandboxes import services, store
from dcx.platform.sandboxes.models import Sandbox, SandboxVisit
from dcx.platform.showcase.loader import seed_showcase
from tests.conftest import DATABASE_URL, make_user, sandbox_of


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("banking",))
    db.session.commit()


def _signed_in_name(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    return "Alex Morgan" if "Alex Morgan" in page else None


def _sandboxes() -> int:
    return db.session.execute(select(func.count()).select_from(Sandbox)).scalar_one()


def test_try_it_yourself_gives_a_copy_whose_writes_stay_in_it(app, client, seeded):
    assert 'id="try-it-yourself"' in client.get("/").get_data(as_text=True)
    assert client.post("/showcase/sandbox").status_code == 302
    sandbox_id = sandbox_of(client)
    assert store.engine(sandbox_id) is not None
    if not store.is_postgresql():
        assert (Path(app.instance_path) / "sandboxes" / f"{sandbox_id}.db").is_file()
    assert 'id="try-it-yourself"' not in client.get("/").get_data(as_text=True)
    mail: list = []
    app.extensions["dcx_account_mailer"] = mail.append
    client.post(
        "/account/signup",
        data={
            "email": "new@example.com",
            "name": "New Visitor",
            "password": "a long password 1",
            "confirm": "a long password 1",
        },
    )
    link = re.search(r"/account/signup/confirm/\S+", mail[0].text).group(0)
    assert client.post(link).status_code == 303
    assert sandbox_of(client) == sandbox_id  # signing in renews the session, not the sandbox
    assert "New Visitor" in client.get("/").get_data(as_text=True)
    with sandboxes.inside(app, sandbox_id):
        assert db.session.execute(select(User).where(User.email == "new@example.com")).first()
    assert db.session.execute(select(User).where(User.email == "new@example.com")).first() is None


def test_a_tour_signs_in_only_inside_a_new_sandbox(app, client, seeded):
    client.post("/showcase/tours/banking/1")
    sandbox_id = sandbox_of(client)
    assert _signed_in_name(client) == "Alex Morgan"
    # the persona's session exists in the copy, not in the showcase itself
    with sandboxes.inside(app, sandbox_id):
        alex = db.session.execute(select(User).where(User.email == "alex@dcx.example")).scalar_one()
    from dcx.platform.accounts.models import AccountSession

    assert (
        db.session.execute(
            select(func.count())
            .select_from(AccountSession)
            .where(AccountSession.user_id == alex.id)
        ).scalar_one()
        == 0
    )
    visits = db.session.execute(select(SandboxVisit.vertical, SandboxVisit.step)).all()
    assert [tuple(v) for v in visits] == [("banking", 1)]


def test_two_visitors_have_their_own_clock_and_reset(app, seeded):
    a, b = app.test_client(), app.test_client()
    a.post("/showcase/tours/banking/1")
    b.post("/showcase/tours/banking/1")
    sandbox_a, sandbox_b = sandbox_of(a), sandbox_of(b)
    assert sandbox_a != sandbox_b
    start = clock.now()
    a.post("/admin/clock", data={"step": "30d"})
    with sandboxes.inside(app, sandbox_a):
        assert clock.now() - start >= timedelta(days=30)
    with sandboxes.inside(app, sandbox_b):
        assert clock.now() - start < timedelta(days=1)
    assert clock.now() - start < timedelta(days=1)
    b.post("/showcase/reset", data={"confirm": "yes"})
    assert sandbox_of(b) == sandbox_b
    assert _signed_in_name(b) == "Alex Morgan"  # still the persona, in a fresh copy
    with sandboxes.inside(app, sandbox_a):
        assert clock.now() - start >= timedelta(days=30)  # A is unaffected
    assert db.session.get(Sandbox, sandbox_b).resets == 1


def test_the_caps_answer_a_clear_page(app, seeded):
    app.config["DCX_SANDBOX_MAX_PER_ADDRESS"] = 1
    first, second = app.test_client(), app.test_client()
    assert first.post("/showcase/sandbox").status_code == 302
    refused = second.post("/showcase/sandbox")
    assert refused.status_code == 429
    assert 'data-reason="address"' in refused.get_data(as_text=True)
    other = app.test_client()
    app.config["DCX_SANDBOX_MAX"] = 1
    full = other.post("/showcase/sandbox", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert full.status_code == 503
    assert 'data-reason="total"' in full.get_data(as_text=True)
    assert _sandboxes() == 1
    # the address is never stored: no column of the register holds it
    assert not {c.name for c in Sandbox.__table__.columns} & {"address", "ip", "remote_addr"}


def test_the_sweep_deletes_expired_sandboxes_with_their_files(app, client, seeded):
    client.post("/showcase/sandbox")
    old = sandbox_of(client)
    keep_client = app.test_client()
    keep_client.post("/showcase/sandbox")
    kept = sandbox_of(keep_client)
    photo = store.uploads(old) / "government" / "photos" / "x.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG")
    db.session.execute(
        update(Sandbox)
        .where(Sandbox.id == old)
        .values(last_seen_at=clock.real_now() - timedelta(hours=3))
    )
    db.session.commit()
    assert services.sweep() == 1
    assert store.engine(old) is None
    assert not (store.upload_root() / "sandboxes" / old).exists()
    assert not (store.root() / f"{old}.db").exists()
    assert store.engine(kept) is not None
    assert db.session.get(Sandbox, old) is None
    # its visitor finds themselves back on the showcase, signed in as nobody
    assert "expired" in client.get("/").get_data(as_text=True)
    with client.session_transaction() as session:
        assert "dcx_sandbox" not in session


def test_the_scheduler_runs_each_live_sandboxs_due_jobs(app, client, seeded):
    client.post("/showcase/sandbox")
    sandbox_id = sandbox_of(client)
    tick(app)
    with sandboxes.inside(app, sandbox_id):
        assert db.session.execute(select(func.count()).select_from(JobRun)).scalar_one() > 0


def test_the_presenter_page_lists_what_a_sandbox_visited(app, client, seeded, users):
    client.post("/showcase/tours/banking/1")
    client.get("/banking/")
    client.post("/showcase/tours/banking/2")
    visitor = sandbox_of(client)
    assert client.get("/showcase/sandbox/all").status_code == 403  # an admin of their copy only
    admin = app.test_client()
    users("boss@example.com", role="admin")
    from tests.conftest import PASSWORD, AuthActions

    AuthActions(admin).login("boss@example.com", PASSWORD)
    page = admin.get("/showcase/sandbox/all").get_data(as_text=True)
    assert f'data-sandbox="{visitor}"' in page
    assert 'data-story="banking"' in page and 'data-steps="1,2"' in page
    assert 'id="sandboxes-link"' in admin.get("/").get_data(as_text=True)
    assert admin.post(f"/showcase/sandbox/{visitor}/open").status_code == 302
    assert sandbox_of(admin) == visitor


def test_a_partial_reseed_reaches_the_next_sandbox(app, runner, seeded, tmp_path):
    """Re-seeding one vertical takes the template again: a new sandbox copies the new data,
    one made before keeps its copy."""
    import shutil

    from dcx.banking.models import BankingGoal
    from dcx.platform.showcase.loader import SEEDS_DIR

    before = app.test_client()
    before.post("/showcase/sandbox")
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR / "default", seeds / "default")
    banking = seeds / "default" / "banking.yaml"
    text = banking.read_text()
    marker = "    goals:\n"
    assert marker in text
    banking.write_text(
        text.replace(
            marker,
            marker + "      - {name: Concert tickets, target: 9000, saved: 3000, "
            "started_months_ago: 1, due_in_months: 2}\n",
            1,
        )
    )
    app.config["DCX_SEEDS_DIR"] = str(seeds)
    result = runner.invoke(args=["dcx", "seed", "--only", "banking"])
    assert result.exit_code == 0, result.output
    assert "only banking" in result.output
    after = app.test_client()
    after.post("/showcase/sandbox")

    def concert_goals(browser) -> int:
        with sandboxes.inside(app, sandbox_of(browser)):
            return db.session.execute(
                select(func.count())
                .select_from(BankingGoal)
                .where(BankingGoal.name == "Concert tickets")
            ).scalar_one()

    assert concert_goals(after) == 1
    assert concert_goals(before) == 0


def test_seed_only_refuses_an_unknown_vertical(runner):
    result = runner.invoke(args=["dcx", "seed", "--only", "bakery"])
    assert result.exit_code == 2 and "no vertical bakery" in result.output


def test_two_app_instances_sharing_one_database_hold_one_address_cap(app, seeded, tmp_path):
    """Two web workers (two apps on one database) count one address's sandboxes together:
    the cap lives in the register, not in a worker's memory."""
    from dcx.platform.sandboxes.models import Sandbox as Row
    from tests.conftest import RequestScopedClient, _base_config

    app.config["DCX_SANDBOX_MAX_PER_ADDRESS"] = 2
    other = create_app(
        {
            **_base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]),
            "DCX_SANDBOX_MAX_PER_ADDRESS": 2,
        }
    )
    other.test_client_class = RequestScopedClient
    address = {"REMOTE_ADDR": "203.0.113.7"}
    assert app.test_client().post("/showcase/sandbox", environ_base=address).status_code == 302
    assert other.test_client().post("/showcase/sandbox", environ_base=address).status_code == 302
    for worker in (app, other):
        refused = worker.test_client().post("/showcase/sandbox", environ_base=address)
        assert refused.status_code == 429
    # another address is not held back by this one's share
    elsewhere = {"REMOTE_ADDR": "198.51.100.4"}
    assert other.test_client().post("/showcase/sandbox", environ_base=elsewhere).status_code == 302
    # an expired sandbox no longer counts against its address
    oldest = db.session.execute(select(Row.id).order_by(Row.created_at).limit(1)).scalar_one()
    db.session.execute(
        update(Row)
        .where(Row.id == oldest)
        .values(last_seen_at=clock.real_now() - timedelta(hours=3))
    )
    db.session.commit()
    assert other.test_client().post("/showcase/sandbox", environ_base=address).status_code == 302
    keys = set(db.session.execute(select(Row.address_key)).scalars())
    assert len(keys) == 2 and "203.0.113.7" not in keys  # a keyed hash, never the address
    with other.app_context():
        db.engine.dispose()


def test_the_presenter_page_shows_a_sandboxs_assessment_result_not_its_visitor(
    app, client, seeded, users
):
    from dcx.platform.assessment.questions import all_questions
    from tests.conftest import PASSWORD, AuthActions

    client.post("/showcase/sandbox")
    visitor = sandbox_of(client)
    client.get("/banking/")
    answers = {q.id: "5" for q in all_questions()}
    assert client.post("/assessment/questionnaire", data=answers).status_code == 302
    untested = app.test_client()
    untested.post("/showcase/sandbox", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    admin = app.test_client()
    users("boss@example.com", role="admin")
    AuthActions(admin).login("boss@example.com", PASSWORD)
    page = admin.get("/showcase/sandbox/all").get_data(as_text=True)
    mine = page.split(f'data-sandbox="{visitor}"', 1)[1].split('data-sandbox="', 1)[0]
    assert 'data-story="banking"' in mine
    assert 'data-assessment-stage="optimising" data-assessment-score="100"' in mine
    assert "Optimising" in mine and "100 of 100" in mine
    theirs = page.split(f'data-sandbox="{sandbox_of(untested)}"', 1)[1].split('data-sandbox="', 1)[
        0
    ]
    assert "data-assessment-stage" not in theirs
    # nothing that identifies a visitor: no address, no key, no answer
    row = db.session.get(Sandbox, visitor)
    assert row.address_key not in page and "127.0.0.1" not in page


def test_two_requests_racing_for_the_last_place_get_one_sandbox(app, seeded, tmp_path):
    """Two web workers (two apps on one database) asked for a sandbox at the same moment, with
    one place left: both count the register before either registers (a barrier holds the
    first after its count until the second has counted too, or for a second at most), and
    still only one gets it, because the count and the registration are one locked step."""
    import threading

    from sqlalchemy import event

    from tests.conftest import RequestScopedClient, _base_config

    app.config["DCX_SANDBOX_MAX_PER_ADDRESS"] = 1
    other = create_app(
        {
            **_base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]),
            "DCX_SANDBOX_MAX_PER_ADDRESS": 1,
        }
    )
    other.test_client_class = RequestScopedClient
    both_counted = threading.Barrier(2, timeout=1)

    def after_count(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT COUNT(") and "sandbox" in statement:
            # broken after a second: the other request waits for the lock, and counts after
            with contextlib.suppress(threading.BrokenBarrierError):
                both_counted.wait()

    statuses: list[int] = []

    def ask(worker) -> None:
        with worker.app_context():
            answer = worker.test_client().post(
                "/showcase/sandbox", environ_base={"REMOTE_ADDR": "203.0.113.7"}
            )
            statuses.append(answer.status_code)

    engines = [app.extensions["sqlalchemy"].engines[None]]
    with other.app_context():
        engines.append(db.engine)
    for engine in engines:
        event.listen(engine, "after_cursor_execute", after_count)
    try:
        threads = [threading.Thread(target=ask, args=(worker,)) for worker in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        for engine in engines:
            event.remove(engine, "after_cursor_execute", after_count)
    assert sorted(statuses) == [302, 429]
    assert _sandboxes() == 1
    with other.app_context():
        db.engine.dispose()


def _user_names(worker, sandbox_id: str) -> set[str]:
    with sandboxes.inside(worker, sandbox_id):
        return set(db.session.execute(select(User.name)).scalars())


def test_a_reset_leaves_no_old_database_in_any_worker(app, seeded, tmp_path):
    """A reset in one web worker: another worker that had the sandbox open reads the fresh
    copy at its next use, and nothing of the old database is left open or on disk."""
    from tests.conftest import _base_config

    other = create_app(_base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]))
    sandbox_id = services.create("10.0.0.1").id
    with sandboxes.inside(app, sandbox_id):
        db.session.execute(update(User).values(name="Changed in the sandbox"))
        db.session.commit()
    assert _user_names(other, sandbox_id) == {"Changed in the sandbox"}  # the other has it open
    services.reset(sandbox_id)
    assert "Changed in the sandbox" not in _user_names(other, sandbox_id)
    assert "Changed in the sandbox" not in _user_names(app, sandbox_id)
    if store.is_postgresql():
        from dcx.platform.sandboxes import postgres

        assert postgres.stored_ids() == {sandbox_id}
    else:
        files = {p.name.removeprefix(sandbox_id) for p in store.root().glob(f"{sandbox_id}*")}
        assert files <= {".db", ".db-wal", ".db-shm"}  # the fresh copy, nothing left over
        # no connection of this process (both workers) holds a replaced, deleted file
        held = {os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()}
        assert not [name for name in held if sandbox_id in name and "(deleted)" in name]
    with other.app_context():
        for engine in other.extensions.get("dcx_sandbox_engines", {}).values():
            engine.dispose()
        db.engine.dispose()


def test_a_reset_of_the_showcase_deletes_every_sandbox_at_once(app, seeded):
    """Wiping the main database (a reset of the showcase) takes the register with it: every
    sandbox's database and uploads go at the same moment, not at a later sweep."""
    from dcx.platform.showcase.loader import wipe

    made = {services.create("10.0.0.1").id, services.create("10.0.0.2").id}
    for sandbox_id in made:
        (store.uploads(sandbox_id) / "photo.png").write_bytes(b"\x89PNG")
    wipe()
    db.session.commit()
    assert store.stored_ids(older_than=-1) == set()
    assert all(store.engine(sandbox_id) is None for sandbox_id in made)


def test_uploads_live_under_the_configured_root_and_go_with_their_sandbox(app, seeded, tmp_path):
    """``UPLOAD_ROOT`` (a volume every host mounts) holds each sandbox's files, keyed by the
    sandbox: a photo a visitor uploads lands there, and the reset and the sweep remove it."""
    from dcx.government.photos import photo_dir

    shared = tmp_path / "shared-volume"
    app.config["UPLOAD_ROOT"] = str(shared)
    kept, reset, swept = (services.create(f"10.0.0.{n}").id for n in (1, 2, 3))
    photos = {}
    for sandbox_id in (kept, reset, swept):
        with sandboxes.inside(app, sandbox_id):
            photos[sandbox_id] = photo_dir() / "a.png"
            photos[sandbox_id].write_bytes(b"\x89PNG")
    assert photos[kept] == shared / "sandboxes" / kept / "government" / "photos" / "a.png"
    assert not any(store.root().glob("*/government"))  # nothing beside the databases
    services.reset(reset)
    db.session.execute(
        update(Sandbox)
        .where(Sandbox.id == swept)
        .values(last_seen_at=clock.real_now() - timedelta(hours=3))
    )
    db.session.commit()
    assert services.sweep() == 1
    assert photos[kept].is_file()
    assert not (shared / "sandboxes" / reset).exists()
    assert not (shared / "sandboxes" / swept).exists()
    # outside any sandbox, the main showcase's files are at the root itself
    assert photo_dir() == shared / "government" / "photos"


def _template_comment() -> str | None:
    from dcx.platform.sandboxes import postgres

    return db.session.execute(
        text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
        {"n": postgres.template_name()},
    ).scalar()


@pytest.mark.skipif(not DATABASE_URL, reason="the template database of PostgreSQL")
def test_a_template_of_the_same_schema_is_filled_again_and_a_half_fill_is_never_taken(
    app, seeded, monkeypatch
):
    """The showcase seeded anew: the template (same tables) is emptied and filled with the
    new rows; a fill that fails half-way leaves it marked unfinished, so the next sandbox
    fills it again; a change of schema makes a new template."""
    from dcx.platform.sandboxes import postgres

    first = services.create("10.0.0.1").id
    schema, marker = postgres._marker()
    assert _template_comment() == marker
    make_user("added@example.com", name="Added after the first copy")
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("banking",))
    db.session.commit()

    def fails(name: str, empty_first: bool = False) -> None:
        assert empty_first  # the tables were there: they are emptied, not made
        raise RuntimeError("the server went away")

    with monkeypatch.context() as patch:
        patch.setattr(postgres, "_seed", fails)
        with pytest.raises(RuntimeError):
            services.create("10.0.0.2")
    db.session.rollback()
    assert _template_comment() == schema  # unfinished: never copied as it is
    second = services.create("10.0.0.3").id
    assert _template_comment() == postgres._marker()[1] != marker
    assert "Added after the first copy" in _user_names(app, second)
    assert "Added after the first copy" not in _user_names(app, first)

    oid = text("SELECT oid FROM pg_database WHERE datname = :n")
    before = db.session.execute(oid, {"n": postgres.template_name()}).scalar()
    monkeypatch.setattr(postgres, "_schema_of", lambda tables: "another-schema")
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("banking",))
    db.session.commit()
    third = services.create("10.0.0.4").id
    after = db.session.execute(oid, {"n": postgres.template_name()}).scalar()
    assert after != before  # made anew, its tables from the models
    assert (_template_comment() or "").startswith("another-schema|")
    assert "Added after the first copy" in _user_names(app, third)
