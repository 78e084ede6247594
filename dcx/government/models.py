"""Government tables: streets, sensors and their observations, incidents shared between
departments, repairs with their crews and work orders, and what was published to the public.

Coordinates are city metres on a flat grid (x east, y south), drawn on the offline map.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
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

DEPARTMENTS = ("transport", "public_works", "police", "communications")


class SensorKind(StrEnum):
    """What a road sensor counts."""

    VEHICLE = "vehicle"
    PEDESTRIAN = "pedestrian"
    BOTH = "both"


class IncidentStatus(StrEnum):
    """An incident is open while congestion lasts, closed when the road eases."""

    OPEN = "open"
    CLOSED = "closed"


class HandoffStatus(StrEnum):
    """A task handed to another department: open until that department marks it done."""

    OPEN = "open"
    DONE = "done"


class RepairStatus(StrEnum):
    """The steps of a reported repair (see ``repairs.TRANSITIONS`` for which may follow which)."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    CLOSED = "closed"
    UNABLE_TO_FIX = "unable_to_fix"
    DUPLICATE = "duplicate"


class CrewStatus(StrEnum):
    """Where a crew is in its day: idle, sent, on its way, on site, done."""

    IDLE = "idle"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    DONE = "done"


class WorkOrderStatus(StrEnum):
    """A crew's planned visit: scheduled, then done or cancelled."""

    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class SocialPostStatus(StrEnum):
    """What happened to an update sent to a social network."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


SENSOR_KINDS = tuple(member.value for member in SensorKind)
REPAIR_CATEGORIES = ("streetlight", "pothole", "traffic_signal", "sign", "pavement", "other")
CREW_STATUSES = tuple(member.value for member in CrewStatus)


class GovernmentDepartmentMember(IdMixin, Model):
    """Which city department a government staff member works in."""

    __tablename__ = "government_department_member"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), unique=True
    )
    department: Mapped[str] = mapped_column(String(32))


class GovernmentStreet(IdMixin, Model):
    """A straight street segment of the city, drawn on the schematic map."""

    __tablename__ = "government_street"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)


class GovernmentSensor(IdMixin, Model):
    """A Bluetooth counter on a street; its token is stored only as a hash."""

    __tablename__ = "government_sensor"
    __table_args__ = (one_of("kind", SensorKind),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=SensorKind.BOTH.value)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GovernmentSegment(IdMixin, Model):
    """The stretch of road between two sensors, with its free-flow travel time."""

    __tablename__ = "government_segment"
    __table_args__ = (UniqueConstraint("from_sensor_id", "to_sensor_id"),)

    name: Mapped[str] = mapped_column(String(120))
    from_sensor_id: Mapped[int] = mapped_column(ForeignKey("government_sensor.id"))
    to_sensor_id: Mapped[int] = mapped_column(ForeignKey("government_sensor.id"))
    free_flow_seconds: Mapped[float] = mapped_column(Float)

    from_sensor: Mapped[GovernmentSensor] = relationship(foreign_keys=[from_sensor_id])
    to_sensor: Mapped[GovernmentSensor] = relationship(foreign_keys=[to_sensor_id])


class GovernmentObservation(IdMixin, Model):
    """Counts one sensor made in one interval."""

    __tablename__ = "government_observation"
    __table_args__ = (
        UniqueConstraint("sensor_id", "interval_start"),
        Index("ix_government_observation_start", "interval_start"),
    )

    sensor_id: Mapped[int] = mapped_column(ForeignKey("government_sensor.id", ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_end: Mapped[datetime] = mapped_column(UTCDateTime)
    vehicle_count: Mapped[int] = mapped_column(Integer, default=0)
    pedestrian_count: Mapped[int] = mapped_column(Integer, default=0)
    average_speed_kmh: Mapped[float | None] = mapped_column(Float, nullable=True)
    unique_devices: Mapped[int] = mapped_column(Integer, default=0)


class GovernmentTravelTime(IdMixin, Model):
    """The measured travel time along a segment in one interval, and its travel-time index."""

    __tablename__ = "government_travel_time"
    __table_args__ = (UniqueConstraint("segment_id", "interval_start"),)

    segment_id: Mapped[int] = mapped_column(ForeignKey("government_segment.id", ondelete="CASCADE"))
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_end: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_seconds: Mapped[float] = mapped_column(Float)
    travel_time_index: Mapped[float] = mapped_column(Float)


class GovernmentDeviceSighting(IdMixin, Model):
    """A device seen by a sensor on a day, kept only as a hash salted with that day's salt.

    The salt is derived from the secret key and the date and never stored, so yesterday's
    hashes cannot be linked to today's: a device cannot be followed across days.
    """

    __tablename__ = "government_device_sighting"
    __table_args__ = (UniqueConstraint("sensor_id", "seen_on", "device_hash"),)

    sensor_id: Mapped[int] = mapped_column(ForeignKey("government_sensor.id", ondelete="CASCADE"))
    seen_on: Mapped[date] = mapped_column(Date)
    device_hash: Mapped[str] = mapped_column(String(64))


class GovernmentIncident(IdMixin, CreatedAtMixin, Model):
    """Congestion (or another problem) with its cause, location and severity."""

    __tablename__ = "government_incident"
    __table_args__ = (one_of("status", IncidentStatus),)

    title: Mapped[str] = mapped_column(String(160))
    cause: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="congested")
    status: Mapped[str] = mapped_column(String(16), default="open")
    department: Mapped[str] = mapped_column(String(32), default="transport")
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("government_segment.id", ondelete="SET NULL"), nullable=True
    )
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    travel_time_index: Mapped[float | None] = mapped_column(Float, nullable=True)

    segment: Mapped[GovernmentSegment | None] = relationship()
    shares: Mapped[list[GovernmentIncidentShare]] = relationship(
        back_populates="incident", cascade="all, delete-orphan"
    )


class GovernmentIncidentShare(IdMixin, Model):
    """An incident shared with one department, and whether that department acknowledged it."""

    __tablename__ = "government_incident_share"
    __table_args__ = (UniqueConstraint("incident_id", "department"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("government_incident.id", ondelete="CASCADE")
    )
    department: Mapped[str] = mapped_column(String(32))
    shared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True
    )
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    incident: Mapped[GovernmentIncident] = relationship(back_populates="shares")


class GovernmentIncidentComment(IdMixin, CreatedAtMixin, Model):
    """A department's comment on an incident."""

    __tablename__ = "government_incident_comment"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("government_incident.id", ondelete="CASCADE"), index=True
    )
    department: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)


