"""Banking tables: accounts, their transactions, savings goals and their movements, bills."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin, UTCDateTime, one_of
from dcx.extensions import Model


class AccountKind(StrEnum):
    """A current account (cards, salary, bills) or a savings account (rate, goals)."""

    CURRENT = "current"
    SAVINGS = "savings"


class TransactionStatus(StrEnum):
    """A card payment is pending until the merchant settles it; then it is booked."""

    BOOKED = "booked"
    PENDING = "pending"


ACCOUNT_KINDS = tuple(member.value for member in AccountKind)
TRANSACTION_STATUSES = tuple(member.value for member in TransactionStatus)


class BankingAccount(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A customer's current or savings account; its balance is the sum of its transactions.

    Savings accounts carry the nominal rate (basis points) and how often interest compounds,
    from which the APY is computed.
    """

    __tablename__ = "banking_account"
    __table_args__ = (one_of("kind", AccountKind),)
    __owner_indexed__ = True

    kind: Mapped[str] = mapped_column(String(16), default=AccountKind.CURRENT.value)
    name: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(34), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    product: Mapped[str] = mapped_column(String(32), default="")
    nominal_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    compounding: Mapped[int] = mapped_column(Integer, default=0)
    holder_name: Mapped[str] = mapped_column(String(120), default="")
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_on: Mapped[date] = mapped_column(Date)

    transactions: Mapped[list[BankingTransaction]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )


class BankingTransaction(IdMixin, OwnedMixin, Model):
    """One movement on an account: negative amounts are debits, positive are credits.

    ``user_id`` is copied from the account so reports aggregate per customer without a join.
    ``reference`` is the natural key within the account (seeds and imports stay idempotent).
    """

    __tablename__ = "banking_transaction"
    __table_args__ = (
        UniqueConstraint("account_id", "reference"),
        Index("ix_banking_transaction_user_booked", "user_id", "booked_on"),
        Index("ix_banking_transaction_account_booked", "account_id", "booked_on"),
        one_of("status", TransactionStatus),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("banking_account.id", ondelete="CASCADE"))
    booked_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(16), default=TransactionStatus.BOOKED.value)
    merchant: Mapped[str] = mapped_column(String(120), default="")
    merchant_category: Mapped[str] = mapped_column(String(80), default="")
    category: Mapped[str] = mapped_column(String(40), default="Other")
    subcategory: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(64))

    account: Mapped[BankingAccount] = relationship(back_populates="transactions")

    @property
    def is_debit(self) -> bool:
        """Money going out."""
        return self.amount_minor < 0


class BankingGoal(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A savings goal: a target amount by a date, saved in a linked savings account."""

    __tablename__ = "banking_goal"
    __owner_indexed__ = True
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("banking_account.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(80))
    target_minor: Mapped[int] = mapped_column(Integer)
    saved_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    target_date: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date] = mapped_column(Date)
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    account: Mapped[BankingAccount | None] = relationship()


class BankingGoalMovement(IdMixin, OwnedMixin, Model):
    """Money put into (positive) or taken out of (negative) a goal on a date."""

    __tablename__ = "banking_goal_movement"
    __table_args__ = (Index("ix_banking_goal_movement_goal_on", "goal_id", "moved_on"),)

    goal_id: Mapped[int] = mapped_column(ForeignKey("banking_goal.id", ondelete="CASCADE"))
    amount_minor: Mapped[int] = mapped_column(Integer)
    moved_on: Mapped[date] = mapped_column(Date)


class BankingBill(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """A recurring payment the customer expects: detected from history or added by hand."""

    __tablename__ = "banking_bill"
    __owner_indexed__ = True
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    name: Mapped[str] = mapped_column(String(80))
    merchant: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(40), default="Bills")
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    next_due_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
