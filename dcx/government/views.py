"""Government pages: the traffic dashboard, shared incidents, repairs, the planner, citizens'
reports, and the public status page with its Atom feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.government import congestion as government_congestion
from dcx.government import (
    crews,
    districts,
    forms,
    labels,
    photos,
    public_updates,
    repairs,
    repairs_public,
    sensors,
    workspace,
)
from dcx.government import incidents as government_incidents
from dcx.government import planner as government_planner
from dcx.government.models import (
    GovernmentCrew,
    GovernmentHandoff,
    GovernmentIncident,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentSensor,
    GovernmentSocialPost,
    GovernmentStreet,
)
from dcx.platform import charts, clock
from dcx.platform.accounts.views import role_required
from dcx.platform.drafts.services import discard
from dcx.platform.forms import SelectChoice, validated

bp = Blueprint("government", __name__, template_folder="templates")


@bp.app_template_filter("government_label")
def _government_label(value: str | None, kind: str) -> str:
    """``{{ r.category|government_label("category") }}``: a stored key in the visitor's language.

    An app-wide filter (Jinja filters cannot be limited to one blueprint), hence the vertical's
    prefix; unlike a context variable it also reaches macros imported without context.
    """
    return labels.label(kind, value)


@bp.app_template_global("government_labels")
def _government_labels(kind: str) -> dict[str, str]:
    """Every label of ``kind``, for a script that redraws keys from the live feed."""
    return labels.labels_of(kind)


def _repair_choice(repair: GovernmentRepair) -> SelectChoice:
    """``#12 streetlight — Harbour Road``: a repair to pick, its category in the visitor's words."""
    category = labels.label("category", repair.category).lower()
    return SelectChoice(repair.id, f"#{repair.id} {category} — {repair.location}")


REPORT_DRAFT = "government.repair_report"


def staff_only(view):
    """Government staff and admins only (403 for other staff, sign-in for visitors)."""

    @wraps(view)
    @role_required("staff", "admin")
    def wrapped(*args, **kwargs):
        if not current_user.serves("government"):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _department() -> str | None:
    return districts.department_of(current_user.id)


def _incident_or_404(incident_id: int) -> GovernmentIncident:
    """An incident the current staff member's department may see; 404 otherwise."""
    incident = db.session.get(GovernmentIncident, incident_id)
    if incident is None:
        abort(404)
    if current_user.is_admin:
        return incident
    if not government_incidents.incident_visible_to(incident, _department()):
        abort(404)
    return incident


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except Exception:
        return False
    return True


def _congestion_context(department: str | None) -> dict:
    """The open congestion this staff member sees, and a key that changes when it does (the
    live feed sends the list again only then, so a screen reader hears each change once)."""
    incidents = [
        i
        for i in government_incidents.visible_incidents(
            department, include_all=current_user.is_admin
        )
        if i.status == "open"
    ]
    key = ";".join(f"{i.id}:{i.severity}:{i.travel_time_index or ''}" for i in incidents)
    return {
        "incidents": incidents,
        "congestion_key": key,
        "levels": government_congestion.LEVEL_LABELS,
    }


def _map_context() -> dict:
    now = clock.now()
    return {
        "streets": workspace.streets(),
        "sensors": sensors.sensor_overview(now),
        "segments": sensors.segment_overview(),
        "crews": crews.crew_overview(),
        "trails": crews.crew_trails(),
        "city": (districts.CITY_WIDTH, districts.CITY_HEIGHT),
        "levels": government_congestion.LEVEL_LABELS,
    }


# --- landing --------------------------------------------------------------------------------


@bp.route("/")
def index():
    """The landing page: the story, and links to what this visitor can do."""
    reports = []
    if current_user.is_authenticated and not current_user.is_staff:
        reports = photos.citizen_reports(current_user.id)[:5]
    return render_template(
        "government/index.html",
        reports=reports,
        updates=repairs_public.public_entries(public_updates.public_updates(limit=3)),
        statuses=repairs.STATUS_LABELS,
    )


