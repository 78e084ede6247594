"""Education rules called directly: scoring, mastery levels, suggestions, unlocking, chat, bookings."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from dcx.education import chat, customer_card, meetings, module_tests, services, teaching
from dcx.education.models import EducationQuestion
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from tests.education.conftest import build_course, miss_beta, right_answers


def q(kind, correct, choices=("a", "b", "c"), tolerance=0.0, points=1):
    return EducationQuestion(
        kind=kind,
        prompt="?",
        choices=list(choices),
        correct=correct,
        tolerance=tolerance,
        points=points,
        topics=["t"],
    )


# --- scoring ---------------------------------------------------------------------------------


def test_single_choice_is_right_only_with_the_one_right_index():
    question = q("single", [1], points=2)
    assert module_tests.grade(question, [1]) == (True, 2.0)
    assert module_tests.grade(question, [0]) == (False, 0.0)
    assert module_tests.grade(question, [1, 0]) == (False, 0.0)
    assert module_tests.grade(question, []) == (False, 0.0)


def test_multiple_choice_needs_exactly_the_right_set():
    question = q("multiple", [0, 2])
    assert module_tests.grade(question, [2, 0]) == (True, 1.0)
    assert module_tests.grade(question, [0]) == (False, 0.0)
    assert module_tests.grade(question, [0, 1, 2]) == (False, 0.0)
    assert module_tests.grade(question, ["x"]) == (False, 0.0)


def test_numeric_is_right_within_the_tolerance_only():
    question = q("numeric", [2.67], tolerance=0.01)
    assert module_tests.grade(question, [2.67])[0]
    assert module_tests.grade(question, [2.66])[0]
    assert module_tests.grade(question, [2.68])[0]
    assert not module_tests.grade(question, [2.69])[0]
    assert not module_tests.grade(question, [])[0]
    assert not module_tests.grade(question, [float("nan")])[0]
    assert not module_tests.grade(question, ["abc"])[0]


def test_scoring_rule_takes_highest_or_last():
    assert services.score_by_rule([40.0, 80.0, 55.0], "highest") == 80.0
    assert services.score_by_rule([40.0, 80.0, 55.0], "last") == 55.0
    assert services.score_by_rule([], "highest") is None


def test_submitting_scores_the_attempt_and_unlocks_the_next_module(world):
    t = world
    assert not services.module_unlocked(t.student.id, t.m2)
    attempt = module_tests.start_attempt(t.student.id, t.t1)
    module_tests.submit_attempt(attempt, miss_beta(t))
    db.session.commit()
    # q1 (1) + q2 (1) right; q3 (2) and q4 (1) wrong: 2 of 5 points
    assert (attempt.points, attempt.max_points, attempt.percent) == (2.0, 5.0, 40.0)
    assert not services.module_unlocked(t.student.id, t.m2)
    second = module_tests.start_attempt(t.student.id, t.t1)
    module_tests.submit_attempt(second, right_answers(t))
    assert second.percent == 100.0
    assert services.module_unlocked(t.student.id, t.m2)
    assert services.module_score(t.student.id, t.t1, "highest") == 100.0


def test_last_attempt_rule_can_lock_the_next_module_again(app):
    from tests.conftest import make_user

    professor = make_user("p2@example.com", role="staff", department="education")
    student = make_user("s2@example.com")
    t = build_course(professor, code="LAST1", rule="last")
    services.enroll(student.id, t.course)
    module_tests.submit_attempt(module_tests.start_attempt(student.id, t.t1), right_answers(t))
    assert services.module_unlocked(student.id, t.m2)
    module_tests.submit_attempt(module_tests.start_attempt(student.id, t.t1), {})
    assert services.module_score(student.id, t.t1, "last") == 0.0
    assert not services.module_unlocked(student.id, t.m2)


def test_a_locked_module_cannot_be_attempted_and_attempts_run_out(world):
    t = world
    with pytest.raises(services.EducationError, match="locked"):
        module_tests.start_attempt(t.student.id, t.t2)
    for _ in range(3):
        module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), {})
    with pytest.raises(services.EducationError, match="every attempt"):
        module_tests.start_attempt(t.student.id, t.t1)


def test_an_open_attempt_is_resumed_not_duplicated(world):
    t = world
    first = module_tests.start_attempt(world.student.id, t.t1)
    assert module_tests.start_attempt(world.student.id, t.t1).id == first.id
    assert module_tests.attempts_used(world.student.id, t.t1) == 1


def test_an_answer_after_the_time_limit_scores_zero(app):
    from tests.conftest import make_user

    professor = make_user("p3@example.com", role="staff", department="education")
    student = make_user("s3@example.com")
    t = build_course(professor, code="TIME1", time_limit=10)
    services.enroll(student.id, t.course)
    attempt = module_tests.start_attempt(student.id, t.t1)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=10)
    clock.advance(timedelta(minutes=11))
    module_tests.submit_attempt(attempt, right_answers(t))
    assert attempt.late and attempt.points == 0.0


def test_a_submitted_attempt_cannot_be_submitted_again(world):
    attempt = module_tests.start_attempt(world.student.id, world.t1)
    module_tests.submit_attempt(attempt, {})
    with pytest.raises(services.EducationError):
        module_tests.submit_attempt(attempt, right_answers(world))


# --- mastery ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "earned,possible,level",
    [
        (10, 10, "mastered"),
        (9, 10, "mastered"),
        (8.9, 10, "proficient"),
        (7, 10, "proficient"),
        (6.9, 10, "familiar"),
        (5, 10, "familiar"),
        (4.9, 10, "attempted"),
        (0, 10, "attempted"),
        (0, 0, None),
    ],
)
def test_mastery_levels_follow_the_thresholds(earned, possible, level):
    assert services.mastery_level(earned, possible) == level


def test_mastery_sums_points_across_attempts_and_shares_multi_topic_questions(world):
    t = world
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), miss_beta(t))
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), right_answers(t))
    by_key = {m.key: m for m in services.topic_mastery(t.student.id, t.course)}
    # alpha: q1, q2, q4 (3 points an attempt): 2 then 3 -> 5 of 6
    assert (by_key["alpha"].earned, by_key["alpha"].possible) == (5.0, 6.0)
    assert by_key["alpha"].level == "proficient"
    # beta: q3 (2) and q4 (1): 0 then 3 -> 3 of 6
    assert (by_key["beta"].earned, by_key["beta"].possible) == (3.0, 6.0)
    assert by_key["beta"].level == "familiar" and by_key["beta"].weak


def test_another_students_attempts_do_not_count(world):
    module_tests.submit_attempt(module_tests.start_attempt(world.other.id, world.t1), {})
    assert all(m.possible == 0 for m in services.topic_mastery(world.student.id, world.course))


# --- suggestions -----------------------------------------------------------------------------


def test_weak_topic_suggests_its_sections_and_exercises_and_names_the_missed_questions(world):
    t = world
    only_q3_wrong = right_answers(t) | {t.q[2].id: [9]}
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), only_q3_wrong)
    suggestions = services.suggestions(t.student.id, t.course)
    assert [s.key for s in suggestions] == ["beta"]  # alpha: 3 of 3
    beta = suggestions[0]
    assert [s.heading for s in beta.sections] == ["About beta"]
    assert [e.title for e in beta.exercises] == ["Beta drill"]
    assert [(m.position, m.prompt) for m in beta.missed] == [(3, "Beta number?")]
    assert "question 3: Beta number?" in beta.reason
    assert "33%" in beta.reason


def test_a_missed_question_on_two_topics_counts_against_both(world):
    t = world
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), miss_beta(t))
    suggestions = {s.key: s for s in services.suggestions(t.student.id, t.course)}
    assert [m.position for m in suggestions["beta"].missed] == [3, 4]
    assert [m.position for m in suggestions["alpha"].missed] == [4]  # alpha at 2 of 3
    assert suggestions["alpha"].mastery.level == "familiar"
    assert [s.heading for s in suggestions["alpha"].sections] == ["About alpha", "Later"]


def test_no_suggestions_without_weak_topics_or_attempts(world):
    assert services.suggestions(world.student.id, world.course) == []
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), right_answers(world)
    )
    assert services.suggestions(world.student.id, world.course) == []


def test_a_question_answered_right_later_is_no_longer_named(world):
    t = world
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), miss_beta(t))
    fixed = miss_beta(t) | {t.q[3].id: [0]}  # q4 now right, q3 still wrong
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), fixed)
    beta = {s.key: s for s in services.suggestions(t.student.id, t.course)}["beta"]
    assert [m.position for m in beta.missed] == [3]
    assert beta.missed[0].attempt_number == 2


# --- progress --------------------------------------------------------------------------------


def test_progress_is_saved_per_chapter_once(world):
    t = world
    assert services.mark_chapter_read(t.student.id, t.chapter) is True
    assert services.mark_chapter_read(t.student.id, t.chapter) is False
    progress = services.course_progress(t.student.id, t.course)
    assert (progress.chapters_read, progress.chapters_total) == (1, 2)
    assert (progress.modules_passed, progress.modules_total) == (0, 2)
    assert progress.percent == 25
    assert services.next_step(t.student.id, t.course)[1] == f"/education/tests/{t.t1.id}"


# --- chat ------------------------------------------------------------------------------------


def _replies(user_id):
    return (
        db.session.execute(
            select(Message).where(Message.user_id == user_id, Message.topic == "education.reply")
        )
        .scalars()
        .all()
    )


def test_a_reply_notifies_an_away_student_but_not_one_with_the_thread_open(world):
    t = world
    conversation = chat.open_conversation(t.student.id, t.professor.id, t.course.id)
    chat.send_message(conversation, t.student.id, "Question about beta")
    chat.send_message(conversation, t.professor.id, "Here is the answer")
    assert len(_replies(t.student.id)) == 1  # never seen: away
    shown = chat.messages_after(conversation)[-1].id
    chat.read_up_to(conversation, t.student.id, shown)  # the student has the thread open
    chat.send_message(conversation, t.professor.id, "And one more thing")
    assert len(_replies(t.student.id)) == 1
    clock.advance(services.AWAY_AFTER + timedelta(seconds=1))
    chat.send_message(conversation, t.professor.id, "Are you still there?")
    replies = _replies(t.student.id)
    assert len(replies) == 2 and replies[-1].link == f"/education/messages/{conversation.id}"


def test_unread_counts_per_side(world):
    t = world
    conversation = chat.open_conversation(t.student.id, t.professor.id, None)
    chat.send_message(conversation, t.student.id, "one")
    chat.send_message(conversation, t.student.id, "two")
    assert chat.unread_counts([conversation], t.professor.id) == {conversation.id: 2}
    assert chat.unread_counts([conversation], t.student.id) == {conversation.id: 0}
    first, second = chat.messages_after(conversation)
    assert chat.unread_counts([conversation], t.professor.id) == {conversation.id: 2}  # read only
    chat.read_up_to(conversation, t.professor.id, first.id)
    assert chat.unread_counts([conversation], t.professor.id) == {conversation.id: 1}
    chat.read_up_to(conversation, t.professor.id, second.id + 1000)  # never past the last one
    assert conversation.professor_last_read_id == second.id
    chat.read_up_to(conversation, t.professor.id, 0)  # never back
    assert chat.unread_counts([conversation], t.professor.id) == {conversation.id: 0}


def test_only_your_courses_professors_can_be_messaged(world):
    from tests.conftest import make_user

    stranger = make_user("stranger@example.com", role="staff", department="education")
    with pytest.raises(services.EducationError):
        chat.open_conversation(world.student.id, stranger.id, None)
    with pytest.raises(services.EducationError):
        chat.send_message(
            chat.open_conversation(world.student.id, world.professor.id, None),
            world.student.id,
            "  ",
        )


# --- office hours ----------------------------------------------------------------------------


def test_booking_respects_capacity_closing_time_and_cancellation(world):
    t = world
    booking = meetings.book_slot(t.student.id, t.slot, "Beta topic")
    with pytest.raises(services.EducationError, match="already"):
        meetings.book_slot(t.student.id, t.slot)
    with pytest.raises(services.EducationError, match="full"):
        meetings.book_slot(t.other.id, t.slot)
    meetings.cancel_booking(booking)
    assert meetings.book_slot(t.other.id, t.slot).slot_id == t.slot.id
    assert meetings.student_bookings(t.student.id) == []
    clock.advance(timedelta(days=2) - timedelta(hours=11))  # 11 hours before: closed (12)
    meetings.cancel_booking(meetings.student_bookings(t.other.id)[0])
    with pytest.raises(services.EducationError, match="closed"):
        meetings.book_slot(t.student.id, t.slot)


def test_the_invitation_is_a_valid_calendar_event_and_feeds_the_calendar(world):
    t = world
    booking = meetings.book_slot(t.student.id, t.slot, "Beta topic")
    cal = Calendar.from_ical(meetings.booking_ics(booking))
    event = cal.walk("VEVENT")[0]
    assert event.decoded("dtstart") == t.slot.starts_at
    assert event.decoded("dtend") == t.slot.starts_at + timedelta(minutes=30)
    assert "Prof Plum" in str(event["summary"])
    assert "Room 1" in str(event["location"])
    assert "student@example.com" in str(event["attendee"])
    assert str(cal["method"]) == "REQUEST"  # an invitation calendar apps offer to accept
    assert str(event["organizer"]) == f"mailto:{t.professor.email}"
    assert event["organizer"].params["cn"] == "Prof Plum"
    assert event["attendee"].params["role"] == "REQ-PARTICIPANT"
    entries = meetings.calendar_entries(t.student.id)
    assert [(e.uid, e.starts_at) for e in entries] == [(str(event["uid"]), t.slot.starts_at)]
    assert "Beta topic" in entries[0].description
    # the professor was told
    assert db.session.execute(
        select(Message).where(
            Message.user_id == t.professor.id, Message.topic == "education.booking"
        )
    ).scalar_one()


# --- professor side --------------------------------------------------------------------------


def test_class_overview_finds_stuck_students_and_class_difficulty(world):
    t = world
    for _ in range(2):
        module_tests.submit_attempt(module_tests.start_attempt(t.other.id, t.t1), {})
    module_tests.submit_attempt(module_tests.start_attempt(t.student.id, t.t1), miss_beta(t))
    rows, totals = teaching.class_overview(t.course)
    by_email = {r.user.email: r for r in rows}
    assert by_email["other@example.com"].stuck_reasons == ["failed Test one 2 times"]
    assert by_email["student@example.com"].stuck_reasons == []
    totals = {m.key: m for m in totals}
    # alpha: student 2/3, other 0/3 twice -> 2 of 9
    assert (totals["alpha"].earned, totals["alpha"].possible) == (2.0, 9.0)
    assert by_email["student@example.com"].mastery["beta"].percent == 0
    clock.advance(timedelta(days=8))
    rows, _ = teaching.class_overview(t.course)
    assert any(
        "inactive for 8 days" in r
        for r in {x.user.email: x for x in rows}["student@example.com"].stuck_reasons
    )


def test_heat_colour_runs_from_red_to_green():
    assert teaching.heat_colour(0.0).startswith("hsl(0,")
    assert teaching.heat_colour(1.0).startswith("hsl(130,")
    assert teaching.heat_colour(None) == "#f1f3f5"


def test_summary_card_names_progress_and_weak_topics(world):
    assert customer_card.summary_card(world.professor.id) is None
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    card = customer_card.summary_card(world.student.id)
    assert card["title"] == "Education"
    assert "TST100" in card["lines"][0] and "weak: Beta topic" in card["lines"][0]


def test_one_failed_attempt_or_one_quiet_day_is_singular_in_english(app, world, monkeypatch):
    monkeypatch.setattr(services, "STUCK_AFTER_FAILED_ATTEMPTS", 1)
    monkeypatch.setattr(services, "INACTIVE_AFTER", timedelta(hours=12))
    module_tests.submit_attempt(module_tests.start_attempt(world.other.id, world.t1), {})
    clock.advance(timedelta(days=1, hours=1))
    rows, _ = teaching.class_overview(world.course)
    reasons = {r.user.email: r.stuck_reasons for r in rows}["other@example.com"]
    assert reasons == ["failed Test one 1 time", "inactive for 1 day"]


def test_next_steps_of_a_class_in_the_queries_of_one_student(world, query_counter):
    t = world
    services.mark_chapter_read(t.other.id, t.chapter)
    db.session.commit()
    services.next_steps(t.course, [t.student.id, t.other.id])  # the course's rows loaded
    with query_counter() as one:
        alone = services.next_steps(t.course, [t.student.id])
    with query_counter() as both:
        steps = services.next_steps(t.course, [t.student.id, t.other.id])
    assert one() == both()
    assert steps[t.student.id][1] == alone[t.student.id][1] == f"/education/chapters/{t.chapter.id}"
    assert steps[t.other.id][1] == f"/education/tests/{t.t1.id}"
    assert services.next_step(t.other.id, t.course)[1] == steps[t.other.id][1]
