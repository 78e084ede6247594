"""Every staff persona lands one click from their workspace, and is never shown a customer's
empty page instead ("You have no vehicles yet")."""

from pathlib import Path

import pytest
import yaml

from dcx.extensions import db
from dcx.platform.showcase.loader import seed_showcase

SHOWCASE = Path(__file__).parents[3] / "seeds" / "default" / "showcase.yaml"
STAFF = [p for p in yaml.safe_load(SHOWCASE.read_text())["personas"] if p["role"] == "staff"]
CUSTOMER_EMPTY_STATES = (
    "You have no vehicles yet",
    "You do not hold an account with us yet",
    "You are not enrolled in any course yet",
    "Log your first reading",
    "Set a goal for the year",
)


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=())  # personas only: fast
    db.session.commit()


@pytest.mark.parametrize("persona", STAFF, ids=[p["key"] for p in STAFF])
def test_a_staff_persona_lands_one_click_from_their_workspace(app, client, seeded, persona):
    vertical = app.extensions["dcx_verticals"].get(persona["department"])
    with app.test_request_context():
        from flask import url_for

        workspace = url_for(vertical.staff_endpoint)
    client.post(
        "/account/signin", data={"email": persona["email"], "password": persona["password"]}
    )

    home = client.get("/").get_data(as_text=True)
    assert 'id="staff-workspace"' in home and f'href="{workspace}"' in home
    assert 'id="nav-workspace"' in home  # and in the menu of every page

    landing = client.get(f"/{vertical.key}/").get_data(as_text=True)
    assert f'href="{workspace}"' in landing
    for empty in CUSTOMER_EMPTY_STATES:
        assert empty not in landing, empty

    assert client.get(workspace).status_code == 200


def test_a_customer_has_no_workspace_link(app, client, seeded):
    client.post(
        "/account/signin", data={"email": "alex@dcx.example", "password": "showcase-alex-2026"}
    )
    assert 'id="nav-workspace"' not in client.get("/").get_data(as_text=True)
    assert "You have no vehicles yet" in client.get("/automotive/").get_data(as_text=True)
