"""`flask dcx sandboxes ...`: list the sandboxes, expire one, sweep the idle ones, purge all.

For the person running a showcase: what each copy is (its id, language, when made and last
used, which stories it visited, what it takes on disk or on the database server), and how to
remove them without waiting for the sweep job. Nothing printed identifies a visitor.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from dcx.platform.sandboxes import services, store
from dcx.platform.sandboxes.models import Sandbox, SandboxVisit

sandboxes_group = AppGroup("sandboxes", help="List, expire, sweep and purge visitors' sandboxes.")

#: the exit code for an id the register does not know (as click does for a bad argument)
UNKNOWN_ID = 2


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def human_size(count: int) -> str:
    """Bytes as a person reads them: 812 B, 96.0 KB, 3.4 MB."""
    amount = float(count)
    for unit in ("B", "KB", "MB"):
        if amount < 1024:
            return f"{int(amount)} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"


@sandboxes_group.command("list")
def list_command() -> None:
    """Print every sandbox in the register, newest use first: id, language, created, last
    used, live or idle, stories visited, size on disk or on the database server."""
    with services.register() as reg:
        rows = reg.execute(select(Sandbox).order_by(Sandbox.last_seen_at.desc())).scalars().all()
        stories: dict[str, list[str]] = {}
        for sandbox_id, vertical in reg.execute(
            select(SandboxVisit.sandbox_id, SandboxVisit.vertical).order_by(SandboxVisit.id)
        ):
            seen = stories.setdefault(sandbox_id, [])
            if vertical not in seen:
                seen.append(vertical)
    if not rows:
        click.echo("No sandboxes.")
        return
    live_since = services.live_since()
    for row in rows:
        state = "live" if row.last_seen_at >= live_since else "idle"
        visited = ", ".join(stories.get(row.id, [])) or "-"
        click.echo(
            f"{row.id}  {row.language}  {state}  created {_when(row.created_at)}  "
            f"last used {_when(row.last_seen_at)}  size {human_size(store.size(row.id))}  "
            f"stories {visited}"
        )
    click.echo(f"{len(rows)} sandbox(es), {services.live_count()} live.")


@sandboxes_group.command("expire")
@click.argument("sandbox_id")
@click.pass_context
def expire_command(ctx: click.Context, sandbox_id: str) -> None:
    """Delete the sandbox SANDBOX_ID now, with its database and files."""
    with services.register() as reg:
        known = reg.get(Sandbox, sandbox_id) is not None
    if not known:
        click.echo(f"Error: no sandbox {sandbox_id!r} (see `flask dcx sandboxes list`).", err=True)
        ctx.exit(UNKNOWN_ID)
    services.expire({sandbox_id})
    click.echo(f"Expired sandbox {sandbox_id}.")


@sandboxes_group.command("sweep")
def sweep_command() -> None:
    """Delete now every sandbox idle past DCX_SANDBOX_IDLE_MINUTES, and any orphaned files."""
    count = services.sweep()
    click.echo(f"Swept {count} idle sandbox(es); {services.live_count()} still live.")


@sandboxes_group.command("purge")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(yes: bool) -> None:
    """Delete every sandbox, live ones too, with their databases and files."""
    if not yes:
        click.confirm("This deletes every sandbox, live ones too. Go on?", abort=True)
    count = services.purge()
    click.echo(f"Purged {count} sandbox(es).")
