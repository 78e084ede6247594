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


def test_a_package_without_a_vertical_is_refused():
    with pytest.raises(RuntimeError, match="no `vertical"):
        load_verticals(["dcx.platform"])


def test_home_lists_every_story(client):
    body = client.get("/").get_data(as_text=True)
    for key in KEYS:
        assert (
            f'<article class="card h-100 shadow-sm dcx-story-card" data-vertical="{key}">' in body
        )