# --- staff: traffic dashboard ---------------------------------------------------------------


@bp.route("/staff")
@staff_only
def staff():
    """The traffic dashboard: live counts, congestion, incidents, crews on the map."""
    now = clock.now()
    labels, series = sensors.traffic_series(now)
    tti_labels, tti_series = sensors.index_series(now)
    department = _department()
    traffic_chart = charts.line_chart(_("Vehicles per hour"), labels, series)
    index_chart = charts.line_chart(
        _("Travel-time index"),
        tti_labels,
        tti_series,
        guides={_("Congested"): 1.3, _("Severe"): 1.5},
    )
    return render_template(
        "government/staff.html",
        department=department,
        traffic_chart=traffic_chart,
        index_chart=index_chart,
        **{**_map_context(), **_congestion_context(department)},
    )


@bp.route("/staff/live.json")
@staff_only
def live():
    """What the dashboard's polling script redraws: sensors, segments, crews, congestion."""
    now = clock.now()
    congestion = _congestion_context(_department())
    return jsonify(
        at=now.isoformat(),
        sensors=sensors.sensor_overview(now),
        segments=sensors.segment_overview(),
        crews=crews.crew_overview(),
        congestion_key=congestion["congestion_key"],
        congestion_html=render_template("government/_congestion.html", **congestion),
    )


@bp.post("/staff/<any(sensor, crew):kind>/<int:ident>/token")
@staff_only
def issue_token(kind: str, ident: int):
    """Issue a new device token for a sensor or a crew; it is shown once."""
    if kind == "sensor":
        sensor = db.get_or_404(GovernmentSensor, ident)
        token, name = sensors.issue_sensor_token(sensor), sensor.code
    else:
        crew = db.get_or_404(GovernmentCrew, ident)
        token, name = crews.issue_crew_token(crew), crew.code
    db.session.commit()
    flash(_("New token for %(name)s (shown once): %(token)s", name=name, token=token), "warning")
    return redirect(url_for(".devices"))


@bp.route("/staff/devices")
@staff_only
def devices():
    """Sensors and crews with their status; issue device tokens here."""
    return render_template(
        "government/devices.html",
        sensors=sensors.sensor_overview(clock.now()),
        crews=crews.crew_overview(),
    )


# --- staff: incidents -----------------------------------------------------------------------


@bp.route("/staff/incidents")
@staff_only
def incidents():
    """Incidents raised by or shared with the staff member's department."""
    department = _department()
    return render_template(
        "government/incidents.html",
        department=department,
        incidents=government_incidents.visible_incidents(
            department, include_all=current_user.is_admin
        ),
    )


def _repair_form(**defaults) -> forms.RepairFromIncidentForm:
    form = forms.RepairFromIncidentForm(**defaults)
    form.citizen_report.choices = [SelectChoice(0, _("None: open a new repair"))] + [
        _repair_choice(r) for r in repairs.unlinked_citizen_reports()
    ]
    return form


def _incident_page(incident: GovernmentIncident, status: int = 200, **form_overrides):
    department = _department()
    context = {
        "incident": incident,
        "department": department,
        "my_share": next((s for s in incident.shares if s.department == department), None),
        "comments": government_incidents.incident_comments(incident.id),
        "handoffs": government_incidents.incident_handoffs(incident.id),
        "repairs": list(
            db.session.execute(
                select(GovernmentRepair).where(GovernmentRepair.incident_id == incident.id)
            ).scalars()
        ),
        "describe_form": forms.DescribeIncidentForm(obj=incident),
        "share_form": forms.ShareForm(department="public_works"),
        "comment_form": forms.CommentForm(),
        "handoff_form": forms.HandoffForm(),
        "repair_form": _repair_form(
            location=incident.segment.name if incident.segment else incident.title,
            category="streetlight",
        ),
        "departments": districts.DEPARTMENT_LABELS,
        "levels": government_congestion.LEVEL_LABELS,
        "statuses": repairs.STATUS_LABELS,
    }
    context.update(form_overrides)
    return render_template("government/incident.html", **context), status


