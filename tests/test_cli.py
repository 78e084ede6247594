"""The `flask dcx` commands, run through Click's runner."""

from dcx.platform.accounts.models import User


def test_seed_creates_personas_and_twice_changes_nothing(runner, app):
    result = runner.invoke(args=["dcx", "seed"])
    assert result.exit_code == 0, result.output
    count = User.query.count()
    assert count >= 4
    assert User.query.filter_by(email="admin@dcx.example").one().role == "admin"
    result = runner.invoke(args=["dcx", "seed"])
    assert result.exit_code == 0, result.output
    assert User.query.count() == count


def test_reset_wipes_and_reseeds(runner, app):
    runner.invoke(args=["dcx", "seed"])
    runner.invoke(
        args=["dcx", "create-user", "--email", "extra@example.com", "--name", "Extra"],
        input="long enough pw\nlong enough pw\n",
    )
    assert User.query.filter_by(email="extra@example.com").count() == 1
    result = runner.invoke(args=["dcx", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert User.query.filter_by(email="extra@example.com").count() == 0
    assert User.query.filter_by(email="alex@dcx.example").count() == 1


def test_create_user_refuses_a_short_password(runner, app):
    result = runner.invoke(
        args=["dcx", "create-user", "--email", "x@example.com", "--name", "X"],
        input="short\nshort\n",
    )
    assert result.exit_code != 0
    assert "12 characters" in result.output


def test_every_command_explains_itself(runner):
    result = runner.invoke(args=["dcx", "--help"])
    for name in ("seed", "reset", "create-user", "demo"):
        assert name in result.output


def test_vertical_commands_are_mounted_under_dcx(runner):
    result = runner.invoke(args=["dcx", "automotive", "--help"])
    assert result.exit_code == 0 and "simulate" in result.output


def test_demo_on_the_lan_serves_there_and_links_there(runner, app, monkeypatch):
    from dcx import cli

    served = {}
    monkeypatch.setattr(cli, "lan_address", lambda: "192.168.1.23")
    monkeypatch.setattr(cli, "run_simple", lambda host, port, *a, **k: served.update(host=host))
    monkeypatch.setitem(app.extensions, "dcx_demo_starters", [])  # no scheduler thread
    result = runner.invoke(args=["dcx", "demo", "--lan", "--port", "5055"])
    assert result.exit_code == 0, result.output
    assert served == {"host": "192.168.1.23"}
    assert app.config["DCX_BASE_URL"] == "http://192.168.1.23:5055"
    assert "http://192.168.1.23:5055/" in result.output


def test_the_lan_address_is_an_ipv4_address():
    import ipaddress

    from dcx.cli import lan_address

    assert ipaddress.ip_address(lan_address()).version == 4


def test_reset_refuses_a_database_that_holds_no_showcase(runner, app):
    from dcx.extensions import db
    from tests.conftest import make_user

    make_user(email="real.customer@example.com")
    db.session.commit()
    result = runner.invoke(args=["dcx", "reset", "--yes"])
    assert result.exit_code != 0
    assert "no showcase" in result.output
    db.session.expire_all()
    assert User.query.filter_by(email="real.customer@example.com").count() == 1
