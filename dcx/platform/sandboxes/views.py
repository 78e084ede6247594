"""Sandbox pages: "Try it yourself" (a POST that makes one), leave, and the page shown when
no more can be made."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for

from dcx.platform import sandboxes
from dcx.platform.accounts.services import is_safe_next
from dcx.platform.sandboxes import services
from dcx.platform.sandboxes.store import SandboxUnavailable

bp = Blueprint("sandboxes", __name__, url_prefix="/showcase/sandbox", template_folder="templates")


def start_for_visitor() -> str:
    """Give this browser a sandbox of its own (unless it is in one) and route the rest of the
    request there; raises :class:`services.SandboxLimit` past a cap."""
    current = sandboxes.current()
    if current is not None:
        return current
    sandbox = services.create(request.remote_addr or "")
    sandboxes.enter(sandbox.id)
    return sandbox.id


def limit_page(limit: services.SandboxLimit) -> tuple[str, int]:
    """The page saying no sandbox can be made now, and why (503 full, 429 this address)."""
    status = 503 if limit.reason == "total" else 429
    return render_template("sandboxes/limit.html", reason=limit.reason), status


def start_or_refusal() -> tuple[str, int] | None:
    """Start this browser's sandbox (or keep the one it is in): None once it is in one, else
    the cap's page to answer instead; 503 when the store cannot make one."""
    try:
        start_for_visitor()
    except services.SandboxLimit as limit:
        return limit_page(limit)
    except SandboxUnavailable:
        abort(503)
    return None


@bp.route("", methods=["POST"])
def start():
    """Try it yourself: a private copy of the showcase for this browser."""
    from dcx.platform.showcase.tours import refuse_foreign_origin

    if not sandboxes.enabled():
        abort(404)
    refuse_foreign_origin()
    refusal = start_or_refusal()
    if refusal is not None:
        return refusal
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("site.home"))


@bp.route("/leave", methods=["POST"])
def leave():
    """Leave this browser's sandbox (signed out of it); it expires when idle."""
    if sandboxes.current() is not None:
        sandboxes.leave()
    from flask import session

    session.clear()
    return redirect(url_for("site.home"))


def sweep_job(now: datetime) -> int:
    """The sweep, as a job: delete sandboxes left idle, with their files."""
    if not sandboxes.enabled():
        return 0
    return services.sweep(now)