@bp.route("/staff/incidents/<int:incident_id>")
@staff_only
def incident(incident_id: int):
    """One incident: its cause, who it is shared with, comments, hand-offs and repairs."""
    return _incident_page(_incident_or_404(incident_id))


@bp.post("/staff/incidents/<int:incident_id>/describe")
@staff_only
def describe_incident(incident_id: int):
    """Record the cause of an incident."""
    incident = _incident_or_404(incident_id)
    form = forms.DescribeIncidentForm()
    if not form.validate_on_submit():
        return _incident_page(incident, 400, describe_form=form)
    government_incidents.describe_incident(incident, validated(form.cause.data))
    db.session.commit()
    flash(_("Cause recorded."), "success")
    return redirect(url_for(".incident", incident_id=incident.id))


@bp.post("/staff/incidents/<int:incident_id>/share")
@staff_only
def share_incident(incident_id: int):
    """Share an incident with a department."""
    incident = _incident_or_404(incident_id)
    form = forms.ShareForm()
    if not form.validate_on_submit():
        return _incident_page(incident, 400, share_form=form)
    government_incidents.share_incident(incident, form.department.data, current_user.id)
    db.session.commit()
    flash(
        _("Shared with %(dept)s.", dept=districts.DEPARTMENT_LABELS[form.department.data]),
        "success",
    )
    return redirect(url_for(".incident", incident_id=incident.id))


@bp.post("/staff/incidents/<int:incident_id>/acknowledge")
@staff_only
def acknowledge_incident(incident_id: int):
    """The department acknowledges an incident shared with it."""
    incident = _incident_or_404(incident_id)
    if not government_incidents.acknowledge_incident(
        incident, _department() or "", current_user.id
    ):
        abort(400)
    db.session.commit()
    flash(_("Acknowledged."), "success")
    return redirect(url_for(".incident", incident_id=incident.id))


@bp.post("/staff/incidents/<int:incident_id>/comment")
@staff_only
def comment_incident(incident_id: int):
    """Add the department's comment."""
    incident = _incident_or_404(incident_id)
    form = forms.CommentForm()
    if not form.validate_on_submit():
        return _incident_page(incident, 400, comment_form=form)
    government_incidents.comment_on_incident(
        incident, _department() or "admin", current_user.id, validated(form.body.data)
    )
    db.session.commit()
    return redirect(url_for(".incident", incident_id=incident.id, _anchor="comments"))


@bp.post("/staff/incidents/<int:incident_id>/handoff")
@staff_only
def handoff_incident(incident_id: int):
    """Hand a follow-on task to another department."""
    incident = _incident_or_404(incident_id)
    form = forms.HandoffForm()
    department = _department() or incident.department
    if not form.validate_on_submit() or form.to_department.data == department:
        if form.to_department.data == department:
            form.to_department.errors = [_("Choose another department.")]
        return _incident_page(incident, 400, handoff_form=form)
    government_incidents.hand_off(
        incident, department, form.to_department.data, validated(form.task.data), current_user.id
    )
    db.session.commit()
    flash(_("Task handed off."), "success")
    return redirect(url_for(".incident", incident_id=incident.id))


@bp.post("/staff/handoffs/<int:handoff_id>/done")
@staff_only
def complete_handoff(handoff_id: int):
    """The receiving department marks a follow-on task done."""
    handoff = db.get_or_404(GovernmentHandoff, handoff_id)
    incident = _incident_or_404(handoff.incident_id)
    if not government_incidents.complete_handoff(handoff, _department()):
        abort(404)
    db.session.commit()
    flash(_("Task done."), "success")
    return redirect(url_for(".incident", incident_id=incident.id))


