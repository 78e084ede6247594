"""The `flask dcx ...` commands: seed, reset, create-user, demo and the platform's tools."""

from __future__ import annotations

import os
import socket
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from dcx.extensions import db, real_app
from dcx.platform.sandboxes.commands import sandboxes_group

dcx_group = AppGroup("dcx", help="Run, seed and present the DCX Showcase.")

language_option = click.option(
    "--language",
    type=click.Choice(["en", "es", "ro"]),
    default=None,
    help="Seed the showcase's texts in this language (default: the file's, else English).",
)


def upgrade_database() -> None:
    """Bring the database to the newest schema (every branch head)."""
    upgrade(revision="heads")


def _check_showcase(showcase: str, language: str | None = None) -> None:
    """Read the showcase files before touching the database; one clear line if malformed."""
    from dcx.platform.showcase.loader import ShowcaseError, read_showcase

    try:
        read_showcase(showcase, language=language)
    except ShowcaseError as exc:
        raise click.ClickException(str(exc)) from exc


def _seed(showcase: str, language: str | None = None, only: tuple[str, ...] | None = None) -> None:
    from dcx.platform.showcase.loader import ShowcaseError, seed_showcase
    from dcx.verticals import registry

    try:
        seed_showcase(registry(), showcase, language=language, only=only)
    except (ShowcaseError, KeyError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()


@dcx_group.command("seed")
@click.option("--showcase", default="default", show_default=True, help="Folder in seeds/ to load.")
@click.option(
    "--scale",
    default=0,
    type=click.IntRange(0, 1_000_000),
    help="Also add N synthetic customers, each given a history by every vertical.",
)
@click.option("--seed", "seed_value", default=2026, show_default=True, help="Same seed, same rows.")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="VERTICAL",
    help="Seed only this vertical (and the personas); repeat for several.",
)
@language_option
def seed_command(
    showcase: str, scale: int, seed_value: int, only: tuple[str, ...], language: str | None
) -> None:
    """Create the schema if needed and load a showcase (seeding twice changes nothing).
    New sandboxes copy what was seeded last, partial seeds too."""
    from dcx.verticals import registry

    unknown = sorted(set(only) - {v.key for v in registry()})
    if unknown:
        raise click.BadParameter(f"no vertical {', '.join(unknown)}", param_hint="--only")
    _check_showcase(showcase, language)
    upgrade_database()
    from dcx.platform.showcase.loader import loaded_language

    _seed(showcase, language or loaded_language(), only=only or None)
    suffix = f" (only {', '.join(only)})" if only else ""
    click.echo(f"Seeded showcase {showcase!r}{suffix}.")
    if scale:
        from dcx.platform.showcase.loader import scale_showcase
        from dcx.verticals import registry

        with click.progressbar(length=scale, label="Synthetic customers") as bar:
            created = scale_showcase(registry(), showcase, scale, seed_value, progress=bar.update)
        click.echo(f"Added {created} synthetic customers ({scale - created} were there already).")


@dcx_group.command("reset")
@click.option("--showcase", default="default", show_default=True, help="Folder in seeds/ to load.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@language_option
def reset_command(showcase: str, yes: bool, language: str | None) -> None:
    """Delete every row and seed the showcase again, for the next meeting."""
    from dcx.platform.showcase.loader import ShowcaseError, wipe

    if not yes:
        click.confirm("This deletes every row in the database. Go on?", abort=True)
    _check_showcase(showcase, language)
    upgrade_database()
    from dcx.platform.showcase.loader import loaded_language

    language = language or loaded_language()  # a reset keeps the language unless told
    try:
        wipe()
    except ShowcaseError as exc:
        raise click.ClickException(str(exc)) from exc
    _seed(showcase, language)
    click.echo(f"Reset to showcase {showcase!r}.")


@dcx_group.command("showcase-texts")
@click.argument("showcase", default="default")
def showcase_texts_command(showcase: str) -> None:
    """Collect a showcase's ``!t`` texts into translations/showcase.pot and merge them into
    each language's .po file, for translators; prints what is still untranslated."""
    from dcx.platform.showcase.loader import ShowcaseError, read_showcase, showcase_folder
    from dcx.platform.showcase.texts import update_catalogues

    try:
        read_showcase(showcase)
    except ShowcaseError as exc:
        raise click.ClickException(str(exc)) from exc
    others = [code for code in current_app.config["LANGUAGES"] if code != "en"]
    missing = update_catalogues(showcase_folder(showcase), others)
    for code, count in missing.items():
        click.echo(f"{showcase}/translations/{code}.po: {count} texts to translate")


@dcx_group.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["customer", "staff", "admin"]), default="customer")
@click.option("--department", default="", help="For staff: the vertical they serve.")
@click.password_option()
def create_user_command(email: str, name: str, role: str, department: str, password: str) -> None:
    """Create an account (the password is asked for twice, never echoed)."""
    from dcx.platform.accounts.services import AccountError, create_user

    try:
        create_user(email, name, password, role=role, department=department)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@dcx_group.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Showcase operator", show_default=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create the admin who operates a showcase's main database (clock, reset, the presenters'
    sandboxes): an account no seed publishes, unlike the personas, who exist for visitors
    only inside sandboxes."""
    from dcx.platform.accounts.services import AccountError, create_user

    try:
        create_user(email, name, password, role="admin")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created admin {email}.")


def lan_address() -> str:
    """This machine's address on the local network: the one its default route leaves by.

    A UDP "connect" sends nothing; it only makes the system choose the outgoing address.
    Without a network the answer is 127.0.0.1.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


