"""The personas' passwords are published in seeds/: on a showcase's main database they open
only a sandbox of the visitor's own, never the shared world (its clock, reset, presenter list).
The main database is operated by an admin no seed publishes (``flask dcx create-admin``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock, sandboxes
from dcx.platform.accounts.models import AccountSession, User
from dcx.platform.sandboxes.models import Sandbox
from dcx.platform.showcase.loader import seed_showcase
from tests.conftest import sandbox_of

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "default" / "showcase.yaml"
PERSONAS = [
    (p["email"], p["password"], p["name"], p.get("role", "customer"))
    for p in yaml.safe_load(SEEDS.read_text())["personas"]
]
OPERATOR = ("operator@example.com", "an operator's own words")


@pytest.fixture
def app_config():
    return {"DCX_SANDBOX_MAX_PER_ADDRESS": 50}


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=())  # personas only: fast
    db.session.add(User(email="stray@example.com", name="Stray", password_hash="x"))
    db.session.commit()


def _sign_in(client, email: str, password: str):
    return client.post("/account/signin", data={"email": email, "password": password})


def _main_sessions() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(AccountSession)).scalar_one()


def _sandboxes() -> int:
    return db.session.execute(select(func.count()).select_from(Sandbox)).scalar_one()


def test_the_persona_passwords_tested_are_the_published_ones():
    assert len(PERSONAS) >= 10 and any(role == "admin" for *_, role in PERSONAS)


@pytest.mark.parametrize(("email", "password", "name", "role"), PERSONAS)
def test_a_persona_password_opens_a_sandbox_never_the_main_database(
    app, seeded, email, password, name, role
):
    client = app.test_client()
    before = clock.now()
    response = _sign_in(client, email, password)
    assert response.status_code == 302
    assert _main_sessions() == 0  # nobody signed in on the main database
    assert _sandboxes() == 1
    sandbox_id = sandbox_of(client)
    assert name in client.get("/").get_data(as_text=True)  # signed in, in the copy
    with sandboxes.inside(app, sandbox_id):
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        opened = db.session.execute(
            select(func.count())
            .select_from(AccountSession)
            .where(AccountSession.user_id == user.id)
        ).scalar_one()
        assert opened == 1

    # what they can reach is their copy, never the shared world
    client.post("/admin/clock", data={"step": "30d"})
    assert client.get("/showcase/sandbox/all").status_code == 403
    client.post("/showcase/reset", data={"confirm": "yes"})
    db.session.rollback()
    assert clock.now() - before < timedelta(days=1)  # the main clock did not move
    assert db.session.execute(select(User).where(User.email == "stray@example.com")).first()
    assert _main_sessions() == 0


def test_a_persona_session_on_the_main_database_is_not_honoured(app, client, seeded):
    admin_email, admin_password = next((e, p) for e, p, _n, r in PERSONAS if r == "admin")
    app.config["DCX_SHOWCASE_MODE"] = False  # signed in before the showcase was one
    assert _sign_in(client, admin_email, admin_password).status_code == 302
    assert client.get("/showcase/sandbox/all").status_code in (403, 404)
    app.config["DCX_SHOWCASE_MODE"] = True
    before = clock.now()
    assert client.post("/admin/clock", data={"step": "30d"}).status_code == 403
    assert client.get("/showcase/sandbox/all").status_code == 403
    assert client.post("/showcase/reset", data={"confirm": "yes"}).status_code == 403
    db.session.rollback()
    assert clock.now() - before < timedelta(days=1)


def test_outside_showcase_mode_a_persona_signs_in_as_before(app, client, seeded):
    app.config["DCX_SHOWCASE_MODE"] = False
    email, password, name, _role = PERSONAS[0]
    assert _sign_in(client, email, password).status_code == 302
    assert _main_sessions() == 1
    with client.session_transaction() as session:
        assert sandboxes.SESSION_KEY not in session
    assert name in client.get("/").get_data(as_text=True)


def test_an_admin_no_seed_publishes_operates_the_main_database(app, client, runner, seeded):
    email, password = OPERATOR
    result = runner.invoke(
        args=["dcx", "create-admin", "--email", email], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    assert _sign_in(client, email, password).status_code == 302
    with client.session_transaction() as session:
        assert sandboxes.SESSION_KEY not in session
    assert _main_sessions() == 1
    assert client.get("/showcase/sandbox/all").status_code == 200
    before = clock.now()
    assert client.post("/admin/clock", data={"step": "30d"}).status_code == 302
    db.session.rollback()
    assert clock.now() - before >= timedelta(days=29)
    assert client.post("/showcase/reset", data={"confirm": "yes"}).status_code == 302
    db.session.rollback()
    assert db.session.execute(select(User).where(User.email == "stray@example.com")).first() is None
    assert 'id="presenter-bar"' in client.get("/").get_data(as_text=True)  # still operating


def test_a_persona_past_the_cap_gets_the_cap_page_and_no_sign_in(app, client, seeded):
    app.config["DCX_SANDBOX_MAX"] = 0
    email, password, _name, _role = PERSONAS[0]
    response = _sign_in(client, email, password)
    assert response.status_code == 503
    assert _main_sessions() == 0
    with client.session_transaction() as session:
        assert sandboxes.SESSION_KEY not in session