@bp.post("/staff/incidents/<int:incident_id>/repair")
@staff_only
def repair_from_incident(incident_id: int):
    """Open a repair request for the incident's cause."""
    incident = _incident_or_404(incident_id)
    form = _repair_form()
    if not form.validate_on_submit():
        return _incident_page(incident, 400, repair_form=form)
    if form.citizen_report.data:
        repair = db.get_or_404(GovernmentRepair, form.citizen_report.data)
        try:
            repairs.link_report_to_incident(incident, repair, current_user.id)
        except repairs.IllegalTransition:
            db.session.rollback()
            abort(400)
    else:
        repair = repairs.repair_from_incident(
            incident,
            form.category.data,
            form.description.data or "",
            current_user.id,
            validated(form.location.data),
        )
    db.session.commit()
    flash(_("Repair #%(id)s created.", id=repair.id), "success")
    return redirect(url_for(".planner", repair=repair.id))


# --- staff: repairs and the planner ---------------------------------------------------------


@bp.route("/staff/repairs")
@staff_only
def staff_repairs():
    """Every repair request with its status."""
    return render_template(
        "government/repairs.html", repairs=photos.repairs(), statuses=repairs.STATUS_LABELS
    )


@bp.route("/staff/repairs/<int:repair_id>")
@staff_only
def staff_repair(repair_id: int):
    """One repair: its history and the steps it may take next."""
    repair = db.get_or_404(GovernmentRepair, repair_id)
    return render_template(
        "government/repair.html",
        repair=repair,
        form=forms.StatusForm(),
        next_statuses=sorted(repairs.TRANSITIONS[repair.status]),
        statuses=repairs.STATUS_LABELS,
    )


@bp.post("/staff/repairs/<int:repair_id>/status")
@staff_only
def repair_status(repair_id: int):
    """Move a repair along its workflow (illegal steps answer 400)."""
    repair = db.get_or_404(GovernmentRepair, repair_id)
    form = forms.StatusForm()
    if not form.validate_on_submit() or form.to_status.data not in repairs.STATUS_LABELS:
        abort(400)
    try:
        repairs.transition(repair, form.to_status.data, current_user.id, form.note.data or "")
    except repairs.IllegalTransition:
        db.session.rollback()
        flash(_("That step is not allowed from the current status."), "error")
        return render_template(
            "government/repair.html",
            repair=repair,
            form=form,
            next_statuses=sorted(repairs.TRANSITIONS[repair.status]),
            statuses=repairs.STATUS_LABELS,
        ), 400
    db.session.commit()
    flash(
        _(
            "Repair #%(id)s is now %(status)s.",
            id=repair.id,
            status=repairs.STATUS_LABELS[repair.status],
        ),
        "success",
    )
    return redirect(url_for(".staff_repair", repair_id=repair.id))


@bp.route("/staff/repairs/<int:repair_id>/photo")
@staff_only
def staff_photo(repair_id: int):
    """The photo of a repair report, for staff."""
    return _send_photo(db.get_or_404(GovernmentRepair, repair_id))


def _schedule_form() -> forms.ScheduleForm:
    form = forms.ScheduleForm()
    form.repair.choices = [_repair_choice(r) for r in photos.repairs(("reported", "acknowledged"))]
    form.crew.choices = [
        SelectChoice(c.id, c.name)
        for c in db.session.execute(select(GovernmentCrew).order_by(GovernmentCrew.code)).scalars()
    ]
    return form


def _planner_page(form: forms.ScheduleForm, monday, status: int = 200):
    plan = government_planner.week_plan(monday)
    return render_template(
        "government/planner.html",
        form=form,
        plan=plan,
        monday=monday,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        statuses=repairs.STATUS_LABELS,
    ), status


