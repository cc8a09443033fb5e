"""Payment records: PaymentIntents, refunds and the Stripe events already handled."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, utcnow
from shop.orders.models import Order


class Payment(Base):
    """One PaymentIntent for one order: the Stripe ids, amount, time and payer."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount >= 0 AND refunded_amount >= 0", name="amounts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    charge_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(40))  # the PaymentIntent's own status
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # The payer is the buyer (house rule); recorded with the payment for the payment document.
    payer_name: Mapped[str] = mapped_column(String(50))
    payer_id_masked: Mapped[str] = mapped_column(String(18))
    failure_message: Mapped[str] = mapped_column(String(300), default="")
    refunded_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class StripeEvent(Base):
    """A webhook event already handled: a repeated delivery of the same id has no second effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
