"""Customs declarations: one per paid order."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, ScaledDecimal, enum_column, utcnow
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


def TaxAmount() -> ScaledDecimal:  # noqa: N802 - reads like a column type
    """Customs tax figures: the XSD allows five decimals."""
    return ScaledDecimal(17, 5)


class Declaration(Base):
    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    cop_no: Mapped[str] = mapped_column(String(20), unique=True)  # the shop's own number for the list
    pre_no: Mapped[str | None] = mapped_column(String(18))  # assigned by the e-port
    invt_no: Mapped[str | None] = mapped_column(String(18))  # assigned by customs
    status: Mapped[DeclarationStatus] = mapped_column(
        enum_column(DeclarationStatus, "declaration_status", 16),
        default=DeclarationStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # when the order was paid
    declared_at: Mapped[datetime | None] = mapped_column()  # when the clerk last sent the list to customs
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # The latest applied receipt: its returnStatus, returnInfo and returnTime (negative codes are errors).
    return_status: Mapped[str | None] = mapped_column(String(10))
    return_info: Mapped[str | None] = mapped_column(String(1000))
    last_receipt_at: Mapped[datetime | None] = mapped_column()
    # The customs tax bill (CEB816), totals over its lines.
    tax_no: Mapped[str | None] = mapped_column(String(50))
    tax_price: Mapped[Decimal | None] = mapped_column(TaxAmount())  # duty-paid value
    customs_tax: Mapped[Decimal | None] = mapped_column(TaxAmount())
    value_added_tax: Mapped[Decimal | None] = mapped_column(TaxAmount())
    consumption_tax: Mapped[Decimal | None] = mapped_column(TaxAmount())
    tax_recorded_at: Mapped[datetime | None] = mapped_column()

    order: Mapped[Order] = relationship()
    receipts: Mapped[list[DeclarationReceipt]] = relationship(
        back_populates="declaration", order_by="DeclarationReceipt.id")
    tax_lines: Mapped[list[DeclarationTaxLine]] = relationship(
        back_populates="declaration", order_by="DeclarationTaxLine.gnum", cascade="all, delete-orphan")


class DeclarationReceipt(Base):
    """One receipt from customs about a declaration, as imported (the declaration's history)."""

    __tablename__ = "declaration_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    message_type: Mapped[str] = mapped_column(String(10))  # CEB622, CEB312, …, CEB816
    return_status: Mapped[str] = mapped_column(String(10))  # for CEB816: the tax bill's status
    return_time: Mapped[datetime] = mapped_column()
    return_info: Mapped[str] = mapped_column(String(1000), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the receipt's content
    applied: Mapped[bool] = mapped_column(default=False)  # whether it changed the declaration
    source_file: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    declaration: Mapped[Declaration] = relationship(back_populates="receipts")


class DeclarationTaxLine(Base):
    """One line of the customs tax bill (CEB816 TaxListRd)."""

    __tablename__ = "declaration_tax_lines"
    __table_args__ = (UniqueConstraint("declaration_id", "gnum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"))
    gnum: Mapped[int] = mapped_column(Integer)
    gcode: Mapped[str] = mapped_column(String(10))
    tax_price: Mapped[Decimal] = mapped_column(TaxAmount())
    customs_tax: Mapped[Decimal] = mapped_column(TaxAmount())
    value_added_tax: Mapped[Decimal] = mapped_column(TaxAmount())
    consumption_tax: Mapped[Decimal] = mapped_column(TaxAmount())

    declaration: Mapped[Declaration] = relationship(back_populates="tax_lines")
