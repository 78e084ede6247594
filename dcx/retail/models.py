"""Retail tables: the bookstore's catalogue, orders, café reservations, shelves, reviews,
discussion groups, events and the recommendations it sent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
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

SHELVES = ("want", "reading", "read")


class RsvpStatus(StrEnum):
    """A reader's answer to a store event; ``waitlisted`` when it was full."""

    GOING = "going"
    INTERESTED = "interested"
    NOT_GOING = "not_going"
    WAITLISTED = "waitlisted"


class EventKind(StrEnum):
    """Where a store event happens: online (a link) or in the shop (an address)."""

    VIRTUAL = "virtual"
    IN_STORE = "in_store"


class ReservationOutcome(StrEnum):
    """A title at the café table: pending, then kept (bought) or returned to the shelf."""

    PENDING = "pending"
    KEPT = "kept"
    RETURNED = "returned"


RSVP_STATUSES = tuple(member.value for member in RsvpStatus)


class RetailBook(IdMixin, CreatedAtMixin, Model):
    """A title in the catalogue, known by its ISBN-13.

    ``authors`` and ``subjects`` are kept as ``;``-wrapped lists (``;Fiction;Mystery;``) so a
    filter by one of them is an indexed-free but exact ``LIKE '%;Mystery;%'``.
    """

    __tablename__ = "retail_book"

    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    authors: Mapped[str] = mapped_column(String(300), default="")
    subjects: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    cover_url: Mapped[str] = mapped_column(String(500), default="")
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    @property
    def author_list(self) -> list[str]:
        """The authors, in order."""
        return [a for a in self.authors.split(";") if a]

    @property
    def subject_list(self) -> list[str]:
        """The subjects, in order."""
        return [s for s in self.subjects.split(";") if s]

    @property
    def author_line(self) -> str:
        """The authors joined for display."""
        return ", ".join(self.author_list)


class RetailOrder(IdMixin, OwnedMixin, Model):
    """A purchase by a customer: placed online, or kept from a café reservation."""

    __tablename__ = "retail_order"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="online")
    total_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    lines: Mapped[list[RetailOrderLine]] = relationship(
        "dcx.retail.models.RetailOrderLine",
        back_populates="order",
        cascade="all, delete-orphan",
        order_by=lambda: RetailOrderLine.id,
    )

    __table_args__ = (Index("ix_retail_order_user_placed", "user_id", "placed_at"),)


class RetailCoPurchase(Model):
    """How many customers bought both of two titles (kept as each order is placed).

    Both orders of a pair are kept, so a title's neighbours are one indexed read; the row
    of a title with itself counts its buyers. See ``dcx.retail.co_purchases``.
    """

    __tablename__ = "retail_co_purchase"

    book_id: Mapped[int] = mapped_column(
        ForeignKey("retail_book.id", ondelete="CASCADE"), primary_key=True
    )
    other_book_id: Mapped[int] = mapped_column(
        ForeignKey("retail_book.id", ondelete="CASCADE"), primary_key=True
    )
    customers: Mapped[int] = mapped_column(Integer, default=0)


