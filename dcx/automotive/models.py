"""Automotive tables: vehicles, their readings and trouble codes, recalls, service, money."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
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

FUEL_TYPES = ("petrol", "diesel", "hybrid", "electric")


class CodeStatus(StrEnum):
    """A trouble code is pending until the car confirms it (it came back on another drive)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"


class CoverageStatus(StrEnum):
    """An affected car of a recall: its owner is notified, books the visit, the fix is done."""

    NOTIFIED = "notified"
    BOOKED = "booked"
    REMEDIED = "remedied"


class AppointmentStatus(StrEnum):
    """A service visit is booked, then done."""

    BOOKED = "booked"
    DONE = "done"


class LoanKind(StrEnum):
    """How the car is financed."""

    LOAN = "loan"
    LEASE = "lease"


class BillKind(StrEnum):
    """What a bill is for: a loan instalment or a service invoice."""

    INSTALMENT = "instalment"
    SERVICE = "service"


CODE_STATUSES = tuple(member.value for member in CodeStatus)
COVERAGE_STATUSES = tuple(member.value for member in CoverageStatus)
BILL_KINDS = tuple(member.value for member in BillKind)


class AutomotiveVehicle(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A customer's car, identified by its VIN; its telematics token is stored hashed."""

    __tablename__ = "automotive_vehicle"
    __owner_indexed__ = True

    vin: Mapped[str] = mapped_column(String(17), unique=True)
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    plate: Mapped[str] = mapped_column(String(16), default="")
    colour: Mapped[str] = mapped_column(String(30), default="")
    fuel_type: Mapped[str] = mapped_column(String(10), default="petrol")
    service_interval_km: Mapped[int] = mapped_column(Integer, default=15000)
    service_interval_days: Mapped[int] = mapped_column(Integer, default=365)
    last_service_km: Mapped[int] = mapped_column(Integer, default=0)
    last_service_on: Mapped[date] = mapped_column(Date)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    token_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def name(self) -> str:
        """How the owner calls it: make and model, with the plate if known."""
        label = f"{self.make} {self.model}"
        return f"{label} ({self.plate})" if self.plate else label

    @property
    def connected(self) -> bool:
        """True while a telematics token is active."""
        return self.token_hash is not None


class AutomotiveReading(IdMixin, Model):
    """One telemetry reading a car sent: odometer, energy, battery, oil, tyres, location."""

    __tablename__ = "automotive_reading"
    __table_args__ = (
        UniqueConstraint("vehicle_id", "recorded_at"),
        Index("ix_automotive_reading_vehicle_time", "vehicle_id", "recorded_at"),
    )

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("automotive_vehicle.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    odometer_km: Mapped[int] = mapped_column(Integer)
    energy_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    battery_v: Mapped[float | None] = mapped_column(Float, nullable=True)
    oil_life_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    tyre_fl_kpa: Mapped[float | None] = mapped_column(Float, nullable=True)
    tyre_fr_kpa: Mapped[float | None] = mapped_column(Float, nullable=True)
    tyre_rl_kpa: Mapped[float | None] = mapped_column(Float, nullable=True)
    tyre_rr_kpa: Mapped[float | None] = mapped_column(Float, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)

    @property
    def tyres(self) -> list[float | None]:
        """Front left, front right, rear left, rear right pressures in kPa."""
        return [self.tyre_fl_kpa, self.tyre_fr_kpa, self.tyre_rl_kpa, self.tyre_rr_kpa]


class AutomotiveTroubleCode(IdMixin, Model):
    """A J2012 code a car reported; active until cleared. Pending codes may become confirmed."""

    __tablename__ = "automotive_trouble_code"
    __table_args__ = (
        UniqueConstraint("vehicle_id", "code", "first_seen_at"),
        one_of("status", CodeStatus),
    )

    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("automotive_vehicle.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default=CodeStatus.PENDING)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    vehicle: Mapped[AutomotiveVehicle] = relationship()


class AutomotiveRecall(IdMixin, Model):
    """A maker's recall campaign: which cars, what is wrong, what happens and the remedy."""

    __tablename__ = "automotive_recall"

    campaign_number: Mapped[str] = mapped_column(String(30), unique=True)
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(60))
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int] = mapped_column(Integer)
    component: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    consequence: Mapped[str] = mapped_column(Text)
    remedy: Mapped[str] = mapped_column(Text)
    do_not_drive: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AutomotiveRecallCoverage(IdMixin, Model):
    """One affected vehicle of a recall: notified, then booked, then remedied."""

    __tablename__ = "automotive_recall_coverage"
    __table_args__ = (
        UniqueConstraint("recall_id", "vehicle_id"),
        one_of("status", CoverageStatus),
    )

    recall_id: Mapped[int] = mapped_column(ForeignKey("automotive_recall.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("automotive_vehicle.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=CoverageStatus.NOTIFIED)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    remedied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    recall: Mapped[AutomotiveRecall] = relationship()
    vehicle: Mapped[AutomotiveVehicle] = relationship()


class AutomotiveAppointment(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A service visit booked at a dealer, with the reason it was booked for."""

    __tablename__ = "automotive_appointment"
    __table_args__ = (one_of("status", AppointmentStatus),)
    __owner_indexed__ = True

    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("automotive_vehicle.id", ondelete="CASCADE"), index=True
    )
    dealer: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(5), default="")
    recall_id: Mapped[int | None] = mapped_column(
        ForeignKey("automotive_recall.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(10), default=AppointmentStatus.BOOKED)

    vehicle: Mapped[AutomotiveVehicle] = relationship()


class AutomotiveLoan(IdMixin, OwnedMixin, Model):
    """A car loan or lease: principal, yearly rate in basis points, term and first due date."""

    __tablename__ = "automotive_loan"
    __table_args__ = (one_of("kind", LoanKind),)
    __owner_indexed__ = True

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("automotive_vehicle.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default=LoanKind.LOAN)
    lender: Mapped[str] = mapped_column(String(80))
    principal_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    rate_bp: Mapped[int] = mapped_column(Integer)
    term_months: Mapped[int] = mapped_column(Integer)
    first_due_on: Mapped[date] = mapped_column(Date)

    vehicle: Mapped[AutomotiveVehicle] = relationship()


class AutomotiveBill(IdMixin, OwnedMixin, Model):
    """Money owed: a loan instalment or a service invoice; paid when ``paid_at`` is set."""

    __tablename__ = "automotive_bill"
    __table_args__ = (
        Index("ix_automotive_bill_user_due", "user_id", "due_on"),
        # a loan's bills: its position, and the daily job's count of bills issued per loan
        Index("ix_automotive_bill_loan", "loan_id"),
        one_of("kind", BillKind),
    )

    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("automotive_vehicle.id", ondelete="CASCADE"), nullable=True
    )
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("automotive_loan.id", ondelete="CASCADE"), nullable=True
    )
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default=BillKind.INSTALMENT)
    title: Mapped[str] = mapped_column(String(120))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    due_on: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def status(self, today: date) -> str:
        """paid, overdue or unpaid, as of ``today``."""
        if self.paid_at is not None:
            return "paid"
        return "overdue" if self.due_on < today else "unpaid"
