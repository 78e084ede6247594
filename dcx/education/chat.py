"""Chat between a student and the professors of their courses, with notifications when away."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.database import rows_where
from dcx.education.models import (
    EducationChatMessage,
    EducationConversation,
    EducationCourse,
    EducationEnrollment,
)
from dcx.education.services import AWAY_AFTER, EducationError, _short, touch
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.inputs import db_int
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales

# --- chat ----------------------------------------------------------------------------------


def professors_for(user_id: int) -> list[tuple[User, EducationCourse]]:
    """The professors of the student's courses, with the course."""
    stmt = (
        select(User, EducationCourse)
        .join(EducationCourse, EducationCourse.professor_id == User.id)
        .join(EducationEnrollment, EducationEnrollment.course_id == EducationCourse.id)
        .where(EducationEnrollment.user_id == user_id)
        .order_by(EducationCourse.code)
    )
    return [(u, c) for u, c in db.session.execute(stmt).all()]


def open_conversation(
    student_id: int, professor_id: int, course_id: int | None
) -> EducationConversation:
    """Get or create the thread between a student and a professor (per course or direct).

    EducationError unless the professor teaches one of the student's courses (and, for a
    course thread, that very course).
    """
    taught = {c.id for u, c in professors_for(student_id) if u.id == professor_id}
    if not taught or (course_id is not None and course_id not in taught):
        raise EducationError(_l("You can message only the professors of your courses."))
    stmt = select(EducationConversation).where(
        EducationConversation.student_id == student_id,
        EducationConversation.professor_id == professor_id,
        EducationConversation.course_id.is_(None)
        if course_id is None
        else EducationConversation.course_id == course_id,
    )
    conversation = db.session.execute(stmt).scalar_one_or_none()
    if conversation is None:
        conversation = EducationConversation(
            student_id=student_id, professor_id=professor_id, course_id=course_id
        )
        db.session.add(conversation)
        db.session.flush()
    return conversation


def student_conversation_or_404(user_id: int, conversation_id: Any) -> EducationConversation:
    """One of the student's own threads; any other id answers 404."""
    from dcx.database import owned_or_404

    return owned_or_404(EducationConversation, conversation_id, user_id, owner_attr="student_id")


def professor_conversation_or_404(user: User, conversation_id: Any) -> EducationConversation:
    """A thread of this professor (admins: any); any other id answers 404."""
    from dcx.database import owned_or_404

    if user.is_admin:
        return db.get_or_404(EducationConversation, id_or_404(conversation_id))
    return owned_or_404(EducationConversation, conversation_id, user.id, owner_attr="professor_id")


def id_or_404(value: Any) -> int:
    """An id from a URL as an int an INTEGER column holds; anything else answers 404."""
    try:
        return db_int(value)
    except (TypeError, ValueError):
        abort(404)


def is_student_side(conversation: EducationConversation, user_id: int) -> bool:
    """True when ``user_id`` is the student of the thread."""
    return conversation.student_id == user_id


def send_message(
    conversation: EducationConversation, sender_id: int, body: str
) -> EducationChatMessage:
    """Post a message; a professor's reply notifies the student when they are away."""
    body = body.strip()
    if not body:
        raise EducationError(_l("Write a message first."))
    message = EducationChatMessage(
        conversation_id=conversation.id, sender_id=sender_id, body=body[:4000]
    )
    db.session.add(message)
    conversation.updated_at = clock.now()
    db.session.flush()
    if sender_id == conversation.student_id:
        conversation.student_last_read_id = message.id
        if conversation.course_id:
            touch(sender_id, conversation.course_id)
    else:
        conversation.professor_last_read_id = message.id
        seen = conversation.student_seen_at
        if seen is None or clock.now() - seen > AWAY_AFTER:
            sender = db.session.get_one(User, sender_id)
            student = conversation.student_id
            with in_locale(recipient_locales([student])[student]):
                title = str(_l("%(name)s replied", name=sender.name))
            notify(
                conversation.student_id,
                "education.reply",
                title,
                _short(body, 180),
                link("education.conversation", conversation_id=conversation.id),
                key=f"education.reply:{message.id}",
            )
    db.session.flush()
    return message


def messages_after(
    conversation: EducationConversation, after_id: int = 0
) -> list[EducationChatMessage]:
    """The thread's messages newer than ``after_id``, oldest first (reading them writes nothing)."""
    return rows_where(
        EducationChatMessage,
        EducationChatMessage.conversation_id == conversation.id,
        EducationChatMessage.id > after_id,
        order_by=(EducationChatMessage.id,),
    )


def read_up_to(conversation: EducationConversation, viewer_id: int, message_id: int) -> None:
    """The viewer, with the thread open, has been shown its messages up to ``message_id``.

    Their read mark moves there (never back, never past the thread's last message); when the
    viewer is the student this also notes that they are present (not away).
    """
    last = (
        db.session.scalar(
            select(func.max(EducationChatMessage.id)).where(
                EducationChatMessage.conversation_id == conversation.id,
                EducationChatMessage.id <= message_id,
            )
        )
        or 0
    )
    if viewer_id == conversation.student_id:
        conversation.student_seen_at = clock.now()
        conversation.student_last_read_id = max(conversation.student_last_read_id, last)
    elif viewer_id == conversation.professor_id:
        conversation.professor_last_read_id = max(conversation.professor_last_read_id, last)
    db.session.flush()


def unread_counts(conversations: list[EducationConversation], viewer_id: int) -> dict[int, int]:
    """Unread messages per thread for the viewer (messages from the other side, not yet read)."""
    if not conversations:
        return {}
    counts: dict[int, int] = {}
    for conversation in conversations:
        last_read = (
            conversation.student_last_read_id
            if viewer_id == conversation.student_id
            else conversation.professor_last_read_id
        )
        counts[conversation.id] = db.session.execute(
            select(func.count(EducationChatMessage.id)).where(
                EducationChatMessage.conversation_id == conversation.id,
                EducationChatMessage.id > last_read,
                EducationChatMessage.sender_id != viewer_id,
            )
        ).scalar_one()
    return counts


def student_conversations(user_id: int) -> list[EducationConversation]:
    """The student's threads, most recent first."""
    return rows_where(
        EducationConversation,
        EducationConversation.student_id == user_id,
        order_by=(EducationConversation.updated_at.desc(),),
    )


def professor_conversations(professor_id: int) -> list[EducationConversation]:
    """The professor's threads, most recent first."""
    return rows_where(
        EducationConversation,
        EducationConversation.professor_id == professor_id,
        order_by=(EducationConversation.updated_at.desc(),),
    )


def message_json(
    message: EducationChatMessage, names: dict[int, str], viewer_id: int
) -> dict[str, Any]:
    """A message as the polling endpoint returns it."""
    return {
        "id": message.id,
        "sender": names.get(message.sender_id, ""),
        "mine": message.sender_id == viewer_id,
        "body": message.body,
        "at": message.created_at.isoformat(),
    }
