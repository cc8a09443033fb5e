"""Staff stock use cases: receiving lots, adjustments with a reason, the ledger check, dashboards.

Every change to a lot is a movement row with its actor; `lots.on_hand` moves with it in the same UPDATE
statement, guarded so that it never drops below what is reserved for orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from shop.audit import record, snapshot
from shop.catalog.models import Product
from shop.db import utcnow
from shop.domain import DomainError
from shop.inventory.models import ArrivalChannel, Location, Lot, MovementReason, StockMovement, Warehouse
from shop.inventory.services import receive_lot

# Reasons staff may give for an adjustment, and the sign each allows.
ADJUSTMENT_REASONS = {
    MovementReason.DAMAGE: "out",
    MovementReason.CORRECTION: "both",
    MovementReason.DISPLAY_SAMPLE: "out",
}


class StockRefused(DomainError):
    code = "stock_refused"


@dataclass(frozen=True)
class Receipt:
    product: Product
    warehouse: Warehouse
    location: Location | None
    lot_no: str
    quantity: int
    best_before: date
    arrival_channel: ArrivalChannel
    arrived_on: date
    entry_declaration_no: str


def receive(session: Session, receipt: Receipt, *, actor_id: int | None, today: date) -> Lot:
    """Receive a lot into the bonded zone (its first movement row is the receipt)."""
    if receipt.quantity <= 0:
        raise StockRefused(_l("The quantity must be a positive whole number."))
    if receipt.best_before <= today:
        raise StockRefused(_l("This lot is already past its best-before date."))
    if receipt.arrived_on > today:
        raise StockRefused(_l("The arrival date cannot be in the future."))
    exists = session.scalar(select(Lot.id).where(Lot.product_id == receipt.product.id, Lot.lot_no == receipt.lot_no))
    if exists is not None:
        raise StockRefused(_l("This product already has a lot numbered %(lot)s.", lot=receipt.lot_no))
    lot = receive_lot(session, product=receipt.product, warehouse=receipt.warehouse, lot_no=receipt.lot_no,
                      quantity=receipt.quantity, best_before=receipt.best_before,
                      arrival_channel=receipt.arrival_channel, arrived_on=receipt.arrived_on,
                      entry_declaration_no=receipt.entry_declaration_no or None, actor_id=actor_id)
    lot.location = receipt.location
    session.flush()
    record(session, actor_id=actor_id, action="lot.receive", obj=lot,
           summary=f"{receipt.product.sku} {receipt.lot_no} +{receipt.quantity}")
    return lot


def adjust(session: Session, lot: Lot, *, quantity: int, reason: MovementReason, note: str,
           actor_id: int | None) -> StockMovement:
    """Add or remove units of a lot with a reason; never below the units reserved for orders."""
    direction = ADJUSTMENT_REASONS.get(reason)
    if direction is None:
        raise StockRefused(_l("Choose a reason for the adjustment."))
    if quantity == 0 or (direction == "out" and quantity > 0):
        raise StockRefused(_l("For this reason, enter the number of units leaving the lot as a negative number."))
    before = snapshot(lot)
    result = session.execute(
        update(Lot).where(Lot.id == lot.id, Lot.on_hand + quantity >= Lot.reserved)
        .values(on_hand=Lot.on_hand + quantity).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StockRefused(_l("Not possible: the lot would have fewer units than are reserved for orders."))
    movement = StockMovement(lot_id=lot.id, quantity=quantity, reason=reason, actor_id=actor_id, note=note[:200])
    session.add(movement)
    session.flush()
    session.refresh(lot)
    record(session, actor_id=actor_id, action=f"lot.adjust.{reason.value}", obj=lot, before=before,
           summary=f"{quantity:+d} {note}"[:300])
    return movement


def ship_units(session: Session, lot_id: int, quantity: int, *, actor_id: int | None, note: str,
               at: datetime | None = None) -> None:
    """Units of a shipped parcel leave the zone: on hand and reserved both go down, with a sale movement
    stamped with the shipping time (`at`, now by default), so that the ledger and the order's events agree."""
    result = session.execute(
        update(Lot).where(Lot.id == lot_id, Lot.reserved >= quantity, Lot.on_hand >= quantity)
        .values(on_hand=Lot.on_hand - quantity, reserved=Lot.reserved - quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # never a sale movement for units that did not leave: the ledger would drift
        raise RuntimeError(f"lot {lot_id} has fewer than {quantity} reserved units to ship")
    session.add(StockMovement(lot_id=lot_id, quantity=-quantity, reason=MovementReason.SALE, actor_id=actor_id,
                              note=note[:200], created_at=at or utcnow()))
    session.flush()


def restock(session: Session, lot_id: int, quantity: int, *, actor_id: int | None, note: str) -> None:
    """Returned units go back into their original lot."""
    session.execute(update(Lot).where(Lot.id == lot_id).values(on_hand=Lot.on_hand + quantity)
                    .execution_options(synchronize_session=False))
    session.add(StockMovement(lot_id=lot_id, quantity=quantity, reason=MovementReason.RETURN, actor_id=actor_id,
                              note=note[:200]))
    session.flush()


@dataclass(frozen=True)
class LedgerMismatch:
    lot_id: int
    product_sku: str
    lot_no: str
    on_hand: int
    ledger: int


def ledger_mismatches(session: Session) -> list[LedgerMismatch]:
    """Lots whose stored on-hand figure disagrees with the sum of their movements."""
    ledger = (select(StockMovement.lot_id, func.sum(StockMovement.quantity).label("total"))
              .group_by(StockMovement.lot_id).subquery())
    rows = session.execute(
        select(Lot.id, Product.sku, Lot.lot_no, Lot.on_hand, func.coalesce(ledger.c.total, 0))
        .join(Product, Product.id == Lot.product_id)
        .outerjoin(ledger, ledger.c.lot_id == Lot.id)
        .where(Lot.on_hand != func.coalesce(ledger.c.total, 0))
        .order_by(Lot.id)
    )
    return [LedgerMismatch(*row) for row in rows]


@dataclass
class Dashboard:
    low_stock: list  # (product, sellable units)
    near_expiry: list[Lot]
    expired: list[Lot]


def dashboard(session: Session, *, today: date, near_expiry_days: int, warning_days: int,
              low_stock_threshold: int, limit: int = 100) -> Dashboard:
    """Low stock (published goods with few sellable units), lots near expiry, expired lots still on hand."""
    cutoff = today + timedelta(days=near_expiry_days)
    sellable = (select(Lot.product_id, func.sum(Lot.on_hand - Lot.reserved).label("free"))
                .where(Lot.best_before > cutoff).group_by(Lot.product_id).subquery())
    free = func.coalesce(sellable.c.free, 0)
    low = list(session.execute(
        select(Product, free).outerjoin(sellable, sellable.c.product_id == Product.id)
        .where(Product.published.is_(True), free < low_stock_threshold)
        .order_by(free, Product.sku).limit(limit)
    ))
    lots = (select(Lot).options(joinedload(Lot.product), joinedload(Lot.warehouse))
            .where(Lot.on_hand > 0).order_by(Lot.best_before, Lot.id).limit(limit))
    near = list(session.scalars(lots.where(Lot.best_before > today,
                                           Lot.best_before <= today + timedelta(days=warning_days))))
    expired = list(session.scalars(lots.where(Lot.best_before <= today)))
    return Dashboard(low_stock=[(p, int(q)) for p, q in low], near_expiry=near, expired=expired)
