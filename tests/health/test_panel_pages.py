"""The clinician's panel a page at a time: searchable, each page's rows computed for that page
only, and a cost that does not grow with the number of patients."""

from __future__ import annotations

import pytest

from dcx.extensions import db
from tests.health.test_panel_queries import add_patients, comparable, panel_per_patient
from tests.page_cost import page_cost


@pytest.fixture
def app_config():
    """Four patients a page, so a handful of patients fill several pages."""
    return {"DCX_STAFF_PAGE_SIZE": 4}


def _listed(body: str) -> int:
    return body.count("data-patient=")


def test_the_panel_is_paginated_and_each_page_is_the_per_patient_panel(
    app, clinician, clinician_client
):
    from dcx.health import panel
    from dcx.platform.staff_lists import ListRequest

    add_patients(clinician.id, 0, 10)
    everyone = {r.patient.id: r for r in panel_per_patient(clinician.id)}
    seen: list[int] = []
    for number in (1, 2, 3):
        with app.test_request_context():
            page, rows = panel.panel_page(clinician.id, ListRequest(page=number))
        assert page.total == 10 and len(rows) == (4 if number < 3 else 2)
        # the page's rows are what the per-patient panel gives those patients, most in need first
        assert comparable(rows) == comparable(
            sorted((everyone[r.patient.id] for r in rows), key=lambda r: (-r.need, r.patient.name))
        )
        seen += [r.patient.id for r in rows]
    assert sorted(seen) == sorted(everyone)
    body = clinician_client.get("/health/staff?page=3").get_data(as_text=True)
    assert _listed(body) == 2 and 'rel="prev"' in body


def test_the_panel_finds_a_patient_by_name_or_email(app, clinician, clinician_client):
    add_patients(clinician.id, 0, 10)
    body = clinician_client.get("/health/staff?q=patient7%40").get_data(as_text=True)
    assert _listed(body) == 1 and "Patient 007" in body
    body = clinician_client.get("/health/staff?q=Patient 00").get_data(as_text=True)
    assert _listed(body) == 4 and "4 of 10" in body
    body = clinician_client.get("/health/staff?q=nobody%25").get_data(as_text=True)
    assert _listed(body) == 0 and 'name="q"' in body


@pytest.mark.parametrize("page", ["0", "-3", "x", "999"])
def test_a_bad_or_far_page_is_a_page_not_an_error(app, clinician, clinician_client, page):
    add_patients(clinician.id, 0, 5)
    assert clinician_client.get(f"/health/staff?page={page}").status_code == 200


def test_the_panel_page_costs_the_same_for_6_and_30_patients(app, clinician, clinician_client):
    costs, clinician_id = [], clinician.id
    for first, last in ((0, 6), (6, 30)):
        add_patients(clinician_id, first, last)
        db.session.expunge_all()
        clinician_client.get("/health/staff")  # once-per-context look-ups
        with page_cost(db.engine) as cost:
            body = clinician_client.get("/health/staff").get_data(as_text=True)
        assert _listed(body) == 4
        costs.append((cost.statements, cost.rows))
    assert costs[0] == costs[1], costs
