"""Orders, their lines (snapshots of the catalogue at purchase), events and stock reservations."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.db import Base, Rate, ScaledDecimal, enum_column, utcnow


class OrderStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    DECLARED = "declared"  # the inventory list is with customs
    RELEASED = "released"  # customs released the parcel: it may leave the zone
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # customs refused the declaration
    RETURNED = "returned"


class ReturnDisposition(enum.StrEnum):
    RESTOCK = "restock"  # back into the lot the units came from
    WRITE_OFF = "write_off"


class ReservationState(enum.StrEnum):
    HELD = "held"  # for an unpaid order, until it expires
    COMMITTED = "committed"  # the order is paid: kept until the parcel ships
    RELEASED = "released"  # given back (expired, cancelled, rejected)
    SHIPPED = "shipped"  # left the zone with the parcel


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("goods_value >= 0 AND freight >= 0 AND insurance >= 0 AND discount >= 0", name="amounts"),
        CheckConstraint("actual_paid >= 0", name="actual_paid_not_negative"),
        Index("ix_orders_buyer_year", "buyer_id_digest", "created_at"),
        Index("ix_orders_status_created", "status", "created_at"),
        # Unpaid orders whose time is over (expire_unpaid_orders, before every order is placed).
        Index("ix_orders_status_reserved_until", "status", "reserved_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"),
                                                default=OrderStatus.AWAITING_PAYMENT)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")

    # The buyer (订购人): real name, resident ID (encrypted, keyed digest for the annual quota), phone.
    buyer_name: Mapped[str] = mapped_column(String(50))
    buyer_id_encrypted: Mapped[str] = mapped_column(String(255))
    buyer_id_digest: Mapped[str] = mapped_column(String(64))
    buyer_id_masked: Mapped[str] = mapped_column(String(18))
    buyer_phone_encrypted: Mapped[str] = mapped_column(String(255))
    buyer_phone_masked: Mapped[str] = mapped_column(String(20))
    # House rule: the buyer is the payer. When the buyer confirmed it.
    buyer_is_payer_confirmed_at: Mapped[datetime]

    # The consignee (收货人)
    consignee_name: Mapped[str] = mapped_column(String(50))
    consignee_phone_encrypted: Mapped[str] = mapped_column(String(255))
    consignee_phone_masked: Mapped[str] = mapped_column(String(20))
    consignee_division_code: Mapped[str] = mapped_column(String(6))
    consignee_address: Mapped[str] = mapped_column(String(300))

    # Head figures as customs expects them (CEB311): acturalPaid = goods + freight + tax − discount.
    goods_value: Mapped[Decimal]
    freight: Mapped[Decimal]
    insurance: Mapped[Decimal]
    discount: Mapped[Decimal]
    duty_paid_value: Mapped[Decimal]
    customs_duty: Mapped[Decimal]
    vat: Mapped[Decimal]
    consumption_tax: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    actual_paid: Mapped[Decimal]
    full_tax: Mapped[bool] = mapped_column(default=False)  # one unit over 5,000: general taxes in full
    # Duty-paid value of returned units: it no longer counts towards the buyer's annual limit.
    returned_value: Mapped[Decimal] = mapped_column(default=Decimal("0.00"), server_default="0")

    # Shipping out of the zone (after customs release)
    carrier: Mapped[str | None] = mapped_column(String(40))
    waybill_no: Mapped[str | None] = mapped_column(String(40))
    package_weight_kg: Mapped[Decimal | None] = mapped_column(ScaledDecimal(12, 3))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reserved_until: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.gnum",
                                                  cascade="all, delete-orphan")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id",
                                                    cascade="all, delete-orphan")

    @property
    def counts_towards_annual_limit(self) -> bool:
        return self.status not in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED)


class OrderLine(Base):
    """One line of an order: a snapshot of everything customs needs, taken at purchase time."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "gnum"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    gnum: Mapped[int]  # line number, 1-based, as on the customs documents
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    sku: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str | None] = mapped_column(String(32))
    hs_code: Mapped[str] = mapped_column(String(10))
    legal_unit1: Mapped[str] = mapped_column(String(3))
    legal_unit2: Mapped[str | None] = mapped_column(String(3))
    unit_code: Mapped[str] = mapped_column(String(3))
    origin_code: Mapped[str] = mapped_column(String(3))
    item_record_no: Mapped[str | None] = mapped_column(String(32))
    net_content: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 2))
    net_content_unit: Mapped[NetContentUnit] = mapped_column(enum_column(NetContentUnit, "line_net_content_unit"))
    net_weight_kg: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 4))
    gross_weight_kg: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 4))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]
    goods_value: Mapped[Decimal]
    freight_share: Mapped[Decimal]
    duty_paid_value: Mapped[Decimal]
    vat_rate: Mapped[Decimal] = mapped_column(Rate())
    consumption_tax_category: Mapped[ConsumptionTaxCategory] = mapped_column(
        enum_column(ConsumptionTaxCategory, "line_consumption_tax_category"))
    consumption_tax_rate: Mapped[Decimal] = mapped_column(Rate())
    tariff_rate: Mapped[Decimal] = mapped_column(Rate())
    customs_duty: Mapped[Decimal]
    vat: Mapped[Decimal]
    consumption_tax: Mapped[Decimal]

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def tax(self) -> Decimal:
        return self.customs_duty + self.vat + self.consumption_tax


class OrderEvent(Base):
    """Every status change: who, when, from, to, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus, "event_from_status"))
    to_status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "event_to_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="shop")  # shop, shopper, staff, stripe, customs, system
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class StockReservation(Base):
    """Units of one lot set aside for one order line."""

    __tablename__ = "stock_reservations"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),
                      Index("ix_stock_reservations_state_expires", "state", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    state: Mapped[ReservationState] = mapped_column(enum_column(ReservationState, "reservation_state"),
                                                   default=ReservationState.HELD)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[OrderLine] = relationship()


class ReturnRecord(Base):
    """Units of an order line taken back after release, and what became of them."""

    __tablename__ = "return_records"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    disposition: Mapped[ReturnDisposition] = mapped_column(enum_column(ReturnDisposition, "return_disposition"))
    refund_amount: Mapped[Decimal]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[OrderLine] = relationship()
