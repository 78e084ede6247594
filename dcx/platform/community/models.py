"""The community's tables, shared by every vertical (each row says whose it is)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin, UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class ReportStatus(StrEnum):
    """Where a report stands: waiting for a moderator, or resolved one way or the other."""

    OPEN = "open"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class CommunitySpace(IdMixin, Model):
    """A place to talk: a health goal group, a book club. ``topic`` is the vertical's own tag."""

    __tablename__ = "community_space"
    __table_args__ = (UniqueConstraint("vertical", "slug"),)

    vertical: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(32), default="")


class CommunityMembership(IdMixin, OwnedMixin, Model):
    """A person belongs to a space."""

    __tablename__ = "community_membership"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)
    __owner_indexed__ = True

    space_id: Mapped[int] = mapped_column(ForeignKey("community_space.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CommunityThread(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A titled conversation in a space (spaces may also hold untitled posts)."""

    __tablename__ = "community_thread"
    __table_args__ = (UniqueConstraint("space_id", "title"),)

    space_id: Mapped[int] = mapped_column(ForeignKey("community_space.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))

    space: Mapped[CommunitySpace] = relationship("dcx.platform.community.models.CommunitySpace")
    posts: Mapped[list[CommunityPost]] = relationship(
        "dcx.platform.community.models.CommunityPost",
        back_populates="thread",
        cascade="all, delete-orphan",
        order_by=lambda: CommunityPost.id,
    )


class CommunityPost(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A message in a space: in a thread, a reply to a post (``parent_id``), or on its own.

    Hidden posts are shown to no one.
    """

    __tablename__ = "community_post"
    __table_args__ = (Index("ix_community_post_space_time", "space_id", "created_at"),)

    space_id: Mapped[int] = mapped_column(ForeignKey("community_space.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_thread.id", ondelete="CASCADE"), nullable=True, index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    thread: Mapped[CommunityThread | None] = relationship(
        "dcx.platform.community.models.CommunityThread", back_populates="posts"
    )
    author = relationship("dcx.platform.accounts.models.User")


class CommunityReaction(IdMixin, OwnedMixin, Model):
    """One person reacting to a post (a cheer), once per post."""

    __tablename__ = "community_reaction"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("community_post.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="cheer")


class CommunityReport(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """One person reporting a post to the moderators, once per post."""

    __tablename__ = "community_report"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        CheckConstraint("status IN ('open', 'hidden', 'dismissed')", name="status"),
        Index("ix_community_report_status_post", "status", "post_id"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("community_post.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default=ReportStatus.OPEN)

    post: Mapped[CommunityPost] = relationship("dcx.platform.community.models.CommunityPost")
