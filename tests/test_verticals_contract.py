"""One contract test, parametrized over every configured vertical."""

from pathlib import Path

import pytest

from dcx.config import DEFAULT_VERTICALS
from dcx.verticals import Vertical, load_verticals

KEYS = [path.rsplit(".", 1)[1] for path in DEFAULT_VERTICALS]


@pytest.mark.parametrize("key", KEYS)
def test_vertical_honours_the_contract(app, client, key):
    registry = app.extensions["dcx_verticals"]
    vertical = registry.get(key)
    assert isinstance(vertical, Vertical)
    assert vertical.blueprint.name == key
    assert all(job.id.startswith(f"{key}.") for job in vertical.jobs)
    template_dir = Path(vertical.blueprint.root_path) / "templates" / key
    assert template_dir.is_dir()
    page = client.get(f"/{key}/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert str(vertical.title) in body
    assert f'data-vertical="{key}"' in body  # listed in the industry switcher


@pytest.mark.parametrize("key", KEYS)
def test_vertical_tables_carry_its_prefix(app, key):
    from dcx.extensions import db

    module_prefix = f"dcx.{key}."
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__module__.startswith(module_prefix):
            assert mapper.local_table.name.startswith(f"{key}_"), mapper.class_


@pytest.mark.parametrize("key", KEYS)
def test_vertical_carries_its_own_migration_branch(app, key):
    """Every revision labelled with the vertical's branch lives in its package, and Alembic
    finds it there."""
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = app.extensions["migrate"].migrate.get_config()
    assert isinstance(config, Config)
    scripts = ScriptDirectory.from_config(config)
    package = Path(app.extensions["dcx_verticals"].get(key).blueprint.root_path)
    branch = [
        s
        for s in scripts.walk_revisions()
        if key in (s.branch_labels or ()) or s.revision.startswith(f"{key}_")
    ]
    assert branch, f"no revision of the {key} branch was found"
    for script in branch:
        assert Path(script.path).parent == package / "migrations", script.path


@pytest.mark.parametrize("key", KEYS)
def test_every_staff_page_sits_on_the_guarded_staff_blueprint(app, key):
    """A staff page cannot forget its guard: every /<key>/staff route is on the nested staff
    blueprint, whose before_request admits only the department (and admins)."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(f"/{key}/staff")]
    assert rules
    for rule in rules:
        assert rule.endpoint.startswith(f"{key}.staff."), rule.endpoint
    guards = app.before_request_funcs.get(f"{key}.staff", [])
    assert [g.__name__ for g in guards] == [f"require_{key}_department"]


def test_a_package_without_a_vertical_is_refused():
    with pytest.raises(RuntimeError, match="no `vertical"):
        load_verticals(["dcx.platform"])


def test_home_lists_every_story(client):
    body = client.get("/").get_data(as_text=True)
    for key in KEYS:
        assert (
            f'<article class="card h-100 shadow-sm dcx-story-card" data-vertical="{key}">' in body
        )


def _row_counts(prefix: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from dcx.extensions import db

    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
        if table.name.startswith(f"{prefix}_")
    }


@pytest.mark.parametrize("key", KEYS)
def test_seeding_twice_changes_nothing(app, key):
    from dcx.extensions import db
    from dcx.platform.showcase.loader import seed_showcase

    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry, "default", only=(key,))
    db.session.commit()
    first = _row_counts(key)
    seed_showcase(registry, "default", only=(key,))
    db.session.commit()
    assert _row_counts(key) == first
    if registry.get(key).seed is not None:
        assert sum(first.values()) > 0, f"{key} seeds nothing"


@pytest.mark.parametrize("key", KEYS)
def test_tour_steps_open_real_pages_as_real_personas(app, client, key):
    from dcx.platform.showcase.loader import read_showcase

    vertical = app.extensions["dcx_verticals"].get(key)
    personas = {p["key"] for p in read_showcase("default")["personas"]}
    endpoints = set(app.view_functions)
    for step in vertical.tour:
        assert step.endpoint in endpoints, step
        assert not step.persona or step.persona in personas, step
        assert step.narration and step.title
    if vertical.tour:
        assert f'data-tour="{key}"' in client.get("/showcase/tours").get_data(as_text=True)


def _owned_counts(key: str, user_ids: list[int]) -> dict[str, int]:
    """Rows of the vertical's tables with a user_id among ``user_ids``."""
    from sqlalchemy import func, select

    from dcx.extensions import db

    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name.startswith(f"{key}_") and "user_id" in table.c:
            counts[table.name] = db.session.execute(
                select(func.count()).select_from(table).where(table.c.user_id.in_(user_ids))
            ).scalar_one()
    return counts


# Verticals whose story may leave a synthetic customer nothing the app puts on a timeline:
# banking's customers without a savings goal, education's students still reading module one.
# Their own seed tests check the events match the rows one for one.
QUIET_FOR_SOME = {"banking", "education"}


def _timeline_of(key: str, user_ids: list[int]) -> list[tuple]:
    """The vertical's timeline events of ``user_ids``: (user, kind, private, time, key)."""
    from sqlalchemy import select

    from dcx.extensions import db
    from dcx.platform.timeline.models import Event

    return sorted(
        tuple(row)
        for row in db.session.execute(
            select(Event.user_id, Event.kind, Event.private, Event.occurred_at, Event.key).where(
                Event.vertical == key, Event.user_id.in_(user_ids)
            )
        )
    )


@pytest.mark.parametrize("key", KEYS)
def test_scale_gives_synthetic_customers_a_history_once(app, key):
    """`flask dcx seed --scale N`: each vertical's hook gives the new customers a history,
    and their timeline (the customer 360) tells it."""
    from sqlalchemy import select

    from dcx.extensions import db
    from dcx.platform import clock
    from dcx.platform.accounts.models import User
    from dcx.platform.showcase.loader import scale_showcase, seed_showcase

    registry = app.extensions["dcx_verticals"]
    if registry.get(key).scale is None:
        pytest.skip(f"{key} has no scale hook yet")
    seed_showcase(registry, "default", only=(key,))
    db.session.commit()
    only_this = [v for v in registry if v.key == key]
    assert scale_showcase(only_this, "default", 6, batch=4) == 6
    ids = list(
        db.session.execute(select(User.id).where(User.email.like("%@scale.dcx.example"))).scalars()
    )
    first = _owned_counts(key, ids)
    assert sum(first.values()) > 0, f"{key} gave the synthetic customers nothing"
    vertical = registry.get(key)
    events = _timeline_of(key, ids)
    assert events, f"{key} put nothing on the synthetic customers' timelines"
    if key not in QUIET_FOR_SOME:
        assert {user_id for user_id, *_ in events} == set(ids)
    assert {kind for _, kind, *_ in events} <= set(vertical.timeline_kinds)
    assert {private for _, _, private, *_ in events} == {vertical.private_timeline}
    assert max(at for *_, at, _ in events) <= clock.now()
    assert all(event_key for *_, event_key in events)  # keyed, so a rerun cannot repeat one
    assert scale_showcase(only_this, "default", 6, batch=4) == 0
    assert _owned_counts(key, ids) == first
    assert _timeline_of(key, ids) == events


def test_the_seed_command_scales_with_a_progress_bar(runner, app):
    result = runner.invoke(args=["dcx", "seed", "--scale", "3"])
    assert result.exit_code == 0, result.output
    assert "Synthetic customers" in result.output and "Added 3 synthetic customers" in result.output


def _table_counts() -> dict[str, int]:
    """Rows per table (ids and sequences differ between runs on PostgreSQL, counts must not)."""
    from sqlalchemy import func, select

    from dcx.extensions import db

    return {
        t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in db.metadata.sorted_tables
    }


def _timelines() -> list[tuple]:
    """Every timeline event as (owner's email, vertical, kind, private), sorted (ids, keys and
    times differ between runs on PostgreSQL and by the clock; who got what must not)."""
    from sqlalchemy import select

    from dcx.extensions import db
    from dcx.platform.accounts.models import User
    from dcx.platform.timeline.models import Event

    return sorted(
        tuple(row)
        for row in db.session.execute(
            select(User.email, Event.vertical, Event.kind, Event.private).join(
                User, User.id == Event.user_id
            )
        )
    )


def test_scaling_is_deterministic_for_a_seed(app):
    from dcx.extensions import db
    from dcx.platform.showcase.loader import scale_showcase, seed_showcase, wipe

    registry = app.extensions["dcx_verticals"]
    counts, timelines = [], []
    for _ in range(2):
        wipe()
        seed_showcase(registry, "default")
        scale_showcase(registry, "default", 8, seed=7, batch=5)
        db.session.commit()
        counts.append(_table_counts())
        timelines.append(_timelines())
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) > 1000
    assert timelines[0] == timelines[1]
    # with every vertical loaded, no synthetic customer's "one view" is empty, and each
    # vertical that scaled them is on it (the quiet ones for most)
    synthetic = {email for email, *_ in timelines[0] if email.endswith("@scale.dcx.example")}
    assert len(synthetic) == 8
    for vertical in registry:
        if vertical.scale is None:  # a vertical without the hook scales nobody (a new one)
            continue
        owners = {e for e, v, *_ in timelines[0] if v == vertical.key and e in synthetic}
        assert owners == synthetic or (vertical.key in QUIET_FOR_SOME and owners), vertical.key
