"""What the sales team learns: the live and recent sandboxes, what each visited and for how
long, and a way to open one. Only the showcase's own admin, on the main database, sees it: a
visitor is admin of nothing but their own copy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from dcx.platform import clock, sandboxes
from dcx.platform.sandboxes import services
from dcx.platform.sandboxes.models import Sandbox, SandboxVisit
from dcx.platform.sandboxes.views import bp
from dcx.verticals import registry

RECENT = timedelta(days=7)


@dataclass
class SandboxReport:
    """One sandbox as the presenter page lists it."""

    sandbox: Sandbox
    live: bool
    visits: list[SandboxVisit] = field(default_factory=list)

    def seconds_in(self, vertical: str) -> int:
        """Time spent in one story, in seconds."""
        return sum(v.seconds for v in self.visits if v.vertical == vertical)

    def stories(self) -> list[str]:
        """The stories visited, in the order first seen."""
        return list(dict.fromkeys(v.vertical for v in self.visits))

    def assessment_stage_label(self) -> str | None:
        """The maturity stage the sandbox's latest assessment reached, as people read it."""
        key = self.sandbox.assessment_stage
        if key is None:
            return None
        from dcx.platform.assessment.services import stage_by_key

        return str(stage_by_key(key).label)

    def steps(self, vertical: str) -> list[int]:
        """The tour steps of ``vertical`` visited, in order, each once."""
        return sorted({v.step for v in self.visits if v.vertical == vertical and v.step})


def reports(now: datetime | None = None) -> list[SandboxReport]:
    """Sandboxes seen in the last week, newest first, with their visits (two queries)."""
    now = now or clock.real_now()
    with services.register() as reg:
        rows = (
            reg.execute(
                select(Sandbox)
                .where(Sandbox.last_seen_at >= now - RECENT)
                .order_by(Sandbox.last_seen_at.desc())
                .limit(200)
            )
            .scalars()
            .all()
        )
        visits: dict[str, list[SandboxVisit]] = defaultdict(list)
        if rows:
            for visit in reg.execute(
                select(SandboxVisit)
                .where(SandboxVisit.sandbox_id.in_([r.id for r in rows]))
                .order_by(SandboxVisit.id)
            ).scalars():
                visits[visit.sandbox_id].append(visit)
    horizon = now - services.idle_lifetime()
    return [SandboxReport(r, r.last_seen_at >= horizon, visits[r.id]) for r in rows]


def showcase_admin_required(view):
    """Only an admin of the showcase itself (signed in on the main database); 403 otherwise."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not sandboxes.enabled():
            abort(404)
        if (
            sandboxes.current() is not None
            or not current_user.is_authenticated
            or not current_user.is_admin
        ):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/all")
@showcase_admin_required
def overview():
    """The live and recent sandboxes: when, in which language, which stories and steps."""
    titles = {v.key: v.title for v in registry()}
    return render_template("sandboxes/overview.html", reports=reports(), titles=titles)


@bp.route("/<sandbox_id>/open", methods=["POST"])
@showcase_admin_required
def open_sandbox(sandbox_id: str):
    """Open a visitor's sandbox in this browser (signed in as nobody there)."""
    if services.live(sandbox_id) is None:
        abort(404)
    session.clear()
    session[sandboxes.SESSION_KEY] = sandbox_id
    return redirect(url_for("site.home"))
