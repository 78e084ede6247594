"""The learning pages: modules to read and their quizzes."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    learning_progress,
)
from dcx.health.learning import MODULES, Module
from dcx.health.views.base import bp


@bp.route("/learn")
@login_required
def learn():
    """The modules: assigned, suggested and the rest, with progress."""
    uid = current_user.id
    return render_template(
        "health/learn.html",
        modules=MODULES,
        progress=learning_progress.progress_of(uid),
        suggested=learning_progress.suggested_modules(uid),
    )


def _step(mod: Module, page: int, refusal: int) -> int:
    """``page`` if it is a step of the module (one of its pages, then its quiz); else the
    ``refusal`` status."""
    if not 1 <= page <= len(mod.pages) + 1:
        abort(refusal)
    return page


@bp.route("/learn/<slug>")
@login_required
def module(slug: str):
    """One page of a module, or its quiz after the last page."""
    mod = learning_progress.module_or_404(slug)
    page = _step(mod, request.args.get("page", 1, type=int), refusal=404)
    progress = learning_progress.progress_of(current_user.id).get(slug)
    return render_template(
        "health/module.html", module=mod, page=page, progress=progress, result=None
    )


@bp.route("/learn/<slug>/seen", methods=["POST"])
@login_required
def module_seen(slug: str):
    """The page's read receipt (sent by its script once shown): the patient read up to ``page``."""
    mod = learning_progress.module_or_404(slug)
    page = _step(mod, request.form.get("page", 0, type=int), refusal=400)
    learning_progress.see_page(current_user.id, slug, min(page, len(mod.pages)))
    db.session.commit()
    return "", 204


@bp.route("/learn/<slug>/quiz", methods=["POST"])
@login_required
def quiz(slug: str):
    """Score the end-of-module quiz."""
    mod = learning_progress.module_or_404(slug)
    answers = []
    for i in range(len(mod.quiz)):
        raw = request.form.get(f"q{i}", "")
        answers.append(int(raw) if raw.isdigit() and len(raw) < 3 else None)
    score, passed = learning_progress.submit_quiz(current_user.id, slug, answers)
    db.session.commit()
    progress = learning_progress.progress_of(current_user.id).get(slug)
    return render_template(
        "health/module.html",
        module=mod,
        page=len(mod.pages) + 1,
        progress=progress,
        result={"score": score, "passed": passed, "answers": answers},
    ), 200 if passed else 400
