"""What ``make bench`` serves with gunicorn: the application itself, plus one route of its own
that inserts the rows of a telemetry batch with nothing else around them (no validation, no
counting, no trouble codes), so the API's batch ingest is timed beside a bare insert of the
same rows through the same server. Never part of the application.
"""

from __future__ import annotations

from datetime import datetime

from flask import request

from dcx import create_app
from dcx.automotive.models import AutomotiveReading
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import csrf, db

app = create_app()


@app.post("/bench/insert/<int:vehicle_id>")
@csrf.exempt
def bare_insert(vehicle_id: int):
    """Insert the posted readings as they are: the floor an ingest endpoint can reach."""
    rows = [
        {
            "vehicle_id": vehicle_id,
            "recorded_at": datetime.fromisoformat(item["recorded_at"]),
            "odometer_km": int(item["odometer_km"]),
            "battery_v": item.get("battery_v"),
        }
        for item in request.get_json()["readings"]
    ]
    db.session.execute(insert_ignoring_duplicates(AutomotiveReading), rows)
    db.session.commit()
    return {"inserted": len(rows)}, 201
