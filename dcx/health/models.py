"""Health tables: the care team, visits, goals, readings, food, exercise, medication,
learning progress and the community. Every table is prefixed ``health_``."""

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

from dcx.database import CreatedAtMixin, IdMixin, UTCDateTime, one_of
from dcx.extensions import Model
from dcx.platform import clock

_USER_FK = "account_user.id"


class GoalStatus(StrEnum):
    """A goal the clinician proposes, the patient accepts, and that ends achieved or not."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"


class ObservationKind(StrEnum):
    """What a reading measures (``vitals.VITALS`` has each one's code, unit and label)."""

    BP = "bp"
    HEART_RATE = "heart_rate"
    WEIGHT = "weight"
    GLUCOSE = "glucose"
    SPO2 = "spo2"
    TEMPERATURE = "temperature"


class DoseStatus(StrEnum):
    """A scheduled dose: taken on time, taken late, or skipped."""

    TAKEN = "taken"
    LATE = "late"
    SKIPPED = "skipped"


class MealKind(StrEnum):
    """Which meal of the day."""

    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"


class HealthCareTeamMember(IdMixin, Model):
    """A clinician on a patient's care team: the only staff who see the patient's record."""

    __tablename__ = "health_care_team"
    __table_args__ = (UniqueConstraint("patient_id", "clinician_id"),)

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HealthPatientProfile(IdMixin, Model):
    """A patient's settings: height (for BMI), plans, community name and device token."""

    __tablename__ = "health_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), unique=True)
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    calorie_plan: Mapped[int] = mapped_column(Integer, default=2000)
    weekly_minutes_goal: Mapped[int] = mapped_column(Integer, default=150)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    device_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)


class HealthVisit(IdMixin, Model):
    """A consultation where the clinician and the patient agree goals and treatment."""

    __tablename__ = "health_visit"

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    notes: Mapped[str] = mapped_column(Text, default="")
    next_visit_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class HealthGoal(IdMixin, CreatedAtMixin, Model):
    """A wellness goal: a measure, where it started, its target and when it is due."""

    __tablename__ = "health_goal"
    __table_args__ = (one_of("status", GoalStatus),)

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_visit.id", ondelete="SET NULL"), nullable=True
    )
    measure: Mapped[str] = mapped_column(String(32))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.PROPOSED.value)

    check_ins: Mapped[list[HealthGoalCheckIn]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="HealthGoalCheckIn.id.desc()"
    )


class HealthGoalCheckIn(IdMixin, CreatedAtMixin, Model):
    """The patient's note on how a goal is going, which the care team reads."""

    __tablename__ = "health_goal_checkin"

    goal_id: Mapped[int] = mapped_column(ForeignKey("health_goal.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    feeling: Mapped[str] = mapped_column(String(16), default="ok")
    note: Mapped[str] = mapped_column(Text, default="")

    goal: Mapped[HealthGoal] = relationship(back_populates="check_ins")


class HealthObservation(IdMixin, Model):
    """One vital-sign reading with its LOINC code and unit.

    Blood pressure keeps the systolic value in ``value``/``code`` and the diastolic one in the
    second component (``value2``/``code2``), as FHIR does with components.
    """

    __tablename__ = "health_observation"
    __table_args__ = (
        UniqueConstraint("patient_id", "external_id"),
        Index("ix_health_observation_patient_kind_time", "patient_id", "kind", "observed_at"),
        one_of("kind", ObservationKind),
    )

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    code2: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value2: Mapped[float | None] = mapped_column(Float, nullable=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(80), nullable=True)


class HealthMedication(IdMixin, Model):
    """A prescribed medicine with the times of day it is taken."""

    __tablename__ = "health_medication"

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    prescribed_by: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), nullable=True
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_visit.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(120))
    dose: Mapped[str] = mapped_column(String(60), default="")
    times: Mapped[str] = mapped_column(String(120))  # "08:00,20:00", UTC on the demo clock
    start_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def time_list(self) -> list[str]:
        """The dose times as ``HH:MM`` strings, in order."""
        return sorted(t.strip() for t in self.times.split(",") if t.strip())


class HealthDose(IdMixin, Model):
    """What happened to one scheduled dose: taken, taken late or skipped."""

    __tablename__ = "health_dose"
    __table_args__ = (
        UniqueConstraint("medication_id", "scheduled_at"),
        one_of("status", DoseStatus),
    )

    medication_id: Mapped[int] = mapped_column(
        ForeignKey("health_medication.id", ondelete="CASCADE")
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HealthMeal(IdMixin, Model):
    """A meal the patient ate, made of items from the food table."""

    __tablename__ = "health_meal"
    __table_args__ = (one_of("kind", MealKind),)

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    eaten_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))

    items: Mapped[list[HealthMealItem]] = relationship(
        back_populates="meal", cascade="all, delete-orphan", order_by="HealthMealItem.id"
    )


class HealthMealItem(IdMixin, Model):
    """A portion of one food; nutrients are copied from the food table when logged."""

    __tablename__ = "health_meal_item"

    meal_id: Mapped[int] = mapped_column(ForeignKey("health_meal.id", ondelete="CASCADE"))
    food_code: Mapped[str] = mapped_column(String(32))
    grams: Mapped[int] = mapped_column(Integer)
    kcal: Mapped[float] = mapped_column(Float)
    protein_g: Mapped[float] = mapped_column(Float)
    carbs_g: Mapped[float] = mapped_column(Float)
    fat_g: Mapped[float] = mapped_column(Float)
    sodium_mg: Mapped[float] = mapped_column(Float, default=0)

    meal: Mapped[HealthMeal] = relationship(back_populates="items")


class HealthExercise(IdMixin, Model):
    """An activity: how long and how hard."""

    __tablename__ = "health_exercise"

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"), index=True)
    performed_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(60))
    minutes: Mapped[int] = mapped_column(Integer)
    intensity: Mapped[str] = mapped_column(String(12))


class HealthModuleProgress(IdMixin, CreatedAtMixin, Model):
    """How far a patient is in one learning module, and whether a clinician assigned it."""

    __tablename__ = "health_module_progress"
    __table_args__ = (UniqueConstraint("patient_id", "module"),)

    patient_id: Mapped[int] = mapped_column(ForeignKey(_USER_FK, ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(40))
    assigned_by: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), nullable=True
    )
    pages_seen: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