class GovernmentHandoff(IdMixin, CreatedAtMixin, Model):
    """A follow-on task one department hands to another about an incident."""

    __tablename__ = "government_handoff"
    __table_args__ = (one_of("status", HandoffStatus),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("government_incident.id", ondelete="CASCADE"), index=True
    )
    from_department: Mapped[str] = mapped_column(String(32))
    to_department: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True
    )


class GovernmentRepair(IdMixin, CreatedAtMixin, Model):
    """A repair request, from an incident or a citizen's report, moving through its workflow."""

    __tablename__ = "government_repair"
    __table_args__ = (one_of("status", RepairStatus),)

    category: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=RepairStatus.REPORTED.value)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("government_incident.id", ondelete="SET NULL"), nullable=True
    )
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    photo_file: Mapped[str] = mapped_column(String(80), default="")
    photo_type: Mapped[str] = mapped_column(String(40), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("government_repair.id", ondelete="SET NULL"), nullable=True
    )
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    incident: Mapped[GovernmentIncident | None] = relationship()
    events: Mapped[list[GovernmentRepairEvent]] = relationship(
        back_populates="repair",
        cascade="all, delete-orphan",
        order_by="GovernmentRepairEvent.id",
    )


class GovernmentRepairEvent(IdMixin, Model):
    """One step of a repair's workflow: from which status to which, by whom, why."""

    __tablename__ = "government_repair_event"
    __table_args__ = (
        one_of("from_status", RepairStatus, ""),
        one_of("to_status", RepairStatus),
    )

    repair_id: Mapped[int] = mapped_column(
        ForeignKey("government_repair.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    repair: Mapped[GovernmentRepair] = relationship(back_populates="events")


class GovernmentCrew(IdMixin, Model):
    """A repair crew with its device token (hashed), last position and status."""

    __tablename__ = "government_crew"
    __table_args__ = (one_of("status", CrewStatus),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(32), default="public_works")
    token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    x: Mapped[float] = mapped_column(Float, default=0)
    y: Mapped[float] = mapped_column(Float, default=0)
    status: Mapped[str] = mapped_column(String(16), default=CrewStatus.IDLE.value)
    speed_kmh: Mapped[float] = mapped_column(Float, default=30)
    last_position_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GovernmentWorkOrder(IdMixin, Model):
    """A repair booked for a crew in a time slot."""

    __tablename__ = "government_work_order"
    __table_args__ = (
        Index("ix_government_work_order_crew_start", "crew_id", "starts_at"),
        one_of("status", WorkOrderStatus),
    )

    repair_id: Mapped[int] = mapped_column(
        ForeignKey("government_repair.id", ondelete="CASCADE"), index=True
    )
    crew_id: Mapped[int] = mapped_column(ForeignKey("government_crew.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=WorkOrderStatus.SCHEDULED.value)

    repair: Mapped[GovernmentRepair] = relationship()
    crew: Mapped[GovernmentCrew] = relationship()


class GovernmentCrewPosition(IdMixin, Model):
    """A position a crew reported, kept so the map can draw its trail."""

    __tablename__ = "government_crew_position"
    __table_args__ = (
        Index("ix_government_crew_position_crew_at", "crew_id", "at"),
        one_of("status", CrewStatus),
    )

    crew_id: Mapped[int] = mapped_column(ForeignKey("government_crew.id", ondelete="CASCADE"))
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GovernmentAreaFollow(IdMixin, OwnedMixin, Model):
    """A citizen following a district: told when something there is fixed."""

    __tablename__ = "government_area_follow"
    __table_args__ = (UniqueConstraint("user_id", "district"),)

    district: Mapped[str] = mapped_column(String(32))


class GovernmentPublicUpdate(IdMixin, Model):
    """A public announcement (the status page and the Atom feed are built from these)."""

    __tablename__ = "government_public_update"

    repair_id: Mapped[int | None] = mapped_column(
        ForeignKey("government_repair.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(String(32), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GovernmentSocialPost(IdMixin, CreatedAtMixin, Model):
    """The post rendered for one social network, and what happened when it was sent."""

    __tablename__ = "government_social_post"
    __table_args__ = (
        UniqueConstraint("update_id", "network"),
        one_of("status", SocialPostStatus),
    )

    update_id: Mapped[int] = mapped_column(
        ForeignKey("government_public_update.id", ondelete="CASCADE")
    )
    network: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SocialPostStatus.PENDING.value)
    outcome: Mapped[str] = mapped_column(String(300), default="")

    update: Mapped[GovernmentPublicUpdate] = relationship()
