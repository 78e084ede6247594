"""The professor's pages, on the education blueprint: class overview, course results,
messages and office-hour slots."""

from __future__ import annotations

from datetime import UTC

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dcx.education import chat, class_pages, forms, meetings, services, teaching
from dcx.education.views import _names, _poll, _post_message, _render_conversation, staff_bp
from dcx.extensions import db
from dcx.platform import staff_lists
from dcx.platform.accounts import services as accounts
from dcx.platform.accounts.models import User
from dcx.platform.forms import SelectChoice

# --- professor pages -----------------------------------------------------------------------

#: Stuck students named per course on the professor's home page; the course page lists more.
STUCK_LISTED = 5


@staff_bp.route("")
def home():
    """The professor's courses with stuck students, unread messages and the next slots."""
    courses = teaching.professor_courses(current_user)
    overview = []
    for course in courses:
        stuck = class_pages.stuck_students(course, STUCK_LISTED)
        overview.append(
            {
                "course": course,
                "students": class_pages.student_count(course),
                "stuck": stuck.rows,
                "stuck_total": stuck.total,
            }
        )
    conversations = chat.professor_conversations(current_user.id)
    unread = chat.unread_counts(conversations, current_user.id)
    return render_template(
        "education/staff/index.html",
        overview=overview,
        unread=sum(unread.values()),
        slots=teaching.professor_slots(current_user)[:5],
        active=meetings.active_bookings,
    )


@staff_bp.route("/courses/<course_id>")
def staff_course(course_id):
    """The class view: progress, topic difficulty heat map and stuck students."""
    course = teaching.professor_course_or_404(current_user, course_id)
    wanted = staff_lists.requested()
    page, rows = class_pages.class_page(course, wanted)
    stuck = class_pages.stuck_students(course, staff_lists.page_size())
    return render_template(
        "education/staff/course.html",
        course=course,
        rows=rows,
        page=page,
        q=wanted.q,
        stuck=stuck,
        totals=class_pages.class_totals(course),
        colour=teaching.heat_colour,
    )


@staff_bp.route("/messages")
def staff_messages():
    """The professor's threads with unread counts."""
    conversations = chat.professor_conversations(current_user.id)
    return render_template(
        "education/messages.html",
        conversations=conversations,
        unread=chat.unread_counts(conversations, current_user.id),
        names=_names(conversations),
        form=None,
        staff=True,
    )


@staff_bp.route("/messages/<conversation_id>", methods=["GET", "POST"])
def staff_conversation(conversation_id):
    """A thread with a student; the professor replies here."""
    conversation = chat.professor_conversation_or_404(current_user, conversation_id)
    form = forms.MessageForm()
    if request.method == "POST":
        return _post_message(conversation, form, staff=True)
    return _render_conversation(conversation, form, staff=True)


@staff_bp.route("/messages/<conversation_id>/poll", methods=["POST"])
def staff_conversation_poll(conversation_id):
    """JSON: the thread's messages after the form's ``after`` id (and marks them read)."""
    return _poll(chat.professor_conversation_or_404(current_user, conversation_id))


@staff_bp.route("/slots", methods=["GET", "POST"])
def staff_slots():
    """The professor's slots with who booked, and the form to publish one."""
    form = forms.SlotForm()
    courses = teaching.professor_courses(current_user)
    form.course.choices = [SelectChoice("", _("Any of my courses"))] + [
        SelectChoice(str(c.id), f"{c.code} {c.title}") for c in courses
    ]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            course_id = int(form.course.data) if form.course.data else None
            if course_id is not None and course_id not in {c.id for c in courses}:
                abort(404)
            try:
                teaching.publish_slot(
                    current_user,
                    form.starts_at.data.replace(tzinfo=UTC),
                    form.minutes.data,
                    (form.place.data or "").strip(),
                    (form.video_link.data or "").strip(),
                    form.capacity.data,
                    form.closes_hours_before.data,
                    course_id,
                )
            except services.EducationError as error:
                form.starts_at.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("Slot published."), "success")
                return redirect(url_for("education.staff.staff_slots"))
        status = 400
    return (
        render_template(
            "education/staff/slots.html",
            form=form,
            slots=teaching.professor_slots(current_user),
            active=meetings.active_bookings,
            location=meetings.slot_location,
            names=_booker_names(current_user),
        ),
        status,
    )


def _booker_names(professor) -> dict[int, User]:
    ids = {b.user_id for s in teaching.professor_slots(professor) for b in s.bookings}
    return accounts.users_by_id(ids)


@staff_bp.route("/slots/<slot_id>.ics")
def staff_slot_ics(slot_id):
    """The professor's invitation for one slot, with everyone who booked."""
    slot = teaching.professor_slot_or_404(current_user, slot_id)
    return Response(
        meetings.slot_ics(slot),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="office-hours-slot-{slot.id}.ics"'},
    )
