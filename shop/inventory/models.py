"""Bonded stock: warehouses, lots (batch, best-before, arrival) and the movement ledger."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Product
from shop.db import Base, enum_column, utcnow


class ArrivalChannel(enum.StrEnum):
    RAIL_EUROPE = "rail_europe"  # 中欧班列 China–Europe Railway Express
    SEA_RAIL_DALIAN = "sea_rail_dalian"  # 海铁联运 via Dalian
    SEA_RAIL_YINGKOU = "sea_rail_yingkou"  # 海铁联运 via Yingkou
    ROAD_TIR = "road_tir"  # TIR road freight
    AIR = "air"


class MovementReason(enum.StrEnum):
    RECEIPT = "receipt"  # a lot enters the bonded zone
    SALE = "sale"  # a released parcel leaves the zone
    RETURN = "return"
    DAMAGE = "damage"
    CORRECTION = "correction"  # stock count correction
    DISPLAY_SAMPLE = "display_sample"  # moved to the hall as a display sample: no longer sellable


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    locations: Mapped[list[Location]] = relationship(back_populates="warehouse", order_by="Location.code")


class Location(Base):
    """A place in a warehouse (aisle, shelf, bin): where pickers find a lot."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")

    warehouse: Mapped[Warehouse] = relationship(back_populates="locations")


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("product_id", "lot_no"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("quantity_received > 0", name="quantity_received_positive"),
        Index("ix_lots_product_best_before", "product_id", "best_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    lot_no: Mapped[str] = mapped_column(String(40))
    quantity_received: Mapped[int]
    # The one figure that decides availability. It only ever changes together with a movement row
    # (shop.inventory.services), so the ledger and this figure agree.
    on_hand: Mapped[int]
    # Units set aside for orders not yet shipped. Sellable = on_hand − reserved, for lots not near expiry.
    reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    best_before: Mapped[date] = mapped_column(Date)
    arrival_channel: Mapped[ArrivalChannel] = mapped_column(enum_column(ArrivalChannel, "arrival_channel"))
    arrived_on: Mapped[date] = mapped_column(Date)
    entry_declaration_no: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    warehouse: Mapped[Warehouse] = relationship()
    location: Mapped[Location | None] = relationship()

    @property
    def free(self) -> int:
        """Units that can still be sold from this lot."""
        return self.on_hand - self.reserved


class StockMovement(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (CheckConstraint("quantity <> 0", name="quantity_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]  # signed: + into the lot, - out of it
    reason: Mapped[MovementReason] = mapped_column(enum_column(MovementReason, "movement_reason"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[Lot] = relationship()
