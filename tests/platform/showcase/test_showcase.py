"""Showcase files, presenter mode, tours and the customer's home across industries."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from dcx.config import DEFAULT_VERTICALS
from dcx.extensions import db
from dcx.platform import clock, sandboxes
from dcx.platform.accounts.models import User
from dcx.platform.showcase.loader import ShowcaseError, read_showcase, seed_showcase
from dcx.platform.timeline.services import record
from dcx.verticals import Obligation
from tests.conftest import PASSWORD, make_user, sandbox_of

PROBE = "tests.platform.jobs.probe"
DEFAULT = Path(__file__).resolve().parents[3] / "seeds" / "default" / "showcase.yaml"


@pytest.fixture
def seeds(tmp_path):
    """A seeds folder with the default showcase and a rebranded copy."""
    folder = tmp_path / "seeds"
    for name, brand in (("default", "DCX Showcase"), ("acme", "Acme Group")):
        (folder / name).mkdir(parents=True)
        text = DEFAULT.read_text().replace("name: DCX Showcase", f"name: {brand}")
        if name == "acme":
            text = text.replace("Alex Morgan", "Ada Acme").replace('"#1f4e79"', '"#8b0000"')
        (folder / name / "showcase.yaml").write_text(text)
    return folder


@pytest.fixture
def app_config(seeds):
    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE), "DCX_SEEDS_DIR": str(seeds)}


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=())  # personas only: fast
    db.session.commit()


def _login(client, email, password):
    return client.post("/account/signin", data={"email": email, "password": password})


OPERATOR = ("operator@example.com", "an operator's own words")


@pytest.fixture
def presenter(client, runner, seeded):
    """The showcase's operator: an admin no seed publishes, made by ``flask dcx create-admin``
    (the admin persona's published password opens only a sandbox)."""
    email, password = OPERATOR
    result = runner.invoke(
        args=["dcx", "create-admin", "--email", email, "--name", "Olga Operator"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert _login(client, email, password).status_code == 302
    with client.session_transaction() as session:
        assert "dcx_sandbox" not in session  # on the main database itself
    return client


def test_a_second_showcase_brings_its_brand_and_people(app, client, runner):
    result = runner.invoke(args=["dcx", "seed", "--showcase", "acme"])
    assert result.exit_code == 0, result.output
    page = client.get("/").get_data(as_text=True)
    assert "Acme Group" in page and "#8b0000" in page
    assert db.session.execute(select(User).where(User.name == "Ada Acme")).scalar_one()


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda t: t.replace("name: DCX Showcase", "name: ''"), "brand.name"),
        (lambda t: t.replace('colour: "#1f4e79"', "colour: blue"), "brand.colour"),
        (
            lambda t: t.replace("password: showcase-alex-2026", "password: short"),
            "personas[0].password",
        ),
        (lambda t: t.replace("role: admin", "role: boss"), "role"),
        (lambda t: t + "\n  - [unclosed", "line"),
    ],
)
def test_a_malformed_showcase_names_file_and_field_and_changes_nothing(
    app, runner, seeds, mutate, field
):
    bad = seeds / "broken"
    bad.mkdir()
    (bad / "showcase.yaml").write_text(mutate(DEFAULT.read_text()))
    before = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    result = runner.invoke(args=["dcx", "seed", "--showcase", "broken"])
    assert result.exit_code != 0
    assert "broken/showcase.yaml" in result.output and field in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == before


def test_showcase_names_cannot_escape_the_seeds_folder(app):
    with pytest.raises(ShowcaseError):
        read_showcase("../etc")


def test_presenter_views_as_a_persona_and_back(presenter):
    page = presenter.get("/").get_data(as_text=True)
    assert 'id="presenter-bar"' in page and 'data-persona="alex"' in page
    presenter.post("/showcase/view-as/alex")
    page = presenter.get("/").get_data(as_text=True)
    assert "Alex Morgan" in page and 'id="presenter-back"' in page
    presenter.post("/showcase/back")
    assert 'id="presenter-back"' not in presenter.get("/").get_data(as_text=True)
    assert "Olga Operator" in presenter.get("/").get_data(as_text=True)