class RetailOrderLine(IdMixin, Model):
    """One title in an order, at the price paid."""

    __tablename__ = "retail_order_line"
    __table_args__ = (UniqueConstraint("order_id", "book_id"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("retail_order.id", ondelete="CASCADE"))
    book_id: Mapped[int] = mapped_column(ForeignKey("retail_book.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price_minor: Mapped[int] = mapped_column(Integer)

    order: Mapped[RetailOrder] = relationship(
        "dcx.retail.models.RetailOrder", back_populates="lines"
    )
    book: Mapped[RetailBook] = relationship("dcx.retail.models.RetailBook")


class RetailReservation(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """Titles set aside at the café table for one day, to browse before choosing."""

    __tablename__ = "retail_reservation"

    day: Mapped[date] = mapped_column(Date, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("retail_order.id"), nullable=True)

    user = relationship("dcx.platform.accounts.models.User")
    items: Mapped[list[RetailReservationItem]] = relationship(
        "dcx.retail.models.RetailReservationItem",
        back_populates="reservation",
        cascade="all, delete-orphan",
        order_by=lambda: RetailReservationItem.id,
    )

    @property
    def open(self) -> bool:
        """True while some title is still waiting for keep or return."""
        return any(item.outcome == ReservationOutcome.PENDING for item in self.items)


class RetailReservationItem(IdMixin, Model):
    """One title at the café table: pending, then kept (bought) or returned to the shelf."""

    __tablename__ = "retail_reservation_item"
    __table_args__ = (
        UniqueConstraint("reservation_id", "book_id"),
        one_of("outcome", ReservationOutcome),
    )

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("retail_reservation.id", ondelete="CASCADE")
    )
    book_id: Mapped[int] = mapped_column(ForeignKey("retail_book.id"))
    outcome: Mapped[str] = mapped_column(String(12), default=ReservationOutcome.PENDING.value)

    reservation: Mapped[RetailReservation] = relationship(
        "dcx.retail.models.RetailReservation", back_populates="items"
    )
    book: Mapped[RetailBook] = relationship("dcx.retail.models.RetailBook")


class RetailShelfEntry(IdMixin, OwnedMixin, Model):
    """A book on one of the customer's shelves: want to read, reading or read."""

    __tablename__ = "retail_shelf_entry"
    __table_args__ = (UniqueConstraint("user_id", "book_id"),)

    book_id: Mapped[int] = mapped_column(ForeignKey("retail_book.id"))
    shelf: Mapped[str] = mapped_column(String(10))
    finished_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    book: Mapped[RetailBook] = relationship("dcx.retail.models.RetailBook")


class RetailReadingGoal(IdMixin, OwnedMixin, Model):
    """How many books the customer means to read in one year."""

    __tablename__ = "retail_reading_goal"
    __table_args__ = (UniqueConstraint("user_id", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)


class RetailReview(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A customer's review of a book: one per book per customer, rated in half stars."""

    __tablename__ = "retail_review"
    __table_args__ = (UniqueConstraint("user_id", "book_id"),)

    book_id: Mapped[int] = mapped_column(ForeignKey("retail_book.id"), index=True)
    # Half stars as an integer: 1 = 0.5 stars ... 10 = 5 stars, so sums and averages are exact.
    half_stars: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    book: Mapped[RetailBook] = relationship("dcx.retail.models.RetailBook")
    author = relationship("dcx.platform.accounts.models.User")

    @property
    def stars(self) -> float:
        """The rating in stars (0.5 to 5)."""
        return self.half_stars / 2


class RetailHelpfulVote(IdMixin, OwnedMixin, Model):
    """A customer found a review helpful (once per review)."""

    __tablename__ = "retail_helpful_vote"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("retail_review.id", ondelete="CASCADE"))


class RetailClub(IdMixin, Model):
    """What a book club (a community space of the bookstore) reads now."""

    __tablename__ = "retail_club"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("community_space.id", ondelete="CASCADE"), unique=True
    )
    current_book_id: Mapped[int | None] = mapped_column(ForeignKey("retail_book.id"), nullable=True)

    current_book: Mapped[RetailBook | None] = relationship("dcx.retail.models.RetailBook")


class RetailClubReading(IdMixin, Model):
    """One step of a book club's reading schedule: read this far by this date."""

    __tablename__ = "retail_club_reading"
    __table_args__ = (UniqueConstraint("space_id", "due_on"),)

    space_id: Mapped[int] = mapped_column(ForeignKey("community_space.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    reading: Mapped[str] = mapped_column(String(200))


class RetailContentReport(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A customer reported a review; staff hide it or dismiss the report.

    Reports of book-club posts are the community's (:class:`CommunityReport`).
    """

    __tablename__ = "retail_content_report"
    __table_args__ = (UniqueConstraint("user_id", "review_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("retail_review.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    resolution: Mapped[str] = mapped_column(String(12), default="")  # "", hidden, dismissed

    review: Mapped[RetailReview] = relationship("dcx.retail.models.RetailReview")


class RetailEvent(IdMixin, Model):
    """A virtual (link) or in-store (address) event with limited seats."""

    __tablename__ = "retail_event"
    __table_args__ = (one_of("kind", EventKind),)

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10))
    link: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    book_id: Mapped[int | None] = mapped_column(ForeignKey("retail_book.id"), nullable=True)

    book: Mapped[RetailBook | None] = relationship("dcx.retail.models.RetailBook")

    @property
    def where(self) -> str:
        """The address, or the link of a virtual event."""
        return self.link if self.kind == EventKind.VIRTUAL else self.address


class RetailRsvp(IdMixin, OwnedMixin, Model):
    """A customer's answer to an event; ``waitlisted`` waits for a freed seat, in order."""

    __tablename__ = "retail_rsvp"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_retail_rsvp_event_status", "event_id", "status"),
        one_of("status", RsvpStatus),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("retail_event.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    # When the customer joined the waitlist: the first in line gets the next freed seat.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    event: Mapped[RetailEvent] = relationship("dcx.retail.models.RetailEvent")
    user = relationship("dcx.platform.accounts.models.User")


class RetailRecommendationSent(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A title recommended to a customer in a monthly "new for you" message."""

    __tablename__ = "retail_recommendation_sent"
    __table_args__ = (UniqueConstraint("user_id", "book_id", "period"),)

    book_id: Mapped[int] = mapped_column(ForeignKey("retail_book.id"), index=True)
    because_book_id: Mapped[int | None] = mapped_column(ForeignKey("retail_book.id"), nullable=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