@bp.route("/staff/planner", methods=["GET", "POST"])
@staff_only
def planner():
    """The week of crews and work orders; pick a repair, a crew and a slot to schedule."""
    try:
        week = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        week = clock.today()
    monday = government_planner.week_start(week)
    form = _schedule_form()
    if request.method == "GET":
        form.repair.data = request.args.get("repair", type=int)
        form.crew.data = request.args.get("crew", type=int)
        try:
            form.day.data = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            form.day.data = clock.today()
        form.start_hour.data = form.start_hour.data or min(clock.now().hour + 1, 23)
        return _planner_page(form, monday)
    if not form.validate_on_submit():
        return _planner_page(form, monday, 400)
    repair = db.get_or_404(GovernmentRepair, form.repair.data)
    crew = db.get_or_404(GovernmentCrew, form.crew.data)
    day = form.day.data
    starts = datetime(day.year, day.month, day.day, form.start_hour.data, tzinfo=UTC)
    try:
        order = government_planner.schedule_repair(
            repair, crew, starts, starts + timedelta(hours=form.hours.data), current_user.id
        )
    except (government_planner.ScheduleConflict, repairs.IllegalTransition) as exc:
        db.session.rollback()
        form = _schedule_form()
        form.crew.errors = [str(exc)]
        return _planner_page(form, government_planner.week_start(day), 400)
    db.session.commit()
    flash(_("Repair #%(id)s scheduled for %(crew)s.", id=repair.id, crew=crew.name), "success")
    return redirect(url_for(".planner", week=order.starts_at.date().isoformat()))


@bp.route("/staff/social")
@staff_only
def social():
    """The social-media outbox: each post as rendered for its network, and what happened."""
    posts = db.session.execute(
        select(GovernmentSocialPost).order_by(GovernmentSocialPost.id.desc()).limit(60)
    ).scalars()
    return render_template(
        "government/social.html",
        posts=list(posts),
        webhook=bool(current_app.config.get("GOVERNMENT_SOCIAL_WEBHOOK")),
    )


# --- citizens -------------------------------------------------------------------------------


def _report_form() -> forms.RepairReportForm:
    form = forms.RepairReportForm()
    form.street.choices = [SelectChoice(s.id, s.name) for s in workspace.streets()]
    return form


def _send_photo(repair: GovernmentRepair):
    path = photos.photo_path(repair)
    if path is None:
        abort(404)
    return send_file(path, mimetype=repair.photo_type)


@bp.route("/reports")
@login_required
def reports():
    """The citizen's own reports."""
    return render_template(
        "government/reports.html",
        reports=photos.citizen_reports(current_user.id),
        statuses=repairs.STATUS_LABELS,
    )


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def report():
    """Report something broken; the form is a draft that can be finished on another device."""
    form = _report_form()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(
                "government/report.html",
                form=form,
                draft_key=REPORT_DRAFT,
                qr=_template_exists("drafts/macros.html"),
            ), 400
        street = db.session.get(GovernmentStreet, form.street.data)
        photo_file = photo_type = ""
        upload = form.photo.data
        if upload:
            data = upload.read(photos.MAX_PHOTO_BYTES + 1)
            mime = photos.photo_type(data)
            if len(data) > photos.MAX_PHOTO_BYTES or mime is None:
                form.photo.errors = [
                    _("The photo must be a JPEG, PNG or WebP image of at most 1 MB.")
                ]
                return render_template(
                    "government/report.html",
                    form=form,
                    draft_key=REPORT_DRAFT,
                    qr=_template_exists("drafts/macros.html"),
                ), 400
            photo_file, photo_type = photos.store_photo(data, mime), mime
        repair = photos.report_repair(
            current_user.id,
            form.category.data,
            street,
            form.location.data or "",
            form.description.data,
            photo_file,
            photo_type,
        )
        discard(current_user.id, REPORT_DRAFT)
        db.session.commit()
        flash(_("Thank you. Your report #%(id)s is in.", id=repair.id), "success")
        return redirect(url_for(".citizen_report", repair_id=repair.id))
    return render_template(
        "government/report.html",
        form=form,
        draft_key=REPORT_DRAFT,
        qr=_template_exists("drafts/macros.html"),
    )


