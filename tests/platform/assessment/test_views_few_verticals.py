"""With only some verticals loaded, recommendations link only to the stories that exist."""

import re

import pytest
from flask import url_for

from dcx.platform.assessment.questions import all_questions


@pytest.fixture
def app_config():
    """Load banking alone: strategy maps to banking and automotive, design to banking and
    government, culture to education and retail."""
    return {"DCX_VERTICALS": ("dcx.banking",)}


def test_recommendations_skip_stories_that_are_not_loaded(app, client):
    with app.test_request_context():
        assert url_for("assessment.index") == "/assessment/"
    data = {q.id: "1" for q in all_questions()}
    response = client.post("/assessment/questionnaire", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    recs = page[page.index('id="assessment-recommendations"') :]
    assert set(re.findall(r'data-story="(\w+)"', recs)) == {"banking"}
    assert 'href="/banking/"' in recs
    assert "/automotive/" not in recs and "/retail/" not in recs
    # culture's stories (education, retail) are not loaded: the page says so
    culture = recs[recs.index('data-recommendation="culture"') :]
    culture = culture[: culture.index("</div>")]
    assert "No demo story for this discipline is installed" in culture
