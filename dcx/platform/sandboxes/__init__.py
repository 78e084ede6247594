"""Sandboxes: each visitor or presenter of a showcase works in a private copy of it.

In showcase mode (``DCX_SHOWCASE_MODE``; off by default, so off in any real deployment) a
visitor who presses "Try it yourself" or starts a tour, and a presenter who views as a
persona, gets a sandbox: a copy of the seeded showcase with its own database (and so its own
demo clock, outbox, data and language) and its own upload folder. The browser's signed session
carries the sandbox's id; before anything else reads the database, each of its requests is
routed to that sandbox's engine for its whole life (``g.dcx_bind``, read by the session's
``get_bind``): no global switch, so two visitors at once never see each other's world.
Persona sign-in exists only inside a sandbox. Idle sandboxes expire and a job sweeps them away
with their files. Outside showcase mode there are no sandboxes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, flash, g, has_app_context, request, session
from flask_babel import gettext as _

from dcx.extensions import db

SESSION_KEY = "dcx_sandbox"


def enabled() -> bool:
    """Whether this deployment is a showcase with sandboxes."""
    return bool(current_app.config.get("DCX_SHOWCASE_MODE"))


def current() -> str | None:
    """The id of the sandbox this request or job runs in, or None (the main database)."""
    return g.get("dcx_sandbox") if has_app_context() else None


def enter(sandbox_id: str) -> bool:
    """Route the rest of this app context to the sandbox's database; False if it is gone."""
    from dcx.platform.sandboxes import store

    engine = store.engine(sandbox_id)
    if engine is None:
        return False
    db.session.close()  # whatever was read so far came from the main database
    g.dcx_bind = engine
    g.dcx_sandbox = sandbox_id
    _forget_main_reads()
    return True


def _forget_main_reads() -> None:
    """What this request kept from the other database: the clock, the user, the showcase."""
    from dcx.platform.showcase.loader import STATE_KEY

    for key in ("_dcx_clock_offset", "_login_user", STATE_KEY):
        g.pop(key, None)


def leave() -> None:
    """Route the rest of this request back to the main database and forget the sandbox."""
    db.session.close()
    g.pop("dcx_bind", None)
    g.pop("dcx_sandbox", None)
    _forget_main_reads()
    g.dcx_sandbox_left = True
    session.pop(SESSION_KEY, None)


@contextmanager
def inside(app: Flask, sandbox_id: str) -> Iterator[None]:
    """An app context routed to the sandbox (for jobs, commands and tests)."""
    with app.app_context():
        if not enter(sandbox_id):
            raise LookupError(f"no sandbox {sandbox_id}")
        try:
            yield
        finally:
            db.session.remove()


def files_folder() -> Path:
    """Where this request's uploaded files go: the sandbox's folder, else ``UPLOAD_ROOT``."""
    from dcx.platform.sandboxes import store

    sandbox_id = current()
    if sandbox_id is not None:
        return store.uploads(sandbox_id)
    return store.upload_root()


def _route_request() -> None:
    """Before anything reads the database: route a sandbox's request to its database."""
    if not enabled():
        return
    sandbox_id = session.get(SESSION_KEY)
    if not sandbox_id:
        return
    from dcx.platform.sandboxes import services

    sandbox = services.live(sandbox_id)
    if sandbox is None or not enter(sandbox.id):
        # expired and swept: whoever was signed in there no longer exists
        session.clear()
        flash(_("Your copy of the showcase expired after a while unused."), "info")
        return
    services.touch(sandbox)
    _note_story(sandbox.id)


def _note_story(sandbox_id: str) -> None:
    """A page of a story, opened in a sandbox, is a visit (at the tour's step when touring)."""
    from dcx.verticals import registry

    if request.method != "GET" or not request.blueprint:
        return
    vertical = request.blueprint.split(".", 1)[0]
    if registry().get(vertical) is None:
        return
    from dcx.platform.sandboxes import services

    tour = session.get("dcx_tour") or {}
    step = int(tour.get("step", 0)) if tour.get("key") == vertical else 0
    services.record_visit(sandbox_id, vertical, step)


def _keep_sandbox(response):
    """Signing in renews the session; the browser stays in its sandbox."""
    sandbox_id = g.get("dcx_sandbox")
    if sandbox_id and not g.get("dcx_sandbox_left") and session.get(SESSION_KEY) != sandbox_id:
        session[SESSION_KEY] = sandbox_id
    return response


def _live_sandbox_scopes(app: Flask) -> list:
    """An app context per live sandbox, for the scheduler to run each one's due jobs."""
    with app.app_context():
        if not enabled():
            return []
        from sqlalchemy import select

        from dcx.platform.sandboxes import services
        from dcx.platform.sandboxes.models import Sandbox

        with services.register() as reg:
            ids = reg.execute(
                select(Sandbox.id).where(Sandbox.last_seen_at >= services.live_since())
            ).scalars()
            return [inside(app, sandbox_id) for sandbox_id in ids]


def init_app(app: Flask) -> None:
    """Register the register's tables, the routing, the pages and the sweep job."""
    from flask_babel import lazy_gettext as _l

    from dcx.platform.sandboxes import models, presenting, services, views  # noqa: F401
    from dcx.verticals import JobSpec

    app.register_blueprint(views.bp)
    app.before_request(_route_request)
    app.after_request(_keep_sandbox)
    app.extensions.setdefault("dcx_job_scopes", []).append(_live_sandbox_scopes)
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.sweep_sandboxes",
            trigger={"minute": "*/10"},
            function=views.sweep_job,
            description=_l("Delete sandboxes left idle, with their files."),
        )
    )

    @app.context_processor
    def _sandbox_context():
        return {"sandbox_mode": enabled(), "sandbox_id": current()}