@bp.route("/reports/<int:repair_id>")
@login_required
def citizen_report(repair_id: int):
    """One of the citizen's reports, with its history; confirm or reopen once fixed."""
    repair = owned_or_404(GovernmentRepair, repair_id, current_user.id, owner_attr="reporter_id")
    return render_template(
        "government/citizen_report.html",
        repair=repair,
        reopen_form=forms.ReopenForm(),
        statuses=repairs.STATUS_LABELS,
    )


@bp.route("/reports/<int:repair_id>/photo")
@login_required
def citizen_photo(repair_id: int):
    """The photo of the citizen's own report."""
    return _send_photo(
        owned_or_404(GovernmentRepair, repair_id, current_user.id, owner_attr="reporter_id")
    )


@bp.post("/reports/<int:repair_id>/confirm")
@login_required
def confirm_fixed(repair_id: int):
    """The citizen confirms the repair: it is closed."""
    repair = owned_or_404(GovernmentRepair, repair_id, current_user.id, owner_attr="reporter_id")
    try:
        photos.confirm_fixed(repair, current_user.id)
    except repairs.IllegalTransition:
        abort(400)
    db.session.commit()
    flash(_("Thank you for confirming."), "success")
    return redirect(url_for(".citizen_report", repair_id=repair.id))


@bp.post("/reports/<int:repair_id>/reopen")
@login_required
def reopen_report(repair_id: int):
    """The citizen says it is not really fixed: the report is reopened."""
    repair = owned_or_404(GovernmentRepair, repair_id, current_user.id, owner_attr="reporter_id")
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        photos.reopen(repair, current_user.id, form.note.data or "")
    except repairs.IllegalTransition:
        abort(400)
    db.session.commit()
    flash(_("Reopened. The city will look at it again."), "warning")
    return redirect(url_for(".citizen_report", repair_id=repair.id))


@bp.post("/follow")
@login_required
def follow():
    """Follow a district to hear about fixes there."""
    form = forms.FollowForm()
    form.district.choices = [SelectChoice(k, v) for k, v in districts.DISTRICTS.items()]
    if not form.validate_on_submit():
        abort(400)
    public_updates.follow_area(current_user.id, form.district.data)
    db.session.commit()
    flash(
        _("You will hear about fixes in %(d)s.", d=districts.DISTRICTS[form.district.data]),
        "success",
    )
    return redirect(url_for(".status"))


# --- public ---------------------------------------------------------------------------------


@bp.route("/status")
def status():
    """The public status page: what the city fixed, newest first. No sign-in needed."""
    form = forms.FollowForm()
    form.district.choices = [SelectChoice(k, v) for k, v in districts.DISTRICTS.items()]
    following = (
        public_updates.followed_areas(current_user.id) if current_user.is_authenticated else []
    )
    return render_template(
        "government/status.html",
        updates=repairs_public.public_entries(public_updates.public_updates()),
        open_repairs=len(photos.repairs(repairs.OPEN_STATUSES)),
        follow_form=form,
        following=following,
        districts=districts.DISTRICTS,
    )


@bp.post("/status/<int:update_id>/still-broken")
@login_required
def still_broken(update_id: int):
    """A signed-in citizen says a published fix is not working: the repair is reopened."""
    update = db.get_or_404(GovernmentPublicUpdate, update_id)
    repair = db.session.get(GovernmentRepair, update.repair_id) if update.repair_id else None
    if repair is None:
        abort(404)
    if not public_updates.may_reopen(repair, current_user.id):
        abort(403)
    if repair.status != "fixed":
        flash(_("This repair is already being looked at again."), "info")
        return redirect(url_for(".status"))
    photos.reopen(repair, current_user.id, repairs.NOTE_STILL_BROKEN)
    db.session.commit()
    flash(_("Thank you. The repair has been reopened."), "warning")
    return redirect(url_for(".status"))


@bp.route("/updates.atom")
def feed():
    """The Atom feed of city updates."""
    body = repairs_public.atom_feed(
        repairs_public.public_entries(public_updates.public_updates()),
        feed_url=url_for(".feed", _external=True),
        page_url=url_for(".status", _external=True),
    )
    return Response(body, mimetype="application/atom+xml")
