"""Bonded stock use cases: receiving lots, availability (sellable = on hand − reserved, first expiry first out)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.catalog.models import Product
from shop.inventory.models import ArrivalChannel, Lot, MovementReason, StockMovement, Warehouse


def sale_cutoff(today: date, near_expiry_days: int) -> date:
    """Lots whose best-before date is on or before this day are never sold."""
    return today + timedelta(days=near_expiry_days)


def available_quantity_expr(cutoff: date):
    """A correlated scalar subquery: the sellable units of each product (for listings)."""
    return (
        select(func.coalesce(func.sum(Lot.on_hand - Lot.reserved), 0))
        .where(Lot.product_id == Product.id, Lot.best_before > cutoff, Lot.on_hand > Lot.reserved)
        .correlate(Product)
        .scalar_subquery()
    )


def sellable_lots(session: Session, product_id: int, cutoff: date) -> list[Lot]:
    """The product's sellable lots, first expiry first."""
    return list(session.scalars(
        select(Lot)
        .where(Lot.product_id == product_id, Lot.best_before > cutoff, Lot.on_hand > Lot.reserved)
        .order_by(Lot.best_before, Lot.id)
    ))


def available_quantities(session: Session, product_ids: list[int], cutoff: date) -> dict[int, int]:
    """Sellable units per product, for a handful of products in one query."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(Lot.product_id, func.sum(Lot.on_hand - Lot.reserved))
        .where(Lot.product_id.in_(product_ids), Lot.best_before > cutoff, Lot.on_hand > Lot.reserved)
        .group_by(Lot.product_id)
    )
    found = {pid: int(qty) for pid, qty in rows}
    return {pid: found.get(pid, 0) for pid in product_ids}


def receive_lot(
    session: Session,
    *,
    product: Product,
    warehouse: Warehouse,
    lot_no: str,
    quantity: int,
    best_before: date,
    arrival_channel: ArrivalChannel,
    arrived_on: date,
    entry_declaration_no: str | None = None,
    actor_id: int | None = None,
) -> Lot:
    """Receive a lot into the bonded zone: the lot and its first movement row."""
    if quantity <= 0:
        raise ValueError("a received lot needs a positive quantity")
    lot = Lot(
        product=product, warehouse=warehouse, lot_no=lot_no, quantity_received=quantity, on_hand=quantity,
        best_before=best_before, arrival_channel=ArrivalChannel(arrival_channel), arrived_on=arrived_on,
        entry_declaration_no=entry_declaration_no,
    )
    session.add(lot)
    session.add(StockMovement(lot=lot, quantity=quantity, reason=MovementReason.RECEIPT, actor_id=actor_id,
                              note=entry_declaration_no or ""))
    session.flush()
    return lot
