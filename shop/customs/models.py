"""Customs declarations: one per paid order."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, enum_column, utcnow
from shop.orders.models import Order


class DeclarationStatus(enum.StrEnum):
    PENDING = "pending"  # paid, not yet declared
    DECLARED = "declared"
    ACCEPTED = "accepted"  # 120
    REVIEW = "review"  # 300
    CONCLUDED = "concluded"  # 399
    INSPECTION = "inspection"  # 500
    DETAINED = "detained"  # 501-599
    RELEASED = "released"  # 800
    CLOSED = "closed"  # 899
    REJECTED = "rejected"  # 100
    ERROR = "error"  # negative codes
    CANCELLED = "cancelled"


class Declaration(Base):
    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    cop_no: Mapped[str] = mapped_column(String(20), unique=True)  # the shop's own number for the list
    pre_no: Mapped[str | None] = mapped_column(String(18))  # assigned by the e-port
    invt_no: Mapped[str | None] = mapped_column(String(18))  # assigned by customs
    status: Mapped[DeclarationStatus] = mapped_column(
        enum_column(DeclarationStatus, "declaration_status", 16),
        default=DeclarationStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
