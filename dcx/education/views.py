"""Education pages: the student's courses, chapters, tests, mastery, chat and office hours,
and the professor's class view, messages and slots.

Every object a student sees is loaded through an owner-scoped helper (their enrolment, their
attempt, their thread, their booking); a professor's pages load only their own courses,
threads and slots.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.database import owned_or_404
from dcx.education import chat, forms, labels, meetings, module_tests, services
from dcx.education.models import (
    EducationBooking,
    EducationChapter,
    EducationModuleTest,
    EducationOfficeHourSlot,
)
from dcx.extensions import db
from dcx.platform.accounts import services as accounts
from dcx.platform.blueprints import vertical_blueprints
from dcx.platform.forms import SelectChoice
from dcx.platform.views import saved, submit

# its pages at /education and the staff workspace at /education/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("education", labels.label)


def _chapter_or_404(chapter_id) -> EducationChapter:
    """A chapter of a course the student is enrolled in."""
    chapter = db.get_or_404(EducationChapter, chat.id_or_404(chapter_id))
    services.enrolled_course_or_404(current_user.id, chapter.module.course_id)
    return chapter


def _test_or_404(test_id) -> EducationModuleTest:
    """A test of a course the student is enrolled in."""
    test = db.get_or_404(EducationModuleTest, chat.id_or_404(test_id))
    services.enrolled_course_or_404(current_user.id, test.module.course_id)
    return test


# --- student pages -------------------------------------------------------------------------


@bp.route("/")
def index():
    """The landing page; for an enrolled student, their dashboard."""
    if not current_user.is_authenticated:
        return render_template("education/index.html", courses=[])
    courses = services.student_courses(current_user.id)
    rows = [
        {
            "course": c,
            "progress": services.course_progress(current_user.id, c),
            "next": services.next_step(current_user.id, c),
            "weak": services.suggestions(current_user.id, c),
        }
        for c in courses
    ]
    conversations = chat.student_conversations(current_user.id)
    unread = sum(chat.unread_counts(conversations, current_user.id).values())
    return render_template(
        "education/index.html",
        courses=rows,
        unread=unread,
        bookings=meetings.student_bookings(current_user.id),
    )


@bp.route("/courses/<course_id>")
@login_required
def course(course_id):
    """A course: its modules in order, chapters read, tests, and what is unlocked."""
    course = services.enrolled_course_or_404(current_user.id, course_id)
    unlocked = services.unlocked_module_ids(current_user.id, course)
    read = services.read_chapter_ids(current_user.id, course)
    scores = {
        m.id: services.module_score(current_user.id, m.test, course.scoring_rule)
        for m in course.modules
        if m.test is not None
    }
    return render_template(
        "education/course.html",
        course=course,
        unlocked=unlocked,
        read=read,
        scores=scores,
        progress=services.course_progress(current_user.id, course),
    )


@bp.route("/chapters/<chapter_id>")
@login_required
def chapter(chapter_id):
    """A textbook chapter, with its sections and figures."""
    chapter = _chapter_or_404(chapter_id)
    module = chapter.module
    if not services.module_unlocked(current_user.id, module):
        flash(_("This module is still locked: pass the previous module's test first."), "warning")
        return redirect(url_for("education.course", course_id=module.course_id))
    chapters = module.chapters
    index = chapters.index(chapter)
    following = chapters[index + 1] if index + 1 < len(chapters) else None
    read = chapter.id in services.read_chapter_ids(current_user.id, module.course)
    return render_template(
        "education/chapter.html",
        chapter=chapter,
        module=module,
        course=module.course,
        following=following,
        read=read,
    )


@bp.post("/chapters/<chapter_id>/read")
@login_required
def chapter_read(chapter_id):
    """Save that the student read the chapter, then go to the next step."""
    chapter = _chapter_or_404(chapter_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    if not services.module_unlocked(current_user.id, chapter.module):
        abort(404)
    services.mark_chapter_read(current_user.id, chapter)
    db.session.commit()
    flash(_("Progress saved: “%(title)s” read.", title=chapter.title), "success")
    chapters = chapter.module.chapters
    index = chapters.index(chapter)
    if index + 1 < len(chapters):
        return redirect(url_for("education.chapter", chapter_id=chapters[index + 1].id))
    return redirect(url_for("education.course", course_id=chapter.module.course_id))


@bp.route("/tests/<test_id>")
@login_required
def test(test_id):
    """A module test: rules, attempts so far, and the start button."""
    test = _test_or_404(test_id)
    course = test.module.course
    attempts = services.submitted_attempts(current_user.id, test)
    return render_template(
        "education/test.html",
        test=test,
        course=course,
        attempts=attempts,
        used=module_tests.attempts_used(current_user.id, test),
        current=module_tests.open_attempt(current_user.id, test),
        score=services.score_by_rule([a.percent for a in attempts], course.scoring_rule),
        unlocked=services.module_unlocked(current_user.id, test.module),
    )


@bp.post("/tests/<test_id>/start")
@login_required
def test_start(test_id):
    """Start (or resume) an attempt."""
    test = _test_or_404(test_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = module_tests.start_attempt(current_user.id, test)
    except services.EducationError as error:
        return saved(url_for("education.test", test_id=test.id), (str(error), "warning"))
    db.session.commit()
    return redirect(url_for("education.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id):
    """An attempt: the questions while open, the feedback with explanations once submitted."""
    attempt = module_tests.student_attempt_or_404(current_user.id, attempt_id)
    test = attempt.test
    if attempt.submitted_at is None and request.method == "GET" and module_tests.expired(attempt):
        module_tests.submit_attempt(attempt, {})
        db.session.commit()
    if attempt.submitted_at is not None:
        answers = {a.question_id: a for a in attempt.answers}
        return render_template(
            "education/feedback.html",
            attempt=attempt,
            test=test,
            course=test.module.course,
            answers=answers,
            names=services.topic_names(test.module.course),
            passed=attempt.percent >= test.pass_mark_percent,
        )
    form = forms.test_form(test.questions)
    if request.method == "POST":
        if form.validate_on_submit():
            responses = forms.responses_from(form, test.questions)
            if responses is not None:
                module_tests.submit_attempt(attempt, responses)
                db.session.commit()
                return redirect(url_for("education.attempt", attempt_id=attempt.id))
        status = 400
    else:
        status = 200
    return (
        render_template(
            "education/attempt.html",
            attempt=attempt,
            test=test,
            course=test.module.course,
            form=form,
            field_name=forms.field_name,
        ),
        status,
    )


@bp.route("/mastery")
@login_required
def mastery_overview():
    """Topic mastery of the course where the student has a weak topic (else their first)."""
    course = services.course_to_revisit(current_user.id)
    if course is None:
        return redirect(url_for("education.index"))
    return redirect(url_for("education.mastery", course_id=course.id))


@bp.route("/courses/<course_id>/mastery")
@login_required
def mastery(course_id):
    """Topic mastery levels and suggestions for the weak topics, with the reasons."""
    course = services.enrolled_course_or_404(current_user.id, course_id)
    return render_template(
        "education/mastery.html",
        course=course,
        mastery=services.topic_mastery(current_user.id, course),
        suggestions=services.suggestions(current_user.id, course),
        levels=services.MASTERY_LEVELS,
    )


# --- chat ----------------------------------------------------------------------------------


def _conversation_targets(user_id: int) -> list[SelectChoice]:
    """Choices for a new thread: each course's professor, and each professor one-to-one."""
    choices = []
    seen = set()
    for professor, course in chat.professors_for(user_id):
        choices.append(
            SelectChoice(
                f"{professor.id}:{course.id}", f"{professor.name} — {course.code} {course.title}"
            )
        )
        if professor.id not in seen:
            seen.add(professor.id)
            choices.append(
                SelectChoice(f"{professor.id}:", f"{professor.name} — {_('one-to-one')}")
            )
    return choices


