"""A recall from notice to repair, as the owner and the service advisor read it."""

from __future__ import annotations

from flask_babel import format_date
from sqlalchemy import select

from dcx.automotive import appointments, recalls, rules
from dcx.automotive.models import AutomotiveAppointment, AutomotiveRecall
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import VIN_RAV4, make_vehicle


def _rav4_under_recall(owner):
    car = make_vehicle(owner, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
    recalls.publish_recall(
        campaign_number="R-42",
        make="Toyota",
        model="RAV4",
        year_from=2021,
        year_to=2023,
        component="Rear seat belt buckle",
        summary="The buckle may not latch.",
        consequence="An unlatched belt does not restrain.",
        remedy="The dealer replaces the buckle.",
    )
    db.session.commit()
    return car, db.session.execute(select(AutomotiveRecall)).scalar_one()


def _book_and_repair(client, staff_client, car, recall):
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    r = client.post(
        f"/automotive/vehicles/{car.id}/book?recall={recall.id}",
        data={"dealer": rules.DEALERS[0], "slot": slot.isoformat(), "reason": "Recall R-42"},
    )
    assert r.status_code == 302
    advisor, _ = staff_client("automotive")
    visit = db.session.execute(select(AutomotiveAppointment)).scalar_one()
    assert advisor.post(f"/automotive/staff/appointments/{visit.id}/done").status_code == 302
    return advisor


def test_a_remedied_recall_stays_listed_as_fixed_with_its_date(client, customer, staff_client):
    car, recall = _rav4_under_recall(customer)
    _book_and_repair(client, staff_client, car, recall)

    page = client.get("/automotive/recalls").get_data(as_text=True)
    assert 'data-recall="R-42"' in page  # still listed, not gone
    card = page.split('data-recall="R-42"')[1].split("</section>")[0]
    assert 'data-coverage="remedied"' in card and "Remedied" in card
    assert f"Repaired on {format_date(clock.today())}" in card  # with the date it was fixed
    assert "Book the free repair" not in card
    car_page = client.get(f"/automotive/vehicles/{car.id}").get_data(as_text=True)
    assert 'data-recall="R-42" data-coverage="remedied"' in car_page  # the car's page too
    assert f"Repaired on {format_date(clock.today())}" in car_page


def test_the_coverage_table_counts_each_car_at_its_step_and_says_so(client, customer, staff_client):
    car, recall = _rav4_under_recall(customer)
    advisor, _ = staff_client("automotive")

    def row() -> dict[str, str]:
        body = advisor.get("/automotive/staff").get_data(as_text=True)
        table = body.split('id="automotive-coverage"')[1].split("</table>")[0]
        heads = [h.split(">")[-1] for h in table.split("</th>")[:-1]]
        cells = table.split('data-campaign="R-42"')[1].split("</tr>")[0].split("</td>")[:-1]
        return dict(zip(heads, [c.split(">")[-1].strip() for c in cells], strict=True))

    told = row()
    assert told["Cars notified"] == "1" and told["Waiting to book"] == "1"
    assert told["Booked"] == "0" and told["Remedied"] == "0"

    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    client.post(
        f"/automotive/vehicles/{car.id}/book?recall={recall.id}",
        data={"dealer": rules.DEALERS[0], "slot": slot.isoformat(), "reason": "Recall R-42"},
    )
    booked = row()
    # The owner was told and booked: told stays 1, nobody waits, one booked.
    assert booked["Cars notified"] == "1" and booked["Waiting to book"] == "0"
    assert booked["Booked"] == "1" and booked["Remedied"] == "0"

    visit = db.session.execute(select(AutomotiveAppointment)).scalar_one()
    advisor.post(f"/automotive/staff/appointments/{visit.id}/done")
    fixed = row()
    assert fixed["Cars notified"] == "1" and fixed["Waiting to book"] == "0"
    assert fixed["Booked"] == "0" and fixed["Remedied"] == "1"
