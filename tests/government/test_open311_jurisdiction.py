"""Open311's jurisdiction_id: every endpoint takes it; this city's answers, another is a 404 in
the standard's error format (JSON and XML); discovery names it."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import open311, repairs
from dcx.government.models import GovernmentRepair
from tests.government.test_open311 import KEY, _file

BASE = "/open311/v2"


@pytest.fixture
def app_config():
    return {"OPEN311_API_KEYS": KEY, "DCX_BASE_URL": "https://city.example:8443/dcx"}


def test_the_jurisdiction_is_the_configured_one_else_the_base_urls_host(app):
    with app.test_request_context():
        assert open311.jurisdiction_id() == "city.example"
        open311.check_jurisdiction(None)
        open311.check_jurisdiction("")
        open311.check_jurisdiction("City.Example")
        with pytest.raises(open311.Open311Error) as refused:
            open311.check_jurisdiction("other-town.example")
        assert refused.value.status == 404
        app.config["OPEN311_JURISDICTION_ID"] = "bucharest.example"
        assert open311.jurisdiction_id() == "bucharest.example"


def test_every_endpoint_answers_for_the_city_and_404s_for_another(city, client):
    repair = repairs.new_reported_repair(
        category="pothole", location="Main Street", description="A pothole", x=100.0, y=100.0
    )
    db.session.commit()
    discovery = client.get(f"{BASE}/discovery.json").get_json()
    assert discovery["jurisdiction_id"] == "city.example"
    paths = [
        "discovery",
        "services",
        "services/pothole",
        "requests",
        f"requests/{repair.id}",
    ]
    for path in paths:
        for fmt in ("json", "xml"):
            url = f"{BASE}/{path}.{fmt}"
            assert client.get(
                url, query_string={"jurisdiction_id": "city.example"}
            ).status_code == (200), url
            other = client.get(url, query_string={"jurisdiction_id": "elsewhere.example"})
            assert other.status_code == 404, url
            if fmt == "json":
                assert other.get_json() == [
                    {"code": 404, "description": "jurisdiction_id not found"}
                ]
            else:
                # our own answer, parsed as a client would: not untrusted input
                root = ElementTree.fromstring(other.data)  # noqa: S314  # nosec B314
                assert root.tag == "errors"
                assert root.findtext("error/description") == "jurisdiction_id not found"


def test_a_post_for_another_jurisdiction_files_nothing(city, client):
    refused, _street = _file(client, jurisdiction_id="elsewhere.example")
    assert refused.status_code == 404
    assert refused.get_json()[0]["description"] == "jurisdiction_id not found"
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 0
    filed, _street = _file(client, jurisdiction_id="city.example")
    assert filed.status_code == 201, filed.get_json()
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 1