@dcx_group.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--showcase", default="default", show_default=True)
@click.option(
    "--lan",
    is_flag=True,
    help="Serve on this machine's LAN address and make it the base URL, so a phone in the "
    "room opens the QR codes and the links.",
)
@language_option
def demo_command(host: str, port: int, showcase: str, language: str | None, lan: bool) -> None:
    """Seed the showcase and serve it on this laptop, with the scheduler beside the web server.

    It keeps the language the database was seeded in; ``--language`` in another one resets it.
    """
    if lan:
        host = lan_address()
        real_app().config["DCX_BASE_URL"] = f"http://{host}:{port}"
    _check_showcase(showcase, language)
    if "DCX_SHOWCASE_MODE" not in os.environ:  # the laptop demo is a showcase unless told not
        current_app.config["DCX_SHOWCASE_MODE"] = True
    upgrade_database()
    from dcx.platform.showcase.loader import loaded_language, wipe

    loaded = loaded_language()
    if language is not None and loaded not in (None, language):
        wipe()
    _seed(showcase, language or loaded)
    starter = current_app.extensions.get("dcx_demo_starters", [])
    for start in starter:
        start(real_app())
    click.echo(f"DCX Showcase is running at http://{host}:{port}/  (Ctrl+C to stop)")
    sys.stdout.flush()
    run_simple(host, port, real_app(), threaded=True, use_reloader=False)


@dcx_group.command("scheduler")
@click.option("--tick", default=20, show_default=True, type=int, help="Seconds between ticks.")
def scheduler_command(tick: int) -> None:
    """Run the job runner in the foreground: its own process, never inside a web worker."""
    from dcx.platform.jobs.scheduler import run_forever

    click.echo(f"Scheduler ticking every {tick}s; due jobs run once each (Ctrl+C to stop).")
    run_forever(real_app(), tick)


clock_group = AppGroup("clock", help="Read and move the showcase's demo clock.")
dcx_group.add_command(clock_group)


@clock_group.command("show")
def clock_show() -> None:
    """Print the showcase's time and its offset from real time."""
    from dcx.platform import clock

    click.echo(f"{clock.now().isoformat()} (offset {clock.offset()})")


@clock_group.command("advance")
@click.argument("duration")
def clock_advance(duration: str) -> None:
    """Move the clock forward by DURATION (30d, 12h, 2w, 90m): the world lives through it,
    then the jobs now due run."""
    from dcx.platform import clock, simulation
    from dcx.platform.jobs.runner import run_due_jobs

    try:
        delta = clock.parse_duration(duration)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    before = clock.now()
    simulation.advance(before, clock.advance(delta))
    db.session.commit()
    runs = run_due_jobs()
    click.echo(f"Clock now {clock.now().isoformat()}; {len(runs)} job run(s).")
    for run in runs:
        click.echo(f"  {run.job_id}: {run.status} ({run.count})")


@clock_group.command("reset")
def clock_reset() -> None:
    """Put the clock back to real time."""
    from dcx.platform import clock

    clock.reset()
    db.session.commit()
    click.echo(f"Clock reset to {clock.now().isoformat()}.")


jobs_group = AppGroup("jobs", help="List and run scheduled jobs.")
dcx_group.add_command(jobs_group)

dcx_group.add_command(sandboxes_group)


@jobs_group.command("list")
def jobs_list() -> None:
    """Print every job with its trigger and next due time."""
    from dcx.platform import clock
    from dcx.platform.jobs.runner import all_jobs, next_due

    now = clock.now()
    for spec in all_jobs():
        click.echo(f"{spec.id:40} {dict(spec.trigger)!s:32} next {next_due(spec, now)}")


@jobs_group.command("run")
@click.argument("job_id", required=False)
def jobs_run(job_id: str | None) -> None:
    """Run JOB_ID now, or without an id every job that is due."""
    from dcx.platform.jobs.runner import run_due_jobs, run_now

    if job_id:
        run = run_now(job_id)
        if run is None:
            raise click.ClickException(f"no job {job_id!r}")
        runs = [run]
    else:
        runs = run_due_jobs()
    for run in runs:
        click.echo(
            f"{run.job_id}: {run.status} ({run.count}){' ' + run.error[-200:] if run.error else ''}"
        )


@dcx_group.command("new-vertical")
@click.argument("key")
@click.option("--title", default="", help="The industry's name as people read it.")
@click.option(
    "--register", is_flag=True, help="Also add dcx.KEY to DEFAULT_VERTICALS in dcx/config.py."
)
def new_vertical_command(key: str, title: str, register: bool) -> None:
    """Write a working vertical KEY: package, migration, seed file and tests."""
    from pathlib import Path

    from dcx.platform.scaffold import writer

    root = Path(current_app.root_path).parent
    try:
        written = writer.write(writer.plan(key, title, root))
        if not writer.tidy(written, root):
            click.echo("ruff is not installed: run `make format` before committing.")
        if register:
            writer.register(key, root)
    except writer.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in written:
        click.echo(f"  wrote {path.relative_to(root)}")
    if register:
        click.echo(f"Added dcx.{key} to DEFAULT_VERTICALS in dcx/config.py.")
    else:
        click.echo(f'Now add one line to DEFAULT_VERTICALS in dcx/config.py:  "dcx.{key}",')
        click.echo(f"  (or set DCX_VERTICALS=...,dcx.{key} in the environment)")
    click.echo("Then `make translations` and translate its strings in dcx/translations/{es,ro}.")