def test_a_presenter_past_the_cap_gets_the_cap_page_and_stays_themselves(app, presenter):
    app.config["DCX_SANDBOX_MAX"] = 0
    response = presenter.post("/showcase/view-as/alex")
    assert response.status_code == 503
    assert 'data-reason="total"' in response.get_data(as_text=True)
    assert "Olga Operator" in presenter.get("/").get_data(as_text=True)


def test_customers_get_no_presenter_bar_and_no_controls(client, seeded):
    # a customer of the main database (a persona's published password opens a sandbox instead)
    make_user(email="casey@example.com", name="Casey Customer")
    _login(client, "casey@example.com", PASSWORD)
    with client.session_transaction() as session:
        assert "dcx_sandbox" not in session
    assert 'id="presenter-bar"' not in client.get("/").get_data(as_text=True)
    assert client.post("/showcase/view-as/admin").status_code == 403
    assert client.post("/showcase/reset", data={"confirm": "yes"}).status_code == 403
    assert client.post("/admin/clock", data={"step": "30d"}).status_code == 403


def test_presenter_moves_the_clock_while_viewing_as_a_persona(app, presenter):
    presenter.post("/showcase/view-as/alex")
    before = clock.now()
    assert (
        presenter.post("/admin/clock", data={"step": "1w", "next": "/timeline"}).headers["Location"]
        == "/timeline"
    )
    with sandboxes.inside(app, sandbox_of(presenter)):  # the presenter's own copy moved
        assert clock.now() - before >= timedelta(days=7)
    assert clock.now() - before < timedelta(days=1)  # the showcase itself did not


def test_reset_brings_back_the_seeded_state(presenter):
    db.session.add(User(email="stray@example.com", name="Stray", password_hash="x"))
    db.session.commit()
    assert presenter.post("/showcase/reset").status_code == 400  # no confirmation
    response = presenter.post("/showcase/reset", data={"confirm": "yes"})
    assert response.status_code == 302
    assert db.session.execute(select(User).where(User.email == "stray@example.com")).first() is None
    assert (
        db.session.execute(select(User).where(User.email == "alex@dcx.example")).first() is not None
    )
    assert 'id="presenter-bar"' in presenter.get("/").get_data(as_text=True)  # still presenting


def test_the_presenters_reset_refuses_a_database_that_holds_no_showcase(presenter):
    from dcx.platform.showcase.models import ShowcaseState

    db.session.execute(delete(ShowcaseState))
    db.session.add(User(email="real@example.com", name="Real", password_hash="x"))
    db.session.commit()
    response = presenter.post("/showcase/reset", data={"confirm": "yes"}, follow_redirects=True)
    assert "no showcase" in response.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.email == "real@example.com")).first()


def test_a_tour_walks_its_steps_as_their_personas(client, seeded):
    start = client.get("/showcase/tours/probe").get_data(as_text=True)
    assert 'id="tour-go"' in start and 'action="/showcase/tours/probe/1"' in start
    response = client.post("/showcase/tours/probe/1")
    assert response.headers["Location"] == "/probe/"
    page = client.get("/probe/").get_data(as_text=True)
    assert "Step 1 of 3" in page and 'data-selector="#probe-capabilities"' in page
    assert "Alex Morgan" in page  # signed in as the step's persona
    client.post("/showcase/tours/probe/3")
    page = client.get("/staff/customers").get_data(as_text=True)
    assert "Step 3 of 3" in page and "Sam Advisor" in page and 'id="tour-finish"' in page
    client.post("/showcase/tours/exit")
    assert "Step 3 of 3" not in client.get("/staff/customers").get_data(as_text=True)
    assert client.get("/showcase/tours/probe/9").status_code == 404
    assert client.post("/showcase/tours/probe/9").status_code == 404
    assert client.get("/showcase/tours/nope").status_code == 404


