"""Stock reservations: set units aside for an order first-expiry-first-out, without ever overselling.

The one figure that decides availability is `lots.reserved` (sellable = on_hand − reserved). It only changes
through a guarded atomic UPDATE (`… WHERE on_hand - reserved >= n`), so two buyers racing for the last unit
cannot both get it.

Lock order, the same everywhere (reserving, releasing): products by id, and a product's lots by id. A product's
sellable lots are locked together in one statement before any is updated, then used earliest best-before first;
orders reserve their products in id order, and releases sort their lots the same way. (Without that, a retry
could come back to an earlier lot while holding a later one, or an expiring order could release lots in another
order than a checkout reserves them: two transactions then wait for each other.)
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop.inventory.models import Lot
from shop.orders.models import ReservationState, StockReservation

# A lot whose free units changed under us is re-read and tried again; this bounds the retries.
MAX_ATTEMPTS = 5


class NotEnoughStock(Exception):
    def __init__(self, product_id: int, available: int):
        super().__init__(f"product {product_id}: only {available} available")
        self.product_id, self.available = product_id, available


def _free_lots(session: Session, product_id: int, cutoff: date, *, lock: bool = False) -> list[tuple[int, int]]:
    stmt = (
        select(Lot.id, Lot.on_hand - Lot.reserved)
        .where(Lot.product_id == product_id, Lot.best_before > cutoff, Lot.on_hand > Lot.reserved)
        .order_by(Lot.id)
    )
    if lock:  # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the database's write lock
        stmt = stmt.with_for_update(of=Lot)
    rows = session.execute(stmt.add_columns(Lot.best_before))
    # Locked in id order; used first-expiry-first-out.
    return [(lot_id, int(free)) for lot_id, free, _ in sorted(rows, key=lambda r: (r[2], r[0]))]


def _take(session: Session, lot_id: int, quantity: int) -> bool:
    result = session.execute(
        update(Lot)
        .where(Lot.id == lot_id, Lot.on_hand - Lot.reserved >= quantity)
        .values(reserved=Lot.reserved + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def reserve(session: Session, *, line_id: int, product_id: int, quantity: int, cutoff: date,
            expires_at: datetime | None) -> list[StockReservation]:
    """Reserve `quantity` units of a product for an order line, earliest best-before first."""
    remaining = quantity
    made: list[StockReservation] = []
    for _attempt in range(MAX_ATTEMPTS):
        lots = _free_lots(session, product_id, cutoff, lock=True)
        if sum(free for _, free in lots) < remaining:
            break
        for lot_id, free in lots:
            take = min(free, remaining)
            if take and _take(session, lot_id, take):
                made.append(StockReservation(order_line_id=line_id, lot_id=lot_id, quantity=take, expires_at=expires_at))
                remaining -= take
            if remaining == 0:
                session.add_all(made)
                session.flush()
                return made
    available = sum(free for _, free in _free_lots(session, product_id, cutoff)) + (quantity - remaining)
    raise NotEnoughStock(product_id, available)


def release(session: Session, reservations: list[StockReservation]) -> None:
    """Give reserved units back to their lots (in the lock order: product id, then lot id)."""
    lot_ids = {r.lot_id for r in reservations}
    rows = session.execute(select(Lot.id, Lot.product_id).where(Lot.id.in_(lot_ids))) if lot_ids else []
    product_of = {lot_id: product_id for lot_id, product_id in rows}
    for reservation in sorted(reservations, key=lambda r: (product_of.get(r.lot_id, 0), r.lot_id)):
        if reservation.state not in (ReservationState.HELD, ReservationState.COMMITTED):
            continue
        session.execute(
            update(Lot).where(Lot.id == reservation.lot_id)
            .values(reserved=Lot.reserved - reservation.quantity)
            .execution_options(synchronize_session=False)
        )
        reservation.state = ReservationState.RELEASED
        reservation.expires_at = None
    session.flush()


def commit(reservations: list[StockReservation]) -> None:
    """The order is paid: its reservations no longer expire."""
    for reservation in reservations:
        if reservation.state is ReservationState.HELD:
            reservation.state = ReservationState.COMMITTED
            reservation.expires_at = None
