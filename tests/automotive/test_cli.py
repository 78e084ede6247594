"""`flask dcx automotive simulate`: a simulated car drives and its readings are stored."""

from sqlalchemy import func, select

from dcx.automotive.cli import automotive_group
from dcx.automotive.models import AutomotiveReading, AutomotiveTroubleCode
from dcx.extensions import db
from tests.automotive.conftest import VIN_GOLF, make_vehicle
from tests.conftest import make_user


def test_simulate_drives_the_car_and_reports_the_fault(app, runner):
    make_vehicle(make_user())
    result = runner.invoke(
        automotive_group,
        [
            "simulate",
            "--vin",
            VIN_GOLF.lower(),
            "--readings",
            "6",
            "--fault",
            "p0171",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "6 readings stored, reported P0171" in result.output
    assert db.session.execute(select(func.count()).select_from(AutomotiveReading)).scalar_one() == 6
    assert db.session.execute(select(AutomotiveTroubleCode.code)).scalars().all() == ["P0171"]


def test_simulate_refuses_unknown_cars_and_bad_codes(app, runner):
    make_vehicle(make_user())
    assert "no vehicle" in runner.invoke(automotive_group, ["simulate", "--vin", "X" * 17]).output
    bad = runner.invoke(automotive_group, ["simulate", "--vin", VIN_GOLF, "--fault", "Z9999"])
    assert bad.exit_code != 0 and "not a J2012" in bad.output