def test_outside_showcase_mode_there_is_no_persona_sign_in_and_no_sandbox(app, client, seeded):
    app.config["DCX_SHOWCASE_MODE"] = False
    client.post("/showcase/tours/probe/1")
    assert "Alex Morgan" not in client.get("/probe/").get_data(as_text=True)
    assert client.post("/showcase/sandbox").status_code == 404
    assert 'id="try-it-yourself"' not in client.get("/").get_data(as_text=True)
    _login(client, "admin@dcx.example", "showcase-admin-2026")
    assert client.post("/showcase/view-as/alex").status_code == 404
    with client.session_transaction() as session:
        assert "dcx_sandbox" not in session
    assert not (Path(app.instance_path) / "sandboxes").exists()


def test_the_customer_home_shows_what_needs_attention(app, client, seeded):
    alex = db.session.execute(select(User).where(User.email == "alex@dcx.example")).scalar_one()
    registry = app.extensions["dcx_verticals"]
    import dataclasses

    def obligations(user_id, start, end):
        return [
            Obligation(
                "probe", "Probe instalment", start + timedelta(days=2), 12345, "EUR", "/probe/"
            )
        ]

    registry._by_key["probe"] = dataclasses.replace(registry.get("probe"), obligations=obligations)
    record(alex, "probe", "poked", "Poked the probe")
    db.session.commit()
    _login(client, "alex@dcx.example", "showcase-alex-2026")
    page = client.get("/").get_data(as_text=True)
    assert 'id="customer-overview"' in page
    assert "Probe instalment" in page and "123.45" in page
    assert "Probe appointment" in page  # the probe's calendar entry, a week away
    assert "Poked the probe" in page


def test_the_home_lists_the_next_seven_whole_days(app, seeded):
    """An hour late still shows, the end of the seventh day shows, the eighth day does not."""
    import dataclasses

    from dcx.platform.site.overview import overview_for
    from dcx.verticals import CalendarEntry

    alex = db.session.execute(select(User).where(User.email == "alex@dcx.example")).scalar_one()
    now = clock.now()
    week_end = (now + timedelta(days=7)).replace(hour=23, minute=59, second=0, microsecond=0)
    starts = {
        "just missed": now - timedelta(hours=2),
        "running late": now - timedelta(minutes=30),
        "end of the week": week_end,
        "next week": week_end + timedelta(minutes=2),
    }

    def calendar(user_id):
        return [CalendarEntry(uid=t, title=t, starts_at=at) for t, at in starts.items()]

    registry = app.extensions["dcx_verticals"]
    registry._by_key["probe"] = dataclasses.replace(registry.get("probe"), calendar=calendar)
    titles = [entry.title for key, entry in overview_for(alex.id).upcoming if key == "probe"]
    assert titles == ["running late", "end of the week"]


def test_the_shipped_branded_showcase_keeps_the_default_industry_data(app):
    app.config["DCX_SEEDS_DIR"] = str(DEFAULT.parents[1])
    northwind = read_showcase("northwind")
    default = read_showcase("default")
    assert northwind["brand"]["name"] == "Northwind Group"
    assert northwind["verticals"] == default["verticals"]
    assert {p["key"] for p in northwind["personas"]} == {p["key"] for p in default["personas"]}
    assert not {p["email"] for p in northwind["personas"]} & {
        p["email"] for p in default["personas"]
    }


def test_extends_must_name_another_showcase(app, seeds):
    loop = seeds / "loop"
    loop.mkdir()
    (loop / "showcase.yaml").write_text("extends: loop\n" + DEFAULT.read_text())
    with pytest.raises(ShowcaseError, match="extends"):
        read_showcase("loop")
