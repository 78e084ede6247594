"""The assessment's pages through the test client: complete, fix missing answers, own runs."""

import re

import pytest

from dcx.extensions import db
from dcx.platform.accounts.services import find_user
from dcx.platform.assessment import services
from dcx.platform.assessment.models import AssessmentRun
from dcx.platform.assessment.questions import DISCIPLINES, all_questions
from dcx.platform.drafts import services as drafts
from tests.conftest import AuthActions, make_user


def _answers(value: int = 3, **overrides) -> dict[str, str]:
    data = {q.id: str(value) for q in all_questions()}
    for discipline_key, v in overrides.items():
        for q in next(d for d in DISCIPLINES if d.key == discipline_key).questions:
            data[q.id] = str(v)
    return data


def _submit(client, data):
    return client.post("/assessment/questionnaire", data=data)


def _run_id(response) -> int:
    match = re.search(r"/assessment/runs/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def test_start_page_explains_and_links_to_the_questionnaire(client):
    page = client.get("/assessment/").get_data(as_text=True)
    assert 'id="assessment-start"' in page
    assert 'href="/assessment/questionnaire"' in page
    for d in DISCIPLINES:
        assert str(d.title) in page


def test_questionnaire_has_a_fieldset_with_legend_per_question_and_the_draft_form(client):
    page = client.get("/assessment/questionnaire").get_data(as_text=True)
    assert page.count("<fieldset") == len(all_questions())
    assert page.count("<legend") == len(all_questions())
    assert 'data-draft="assessment.questionnaire"' in page
    assert page.count('type="radio"') == 5 * len(all_questions())
    assert "Undeveloped" in page and "Systematic" in page
    assert f"<span data-answered>0</span> / <span data-total>{len(all_questions())}</span>" in page


def test_signed_in_customer_completes_and_sees_radar_and_recommendations(client, customer):
    drafts.save(customer.id, "assessment.questionnaire", {"strategy_vision": "2"})
    db.session.commit()
    response = _submit(client, _answers(4, measurement=1, culture=2))
    assert response.status_code == 302
    run = db.session.get(AssessmentRun, _run_id(response))
    assert run.user_id == customer.id
    assert run.scores["measurement"] == 0 and run.scores["culture"] == 25
    assert run.scores["strategy"] == 75
    assert run.answers["culture_learning"] == 2
    assert drafts.load(customer.id, "assessment.questionnaire") is None  # discarded

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    result = page[page.index('id="assessment-result"') :]
    assert "<svg" in result
    assert "series serie-0" in result and "series serie-1" not in result  # one run, one shape
    assert 'data-stage="managed"' not in page  # overall is (75*4 + 0 + 25) / 6 = 54: defined
    assert 'data-stage="defined"' in page
    recs = page[page.index('id="assessment-recommendations"') :]
    # weakest first: measurement (automotive, health), then culture (education, retail)
    assert recs.index('data-recommendation="measurement"') < recs.index(
        'data-recommendation="culture"'
    )
    assert 'data-recommendation="strategy"' not in recs
    for key in ("automotive", "health", "education", "retail"):
        assert f'href="/{key}/" data-story="{key}"' in recs
    assert 'href="/showcase/tours/health"' in recs


def test_missing_answers_answer_400_and_keep_what_was_chosen(client, customer):
    data = _answers(4)
    del data["design_testing"]
    data["governance_data"] = "7"  # outside the scale
    response = _submit(client, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="assessment-errors"' in page
    assert 'href="#q-design_testing"' in page and 'href="#q-governance_data"' in page
    assert re.search(r'name="strategy_vision" id="[^"]+" value="4" checked', page)
    assert not re.search(r'name="design_testing" [^>]*checked', page)
    assert f"<span data-answered>{len(all_questions()) - 2}</span>" in page
    assert db.session.query(AssessmentRun).count() == 0


def test_empty_submission_is_400_not_500(client):
    response = _submit(client, {})
    assert response.status_code == 400
    assert db.session.query(AssessmentRun).count() == 0


def test_questionnaire_reopens_a_draft_from_another_device(client, customer):
    drafts.save(customer.id, "assessment.questionnaire", {"design_testing": "5", "culture_x": "9"})
    db.session.commit()
    page = client.get("/assessment/questionnaire").get_data(as_text=True)
    assert re.search(r'name="design_testing" id="[^"]+" value="5" checked', page)
    assert "<span data-answered>1</span>" in page


def test_another_customers_run_is_404_on_every_route(app, client, customer):
    other = make_user(email="other@example.com", name="Other")
    theirs = services.create_run(other.id, {q.id: 2 for q in all_questions()})
    mine = services.create_run(customer.id, {q.id: 3 for q in all_questions()})
    db.session.commit()
    assert client.get(f"/assessment/runs/{theirs.id}").status_code == 404
    assert client.get(f"/assessment/runs/{theirs.id}/download").status_code == 404
    assert client.get(f"/assessment/runs/{mine.id}?compare={theirs.id}").status_code == 404
    assert client.get(f"/assessment/runs/{mine.id}?compare=abc").status_code == 404
    assert client.get(f"/assessment/runs/{mine.id}").status_code == 200
    page = client.get("/assessment/").get_data(as_text=True)
    assert f"/assessment/runs/{mine.id}" in page and f"/assessment/runs/{theirs.id}" not in page


def test_anonymous_visitor_sees_own_result_but_no_one_elses(app, client):
    response = _submit(client, _answers(2))
    assert response.status_code == 302
    run_id = _run_id(response)
    run = db.session.get(AssessmentRun, run_id)
    assert run.user_id is None
    page = client.get(f"/assessment/runs/{run_id}").get_data(as_text=True)
    assert 'id="assessment-overall">25' in page

    stranger = app.test_client()
    assert stranger.get(f"/assessment/runs/{run_id}").status_code == 404
    # a signed-in customer cannot open an anonymous run either
    make_user(email="c2@example.com")
    signed_in = app.test_client()
    AuthActions(signed_in).login("c2@example.com")
    assert signed_in.get(f"/assessment/runs/{run_id}").status_code == 404
    # nor can an anonymous visitor open a customer's run
    owner = make_user(email="owner@example.com")
    owned = services.create_run(owner.id, {q.id: 5 for q in all_questions()})
    db.session.commit()
    assert client.get(f"/assessment/runs/{owned.id}").status_code == 404


def test_compare_shows_change_per_discipline_and_two_series(client, customer):
    first = _run_id(_submit(client, _answers(2)))
    second = _run_id(_submit(client, _answers(2, strategy=4, design=1)))
    page = client.get(f"/assessment/runs/{second}").get_data(as_text=True)
    assert 'id="assessment-compare"' in page
    assert f'<option value="{first}"' in page

    page = client.get(f"/assessment/runs/{second}?compare={first}").get_data(as_text=True)
    assert re.search(r'data-change="strategy">\+50<', page)
    assert re.search(r'data-change="design">\u221225<', page)
    assert re.search(r'data-change="culture">±0<', page)
    # overall: 25 before; (75 + 25*4 + 0) / 6 = 29.2 -> 29 now
    assert re.search(r'data-change="overall">\+4<', page)
    chart = page[page.index('id="assessment-result"') :]
    assert "series serie-0" in chart and "series serie-1" in chart  # both runs drawn
    assert "compared with" in page


def test_download_is_the_same_result_as_a_standalone_html_attachment(client, customer):
    run_id = _run_id(_submit(client, _answers(1)))
    response = client.get(f"/assessment/runs/{run_id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].endswith('.html"')
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert "<svg" in html and 'id="assessment-recommendations"' in html
    assert 'href="http://localhost/banking/"' in html  # links work outside the app
    assert "navbar" not in html and "<script" not in html
    # The file carries its own styles: one of the chart's two drawings shows, not both.
    assert ".dcx-chart-narrow { display: none; }" in html and "@container" in html


def test_result_page_has_print_styles_hiding_the_navigation(client, customer):
    run_id = _run_id(_submit(client, _answers(3)))
    page = client.get(f"/assessment/runs/{run_id}").get_data(as_text=True)
    assert "@media print" in page
    assert re.search(r"@media print \{\s*header, footer, \.navbar", page)
    assert 'id="assessment-download"' in page


@pytest.mark.parametrize("path", ["/assessment/runs/999", "/assessment/runs/999/download"])
def test_unknown_run_is_404(client, path):
    assert client.get(path).status_code == 404


def test_a_run_taken_before_signing_in_follows_the_visitor_into_the_account(app, client):
    run_id = _run_id(_submit(client, _answers(3)))
    make_user(email="later@example.com")
    stranger = app.test_client()  # another browser, signing in too: it holds no key
    AuthActions(stranger).login("later@example.com")
    assert db.session.get(AssessmentRun, run_id).user_id is None
    AuthActions(client).login("later@example.com")
    db.session.expire_all()
    run = db.session.get(AssessmentRun, run_id)
    assert run.user_id == find_user("later@example.com").id
    page = client.get("/assessment/").get_data(as_text=True)
    assert f"/assessment/runs/{run_id}" in page
    assert stranger.get(f"/assessment/runs/{run_id}").status_code == 200  # the account's now
