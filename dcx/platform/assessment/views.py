"""Assessment pages: the start page, the questionnaire, the result, its download and compare.

Anyone may take the assessment. A signed-in customer's runs are stored under their account;
an anonymous visitor's run is stored without an owner and reopened only by the browser
session holding its random access key. Either way another person's run answers 404.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.platform import charts, clock, sandboxes
from dcx.platform.assessment import services
from dcx.platform.assessment.forms import QuestionnaireForm, draft_answers
from dcx.platform.assessment.models import AssessmentRun
from dcx.platform.assessment.questions import DISCIPLINES, SCALE, STAGES, WEAK_BELOW
from dcx.platform.drafts import services as drafts
from dcx.platform.inputs import db_int
from dcx.verticals import registry

bp = Blueprint("assessment", __name__, url_prefix="/assessment", template_folder="templates")

DRAFT_KEY = "assessment.questionnaire"
SESSION_KEY = "assessment_runs"  # {run id: access key} of this browser's anonymous runs
SESSION_MAX_RUNS = 10


def _session_keys() -> dict[str, str]:
    keys = session.get(SESSION_KEY)
    return dict(keys) if isinstance(keys, dict) else {}


def _remember(run: AssessmentRun) -> None:
    keys = _session_keys()
    keys[str(run.id)] = run.access_key
    session[SESSION_KEY] = dict(list(keys.items())[-SESSION_MAX_RUNS:])


def claim_this_browsers_runs(sender, user, **_extra) -> None:
    """On sign-in: the anonymous runs of this browser become the account's (the caller commits)."""
    keys = _session_keys()
    if keys:
        services.claim_runs(keys, user.id)


def _visible_runs() -> list[AssessmentRun]:
    if current_user.is_authenticated:
        return services.user_runs(current_user.id)
    return services.anonymous_runs(_session_keys())


def _visible_run(ident) -> AssessmentRun:
    """This visitor's run, or 404: a customer's own, or an anonymous one this session holds."""
    if current_user.is_authenticated:
        return owned_or_404(AssessmentRun, ident, current_user.id)
    try:
        pk = db_int(ident)
    except (TypeError, ValueError):
        abort(404)
    keys = _session_keys()
    found = services.anonymous_runs({str(pk): keys.get(str(pk), "")})
    if not found:
        abort(404)
    return found[0]


@bp.route("/")
def index():
    """The start page: what the assessment covers, the scale, and earlier results."""
    return render_template(
        "assessment/index.html",
        disciplines=DISCIPLINES,
        scale=SCALE,
        stages=STAGES,
        runs=_visible_runs(),
        question_count=sum(len(d.questions) for d in DISCIPLINES),
    )


@bp.route("/questionnaire", methods=["GET", "POST"])
def questionnaire():
    """The questionnaire; a complete submission is scored, stored and shown."""
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            answers = services.clean_answers(form.answers())
        except services.IncompleteAnswers:  # the form validators make this unreachable
            abort(400)
        user_id = current_user.id if current_user.is_authenticated else None
        run = services.create_run(user_id, answers)
        if user_id is not None:
            drafts.discard(user_id, DRAFT_KEY)
        db.session.commit()
        sandbox_id = sandboxes.current()
        if sandbox_id is not None:
            # the presenter page shows how a sandbox's visitor scored, never who they are
            from dcx.platform.sandboxes import services as sandbox_register

            sandbox_register.note_assessment(sandbox_id, run.stage, run.overall)
        if user_id is None:
            _remember(run)
        return redirect(url_for("assessment.result", run_id=run.id))
    status = 400 if form.is_submitted() else 200
    if not form.is_submitted() and current_user.is_authenticated:
        # Another device may have started this questionnaire: open it where it was left.
        draft = drafts.load(current_user.id, DRAFT_KEY)
        if draft is not None:
            form = QuestionnaireForm(data=draft_answers(draft.data))
    missing = [q for d in DISCIPLINES for q in d.questions if form[q.id].errors]
    return (
        render_template(
            "assessment/questionnaire.html",
            form=form,
            disciplines=DISCIPLINES,
            scale=SCALE,
            missing=missing,
            draft_key=DRAFT_KEY,
        ),
        status,
    )


def _run_label(run: AssessmentRun) -> str:
    return _("Run of %(when)s", when=format_datetime(run.created_at, "medium"))


def _result_context(run: AssessmentRun, external: bool = False) -> dict:
    """Everything the result page and its download show, for ``run`` (and a compared run)."""
    others = [r for r in _visible_runs() if r.id != run.id]
    previous = None
    compare_id = request.args.get("compare", "")
    if compare_id:
        previous = _visible_run(compare_id)
        if previous.id == run.id:
            previous = None
    current_scores = services.run_scores(run)
    previous_scores = services.run_scores(previous) if previous else {}
    changes = services.changes(current_scores, previous_scores) if previous else {}
    axes = [str(d.title) for d in DISCIPLINES]
    when = format_datetime(run.created_at, "medium")
    series = {_("This run (%(when)s)", when=when): [current_scores[d.key] for d in DISCIPLINES]}
    if previous is not None:
        when = format_datetime(previous.created_at, "medium")
        series[_("Compared run (%(when)s)", when=when)] = [
            previous_scores[d.key] for d in DISCIPLINES
        ]
    radar = charts.radar_chart(_("Maturity per discipline (0-100)"), axes, series, 100)
    recommendations = []
    for rec in services.recommendations(current_scores, registry()):
        stories = [
            {
                "key": s.key,
                "title": s.title,
                "url": url_for(f"{s.key}.index", _external=external),
                "tour_url": url_for("showcase.tour_start", key=s.key, _external=external)
                if s.has_tour
                else None,
            }
            for s in rec.stories
        ]
        recommendations.append(
            {"discipline": rec.discipline, "score": rec.score, "stories": stories}
        )
    rows = [
        {
            "discipline": d,
            "score": current_scores[d.key],
            "stage": services.stage_for(current_scores[d.key]),
            "previous": previous_scores.get(d.key),
            "change": changes.get(d.key),
        }
        for d in DISCIPLINES
    ]
    levels = {level.value: level for level in SCALE}
    return {
        "run": run,
        "run_label": _run_label(run),
        "stage": services.stage_by_key(run.stage),
        "rows": rows,
        "previous": previous,
        "previous_label": _run_label(previous) if previous else "",
        "overall_change": changes.get("overall"),
        "radar": radar,
        "recommendations": recommendations,
        "weak_below": WEAK_BELOW,
        "others": others,
        "other_labels": {r.id: _run_label(r) for r in others},
        "levels": levels,
        "disciplines": DISCIPLINES,
        "stages": STAGES,
        "generated_at": clock.now(),
        "external": external,
    }


@bp.route("/runs/<int:run_id>")
def result(run_id: int):
    """A run's result: scores, stage, radar chart, recommendations; ``?compare=<id>``."""
    run = _visible_run(run_id)
    return render_template("assessment/result.html", **_result_context(run))


@bp.route("/runs/<int:run_id>/download")
def download(run_id: int):
    """The same result as a standalone HTML file to keep or send on."""
    run = _visible_run(run_id)
    html = render_template("assessment/standalone.html", **_result_context(run, external=True))
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    filename = f"dcx-maturity-{run.created_at:%Y-%m-%d}-{run.id}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
