"""Stories name the loaded showcase's people: a branded showcase's tours say its own names."""

import pytest

from dcx.extensions import db
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import seed_showcase


@pytest.mark.parametrize(
    "name,short",
    [
        ("Alex Morgan", "Alex"),
        ("Dr. Lucía Vidal", "Dr. Vidal"),
        ("Prof. Jonas Berg", "Prof. Berg"),
        ("Dr. Who", "Dr."),  # a title and one name: the first word, as written
        ("Cher", "Cher"),
    ],
)
def test_short_names(name, short):
    assert presenter.short_name(name) == short


@pytest.fixture
def northwind(app):
    seed_showcase(app.extensions["dcx_verticals"], "northwind", only=())
    db.session.commit()


def test_placeholders_take_the_loaded_showcases_people(app, northwind):
    assert presenter.with_cast("%(alex)s meets %(clinician)s") == "Noah meets Dr. Okafor"
    assert presenter.with_cast("%(nobody_here)s waves") == "Nobody here waves"
    assert presenter.with_cast("50% off, no names") == "50% off, no names"
    assert presenter.with_cast("%(alex)s saves 50% more") == "%(alex)s saves 50% more"  # stray %


def test_the_home_page_and_a_tour_name_the_branded_people(app, client, northwind):
    page = client.get("/").get_data(as_text=True)
    assert "Noah, who owns two connected cars" in page
    assert "%(alex)s" not in page and "Alex," not in page
    client.post("/showcase/tours/banking/1")  # step 1, signed in as the persona
    page = client.get("/banking/", follow_redirects=True).get_data(as_text=True)
    assert 'id="tour-narration"' in page
    assert "Noah opens a savings account" in page and "Alex opens" not in page
