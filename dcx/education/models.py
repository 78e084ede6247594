"""Education tables: courses, modules, textbook chapters, tests, attempts, chat and office hours."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin, UTCDateTime, one_of
from dcx.extensions import Model
from dcx.platform import clock

SCORING_RULES = ("highest", "last")


class QuestionKind(StrEnum):
    """How a test question is answered: one choice, several choices, or a number."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    NUMERIC = "numeric"


QUESTION_KINDS = tuple(member.value for member in QuestionKind)


class EducationCourse(IdMixin, Model):
    """A university course taught by one professor, scored by its rule (highest or last)."""

    __tablename__ = "education_course"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")
    professor_id: Mapped[int] = mapped_column(ForeignKey("account_user.id", ondelete="CASCADE"))
    scoring_rule: Mapped[str] = mapped_column(String(10), default="highest")

    modules: Mapped[list[EducationModule]] = relationship(
        back_populates="course", order_by="EducationModule.position", cascade="all, delete-orphan"
    )
    topics: Mapped[list[EducationCourseTopic]] = relationship(
        back_populates="course", order_by="EducationCourseTopic.name", cascade="all, delete-orphan"
    )


class EducationCourseTopic(IdMixin, Model):
    """A topic of a course that questions, sections and exercises are tagged with."""

    __tablename__ = "education_topic"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("education_course.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))

    course: Mapped[EducationCourse] = relationship(back_populates="topics")


class EducationEnrollment(IdMixin, OwnedMixin, Model):
    """A student taking a course; ``last_active_at`` feeds the inactivity nudge."""

    __tablename__ = "education_enrollment"
    __owner_indexed__ = True
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("education_course.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    course: Mapped[EducationCourse] = relationship()


class EducationModule(IdMixin, Model):
    """One module of a course, in order; it ends with a test."""

    __tablename__ = "education_module"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("education_course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[EducationCourse] = relationship(back_populates="modules")
    chapters: Mapped[list[EducationChapter]] = relationship(
        back_populates="module", order_by="EducationChapter.position", cascade="all, delete-orphan"
    )
    test: Mapped[EducationModuleTest | None] = relationship(
        back_populates="module", uselist=False, cascade="all, delete-orphan"
    )


class EducationChapter(IdMixin, Model):
    """A textbook chapter of a module: a page of sections."""

    __tablename__ = "education_chapter"
    __table_args__ = (UniqueConstraint("module_id", "position"),)

    module_id: Mapped[int] = mapped_column(ForeignKey("education_module.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    reading_minutes: Mapped[int] = mapped_column(Integer, default=10)

    module: Mapped[EducationModule] = relationship(back_populates="chapters")
    sections: Mapped[list[EducationChapterSection]] = relationship(
        back_populates="chapter",
        order_by="EducationChapterSection.position",
        cascade="all, delete-orphan",
    )


class EducationChapterSection(IdMixin, Model):
    """A headed section of a chapter, tagged with a topic, with an optional figure.

    ``figure`` is data, drawn by the template: ``{"caption", "bars": [[label, value], ...]}``
    becomes an SVG bar figure, ``{"caption", "text"}`` a preformatted text figure.
    """

    __tablename__ = "education_section"
    __table_args__ = (UniqueConstraint("chapter_id", "position"),)

    chapter_id: Mapped[int] = mapped_column(ForeignKey("education_chapter.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(160))
    topic: Mapped[str] = mapped_column(String(40), default="", index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    figure: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    chapter: Mapped[EducationChapter] = relationship(back_populates="sections")

    @property
    def anchor(self) -> str:
        """The id of the section's heading on the chapter page."""
        return f"section-{self.id}"

    @property
    def paragraphs(self) -> list[str]:
        """The body split into paragraphs at blank lines."""
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class EducationChapterProgress(IdMixin, OwnedMixin, Model):
    """A student has read a chapter (progress is saved per chapter)."""

    __tablename__ = "education_chapter_progress"
    __table_args__ = (UniqueConstraint("user_id", "chapter_id"),)

    chapter_id: Mapped[int] = mapped_column(ForeignKey("education_chapter.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class EducationExercise(IdMixin, Model):
    """An extra practice exercise tagged with a topic, suggested when that topic is weak."""

    __tablename__ = "education_exercise"
    __table_args__ = (UniqueConstraint("course_id", "title"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("education_course.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(160))
    prompt: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")


class EducationModuleTest(IdMixin, Model):
    """The end-of-module test: time limit where set, attempts allowed, pass mark."""

    __tablename__ = "education_test"

    module_id: Mapped[int] = mapped_column(
        ForeignKey("education_module.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(160))
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)
    pass_mark_percent: Mapped[int] = mapped_column(Integer, default=60)

    module: Mapped[EducationModule] = relationship(back_populates="test")
    questions: Mapped[list[EducationQuestion]] = relationship(
        back_populates="test", order_by="EducationQuestion.position", cascade="all, delete-orphan"
    )


class EducationQuestion(IdMixin, Model):
    """A test question tagged with topics: single choice, multiple choice or numeric.

    ``correct`` holds the indices of the right choices (choice kinds) or ``[value]`` (numeric,
    right within ``tolerance``).
    """

    __tablename__ = "education_question"
    __table_args__ = (
        UniqueConstraint("test_id", "position"),
        one_of("kind", QuestionKind),
    )

    test_id: Mapped[int] = mapped_column(ForeignKey("education_test.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[list[float]] = mapped_column(JSON, default=list)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[int] = mapped_column(Integer, default=1)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")

    test: Mapped[EducationModuleTest] = relationship(back_populates="questions")


class EducationAttempt(IdMixin, OwnedMixin, Model):
    """One attempt of a student at a test; scored when submitted."""

    __tablename__ = "education_attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "test_id", "number"),
        Index("ix_education_attempt_test_user", "test_id", "user_id"),
    )

    test_id: Mapped[int] = mapped_column(ForeignKey("education_test.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    max_points: Mapped[float] = mapped_column(Float, default=0.0)

    test: Mapped[EducationModuleTest] = relationship()
    answers: Mapped[list[EducationAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )

    @property
    def percent(self) -> float:
        """The score as a percentage of the points possible."""
        return round(100 * self.points / self.max_points, 1) if self.max_points else 0.0


class EducationAnswer(IdMixin, Model):
    """A student's response to one question in one attempt, marked right or wrong."""

    __tablename__ = "education_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("education_attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("education_question.id", ondelete="CASCADE")
    )
    response: Mapped[list[Any]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(Float, default=0.0)

    attempt: Mapped[EducationAttempt] = relationship(back_populates="answers")
    question: Mapped[EducationQuestion] = relationship()


class EducationConversation(IdMixin, Model):
    """A one-to-one thread between a student and a professor, about a course or general.

    Each side's last read message id gives the unread counts; ``student_seen_at`` (updated while
    the student has the thread open) tells whether a reply should also notify them.
    """

    __tablename__ = "education_conversation"
    __table_args__ = (UniqueConstraint("student_id", "professor_id", "course_id"),)

    student_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    professor_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("education_course.id", ondelete="CASCADE"), nullable=True
    )
    student_last_read_id: Mapped[int] = mapped_column(Integer, default=0)
    professor_last_read_id: Mapped[int] = mapped_column(Integer, default=0)
    student_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    course: Mapped[EducationCourse | None] = relationship()
    messages: Mapped[list[EducationChatMessage]] = relationship(
        back_populates="conversation",
        order_by="EducationChatMessage.id",
        cascade="all, delete-orphan",
    )


class EducationChatMessage(IdMixin, CreatedAtMixin, Model):
    """One message in a conversation."""

    __tablename__ = "education_message"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("education_conversation.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int] = mapped_column(ForeignKey("account_user.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)

    conversation: Mapped[EducationConversation] = relationship(back_populates="messages")


class EducationOfficeHourSlot(IdMixin, Model):
    """An office-hour slot a professor publishes: time, length, place or link, capacity."""

    __tablename__ = "education_slot"
    __table_args__ = (UniqueConstraint("professor_id", "starts_at"),)

    professor_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("education_course.id", ondelete="CASCADE"), nullable=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    place: Mapped[str] = mapped_column(String(160), default="")
    video_link: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    closes_hours_before: Mapped[int] = mapped_column(Integer, default=12)

    course: Mapped[EducationCourse | None] = relationship()
    bookings: Mapped[list[EducationBooking]] = relationship(
        back_populates="slot", cascade="all, delete-orphan"
    )


class EducationBooking(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A student's booking of an office-hour slot, optionally about a topic."""

    __tablename__ = "education_booking"
    __owner_indexed__ = True
    __table_args__ = (UniqueConstraint("slot_id", "user_id"),)

    slot_id: Mapped[int] = mapped_column(ForeignKey("education_slot.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The iCalendar SEQUENCE of its invitation (RFC 5546): raised by every cancel or re-book,
    # so a calendar app applies the newest and ignores an older one.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    slot: Mapped[EducationOfficeHourSlot] = relationship(back_populates="bookings")