@bp.route("/messages", methods=["GET", "POST"])
@login_required
def messages():
    """The student's threads with unread counts, and a form to start one."""
    form = forms.NewConversationForm()
    form.target.choices = _conversation_targets(current_user.id)
    professor_id, _sep, course_id = (form.target.data or "").partition(":")
    done = submit(
        form,
        lambda: chat.open_conversation(
            current_user.id, int(professor_id), int(course_id) if course_id else None
        ),
        to=lambda conversation: url_for("education.conversation", conversation_id=conversation.id),
    )
    if done.response:
        return done.response
    conversations = chat.student_conversations(current_user.id)
    return (
        render_template(
            "education/messages.html",
            conversations=conversations,
            unread=chat.unread_counts(conversations, current_user.id),
            names=_names(conversations),
            form=form,
            staff=False,
        ),
        done.status,
    )


def _names(conversations) -> dict[int, str]:
    ids = {c.student_id for c in conversations} | {c.professor_id for c in conversations}
    return {user_id: u.name for user_id, u in accounts.users_by_id(ids).items()}


def _render_conversation(conversation, form, staff: bool, status: int = 200):
    names = _names([conversation])
    rows = chat.messages_after(conversation)
    endpoint = ".staff_conversation" if staff else ".conversation"
    return (
        render_template(
            "education/conversation.html",
            conversation=conversation,
            messages=[chat.message_json(m, names, current_user.id) for m in rows],
            other=names.get(conversation.student_id if staff else conversation.professor_id),
            form=form,
            staff=staff,
            poll_url=url_for(endpoint + "_poll", conversation_id=conversation.id),
            post_url=url_for(endpoint, conversation_id=conversation.id),
        ),
        status,
    )


