"""The citizens' pages: report a problem with a photo, follow it, confirm the fix or reopen it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.government import districts, forms, photos, public_updates, repairs, workspace
from dcx.government.models import GovernmentRepair, GovernmentStreet
from dcx.government.views.base import REPORT_DRAFT, _template_exists, bp
from dcx.platform.drafts.services import discard
from dcx.platform.forms import SelectChoice
from dcx.platform.views import post_or_400


def _report_form() -> forms.RepairReportForm:
    form = forms.RepairReportForm()
    form.street.choices = [SelectChoice(s.id, s.name) for s in workspace.streets()]
    return form


def _send_photo(repair: GovernmentRepair):
    path = photos.photo_path(repair)
    if path is None:
        abort(404)
    return send_file(path, mimetype=repair.photo_type)


def _own_report(repair_id: int) -> GovernmentRepair:
    """A report the signed-in citizen made; 404 for anyone else's."""
    return owned_or_404(GovernmentRepair, repair_id, current_user.id, owner_attr="reporter_id")


def _saved_report(repair: GovernmentRepair, message: str, category: str = "success") -> Response:
    """Commit what the citizen changed, say so and go back to their report."""
    db.session.commit()
    flash(message, category)
    return redirect(url_for("government.citizen_report", repair_id=repair.id))


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
            try:
                if len(data) > photos.MAX_PHOTO_BYTES or mime is None:
                    raise ValueError("not a photo")
                photo_file, photo_type = photos.store_photo(data, mime), mime
            except ValueError:
                form.photo.errors = [
                    _("The photo must be a JPEG, PNG or WebP image of at most 1 MB.")
                ]
                return render_template(
                    "government/report.html",
                    form=form,
                    draft_key=REPORT_DRAFT,
                    qr=_template_exists("drafts/macros.html"),
                ), 400
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
        return _saved_report(repair, _("Thank you. Your report #%(id)s is in.", id=repair.id))
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
    repair = _own_report(repair_id)
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
    return _send_photo(_own_report(repair_id))


@bp.post("/reports/<int:repair_id>/confirm")
@login_required
def confirm_fixed(repair_id: int):
    """The citizen confirms the repair: it is closed."""
    repair = _own_report(repair_id)
    try:
        photos.confirm_fixed(repair, current_user.id)
    except repairs.IllegalTransition:
        abort(400)
    return _saved_report(repair, _("Thank you for confirming."))


@bp.post("/reports/<int:repair_id>/reopen")
@login_required
def reopen_report(repair_id: int):
    """The citizen says it is not really fixed: the report is reopened."""
    repair = _own_report(repair_id)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        photos.reopen(repair, current_user.id, form.note.data or "")
    except repairs.IllegalTransition:
        abort(400)
    return _saved_report(repair, _("Reopened. The city will look at it again."), "warning")


@bp.post("/follow")
@login_required
def follow():
    """Follow a district to hear about fixes there."""
    form = forms.FollowForm()
    form.district.choices = [SelectChoice(k, v) for k, v in districts.DISTRICTS.items()]
    return post_or_400(
        form,
        lambda: public_updates.follow_area(current_user.id, form.district.data),
        to=url_for("government.status"),
        flashed=lambda _none: _(
            "You will hear about fixes in %(d)s.", d=districts.DISTRICTS[form.district.data]
        ),
    )