def _post_message(conversation, form, staff: bool):
    endpoint = ".staff_conversation" if staff else ".conversation"
    if form.validate_on_submit():
        try:
            chat.send_message(conversation, current_user.id, form.body.data)
        except services.EducationError as error:
            form.body.errors = [str(error)]
        else:
            db.session.commit()
            return redirect(url_for(endpoint, conversation_id=conversation.id))
    return _render_conversation(conversation, form, staff, 400)


def _poll(conversation):
    """The messages after the form's ``after`` id; the viewer has now been shown them all, so
    the read mark moves (a POST: the page's script sends it at once, then every few seconds)."""
    after_id = max(request.form.get("after", 0, type=int), 0)
    names = _names([conversation])
    rows = chat.messages_after(conversation, after_id)
    chat.read_up_to(conversation, current_user.id, rows[-1].id if rows else after_id)
    db.session.commit()
    return jsonify(messages=[chat.message_json(m, names, current_user.id) for m in rows])


@bp.route("/messages/<conversation_id>", methods=["GET", "POST"])
@login_required
def conversation(conversation_id):
    """A thread with a professor; new messages appear by polling."""
    conversation = chat.student_conversation_or_404(current_user.id, conversation_id)
    form = forms.MessageForm()
    if request.method == "POST":
        return _post_message(conversation, form, staff=False)
    return _render_conversation(conversation, form, staff=False)


@bp.route("/messages/<conversation_id>/poll", methods=["POST"])
@login_required
def conversation_poll(conversation_id):
    """JSON: the thread's messages after the form's ``after`` id (and marks them read)."""
    return _poll(chat.student_conversation_or_404(current_user.id, conversation_id))


# --- office hours --------------------------------------------------------------------------


@bp.route("/office-hours")
@login_required
def office_hours():
    """Bookable slots of the student's professors, and the student's bookings."""
    topic = request.args.get("topic", "")[:120]
    slots = meetings.bookable_slots(current_user.id)
    mine = meetings.student_bookings(current_user.id)
    booked_slot_ids = {b.slot_id for b in mine}
    return render_template(
        "education/office_hours.html",
        slots=slots,
        bookings=mine,
        booked_slot_ids=booked_slot_ids,
        topic=topic,
        form=forms.BookingForm(topic=topic),
        closes_at=meetings.closes_at,
        active=meetings.active_bookings,
        location=meetings.slot_location,
        professors={u.id: u for u, _c in chat.professors_for(current_user.id)},
    )


@bp.post("/office-hours/<slot_id>/book")
@login_required
def book(slot_id):
    """Book a slot."""
    slot = db.get_or_404(EducationOfficeHourSlot, chat.id_or_404(slot_id))
    if slot.professor_id not in {u.id for u, _c in chat.professors_for(current_user.id)}:
        abort(404)
    form = forms.BookingForm()
    if not form.validate_on_submit():
        flash(_("Check the topic and note: they are too long."), "danger")
        return redirect(url_for("education.office_hours")), 303
    try:
        booking = meetings.book_slot(
            current_user.id, slot, form.topic.data or "", form.note.data or ""
        )
    except services.EducationError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("education.office_hours"))
    return saved(
        url_for("education.office_hours", _anchor=f"booking-{booking.id}"),
        _("Booked. Add it to your calendar with the invitation below."),
    )


@bp.post("/bookings/<booking_id>/cancel")
@login_required
def cancel(booking_id):
    """Cancel one of the student's bookings."""
    booking = owned_or_404(EducationBooking, booking_id, current_user.id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        meetings.cancel_booking(booking)
    except services.EducationError as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("Booking cancelled."), "info")
    return redirect(url_for("education.office_hours"))


@bp.route("/bookings/<booking_id>.ics")
@login_required
def booking_ics(booking_id):
    """The booking's calendar invitation; once cancelled, the cancellation (same UID)."""
    booking = owned_or_404(EducationBooking, booking_id, current_user.id)
    return Response(
        meetings.booking_ics(booking),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="office-hours-{booking.id}.ics"'},
    )


# The professor pages register themselves on this blueprint.
from dcx.education import staff_views  # noqa: E402, F401
