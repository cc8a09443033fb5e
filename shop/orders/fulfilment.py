"""Fulfilment: the queue of customs-released orders, pick lists, shipping, delivery, returns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.audit import record, snapshot
from shop.db import utcnow
from shop.domain import DomainError
from shop.inventory import stock
from shop.inventory.models import Lot
from shop.money import ZERO, to_cents
from shop.orders import services as orders
from shop.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    ReservationState,
    ReturnDisposition,
    ReturnRecord,
    StockReservation,
)

RETURN_WINDOW = timedelta(days=30)
GRAM = Decimal("0.001")
MAX_PACKAGE_KG = Decimal("1000")  # a sanity bound well above any parcel (and within the column)


class FulfilmentRefused(DomainError):
    code = "fulfilment_refused"


def release_queue(session: Session) -> list[Order]:
    """Orders customs has released and that have not left the zone yet, oldest release first."""
    return list(session.scalars(
        select(Order).where(Order.status == OrderStatus.RELEASED)
        .options(selectinload(Order.lines)).order_by(Order.released_at, Order.id)
    ))


@dataclass
class PickRow:
    location: str
    sku: str
    name_zh: str
    name_en: str
    lot_no: str
    best_before: date
    quantity: int
    orders: list[str] = field(default_factory=list)


def pick_list(session: Session, order_ids: list[int]) -> dict[str, list[PickRow]]:
    """What to take from where: reserved units of the orders, grouped by warehouse location, lots FEFO."""
    rows = session.execute(
        select(StockReservation, OrderLine, Lot, Order.number)
        .join(OrderLine, StockReservation.order_line_id == OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Lot, Lot.id == StockReservation.lot_id)
        .options(joinedload(Lot.warehouse), joinedload(Lot.location))
        .where(OrderLine.order_id.in_(order_ids), StockReservation.state == ReservationState.COMMITTED)
    )
    grouped: dict[tuple, PickRow] = {}
    for reservation, line, lot, number in rows:
        place = f"{lot.warehouse.code} · {lot.location.code}" if lot.location else lot.warehouse.code
        key = (place, line.sku, lot.lot_no)
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = PickRow(place, line.sku, line.name_zh, line.name_en, lot.lot_no, lot.best_before, 0)
        row.quantity += reservation.quantity
        if number not in row.orders:
            row.orders.append(number)
    by_place: dict[str, list[PickRow]] = defaultdict(list)
    for row in sorted(grouped.values(), key=lambda r: (r.location, r.sku, r.best_before)):
        by_place[row.location].append(row)
    return dict(by_place)


def ship(session: Session, order: Order, *, carrier: str, waybill_no: str, package_weight_kg: Decimal,
         actor_id: int | None, now: datetime | None = None) -> None:
    """Ship a released parcel: its units leave the zone (sale movements) and the order is shipped."""
    now = now or utcnow()
    order = orders.lock_order(session, order.id)
    if order.status is not OrderStatus.RELEASED:
        raise FulfilmentRefused(_l("Only parcels released by customs can leave the bonded zone."))
    if order.waybill_no and waybill_no.strip() not in ("", order.waybill_no):
        # Customs matched the inventory list with this waybill: the parcel leaves the zone under it.
        raise FulfilmentRefused(_l("This parcel was declared to customs under waybill %(number)s: ship it "
                                   "under that number.", number=order.waybill_no))
    waybill_no = waybill_no.strip() or order.waybill_no or ""
    carrier = carrier.strip() or order.carrier or ""
    if not waybill_no.strip() or not carrier.strip():
        raise FulfilmentRefused(_l("Enter the carrier and the waybill number."))
    if not (package_weight_kg.is_finite() and 0 < package_weight_kg <= MAX_PACKAGE_KG
            and package_weight_kg.quantize(GRAM) > 0):  # stored in grams: 0.0001 kg would be 0
        raise FulfilmentRefused(_l("Enter the weight of the packed parcel."))
    package_weight_kg = package_weight_kg.quantize(GRAM)
    before = snapshot(order)
    for reservation in orders.order_reservations(session, order):
        if reservation.state is ReservationState.COMMITTED:
            stock.ship_units(session, reservation.lot_id, reservation.quantity, actor_id=actor_id,
                             note=f"order {order.number}", at=now)
            reservation.state = ReservationState.SHIPPED
    order.carrier = carrier.strip()[:40]
    order.waybill_no = waybill_no.strip()[:40]
    order.package_weight_kg = package_weight_kg
    orders.change_status(session, order, OrderStatus.SHIPPED, now=now, actor_id=actor_id, source="staff",
                         reason=f"{order.carrier} {order.waybill_no}")
    record(session, actor_id=actor_id, action="order.ship", obj=order, before=before, summary=order.number)


def mark_delivered(session: Session, order: Order, *, actor_id: int | None, now: datetime | None = None) -> None:
    order = orders.lock_order(session, order.id)
    if order.status is not OrderStatus.SHIPPED:
        raise FulfilmentRefused(_l("Only shipped parcels can be marked delivered."))
    before = snapshot(order)
    orders.change_status(session, order, OrderStatus.DELIVERED, now=now, actor_id=actor_id, source="staff",
                         reason="delivered")
    record(session, actor_id=actor_id, action="order.deliver", obj=order, before=before, summary=order.number)


def returned_quantities(session: Session, order: Order) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for line_id, quantity in session.execute(
            select(ReturnRecord.order_line_id, ReturnRecord.quantity)
            .join(OrderLine).where(OrderLine.order_id == order.id)):
        found[line_id] += quantity
    return dict(found)


def accept_return(session: Session, order: Order, quantities: dict[int, int], *, disposition: ReturnDisposition,
                  actor_id: int | None, now: datetime | None = None) -> Decimal:
    """Take goods back within 30 days of release: restock or write off, refund goods and tax of those units.

    Returns the amount refunded. The tax of returned goods is not collected and their duty-paid value no longer
    counts towards the buyer's annual limit.
    """
    from shop.payments.services import refund_amount

    now = now or utcnow()
    order = orders.lock_order(session, order.id)
    if order.status not in (OrderStatus.RELEASED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise FulfilmentRefused(_l("Only orders released by customs can be returned."))
    if order.status is OrderStatus.RELEASED:  # its units are still reserved in their lots: nothing came back
        raise FulfilmentRefused(_l("Only parcels that have left the bonded zone can be returned."))
    if order.released_at is None or now - order.released_at > RETURN_WINDOW:
        raise FulfilmentRefused(_l("Returns are accepted within 30 days of customs release."))
    already = returned_quantities(session, order)
    lines = {line.id: line for line in order.lines}
    wanted = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not wanted:
        raise FulfilmentRefused(_l("Choose at least one unit to return."))
    for line_id, qty in wanted.items():
        line = lines.get(line_id)
        if line is None or qty < 0 or qty > line.quantity - already.get(line_id, 0):
            raise FulfilmentRefused(_l("A line cannot return more units than were sold and not yet returned."))
    before = snapshot(order)
    refund = ZERO
    for line_id, qty in wanted.items():
        line = lines[line_id]
        done = already.get(line_id, 0)
        # The part of units done..done+qty: a line returned piece by piece adds up to the line, to the cent.
        share = _part(line.goods_value + line.tax, line, done, qty)
        value = _part(line.duty_paid_value, line, done, qty)
        if disposition is ReturnDisposition.RESTOCK:  # (before this return's record: it counts earlier ones)
            _restock_line(session, order, line, qty, actor_id=actor_id)
        session.add(ReturnRecord(order_line_id=line.id, quantity=qty, disposition=disposition, refund_amount=share,
                                 actor_id=actor_id, created_at=now))
        order.returned_value = order.returned_value + value
        refund += share
    session.flush()
    everything = all(already.get(line.id, 0) + wanted.get(line.id, 0) == line.quantity for line in order.lines)
    if everything:
        refund = order.actual_paid - _refunded_so_far(session, order)  # a full return gives back freight too
        order.returned_value = order.duty_paid_value
        orders.change_status(session, order, OrderStatus.RETURNED, now=now, actor_id=actor_id, source="staff",
                             reason=f"returned ({disposition.value})")
    refund_amount(session, order, refund, reason="goods returned", actor_id=actor_id)
    record(session, actor_id=actor_id, action="order.return", obj=order, before=before,
           summary=f"{order.number} {refund}")
    return refund


def _part(amount: Decimal, line: OrderLine, done: int, quantity: int) -> Decimal:
    return to_cents(amount * (done + quantity) / line.quantity) - to_cents(amount * done / line.quantity)


def _refunded_so_far(session: Session, order: Order) -> Decimal:
    from shop.payments.services import refundable_payment

    payment = refundable_payment(session, order)  # not a duplicate charge that was refunded in full
    return payment.refunded_amount if payment else ZERO


def _restock_line(session: Session, order: Order, line: OrderLine, quantity: int, *, actor_id: int | None) -> None:
    """Put returned units back into the lots they came from (the lot received last first)."""
    shipped = list(session.scalars(
        select(StockReservation).where(StockReservation.order_line_id == line.id,
                                       StockReservation.state == ReservationState.SHIPPED)
        .order_by(StockReservation.lot_id.desc())
    ))
    # Earlier returns of this line restocked lots in this same order: their units are not to come back twice.
    skip = session.scalar(select(func.coalesce(func.sum(ReturnRecord.quantity), 0)).where(
        ReturnRecord.order_line_id == line.id, ReturnRecord.disposition == ReturnDisposition.RESTOCK)) or 0
    remaining = quantity
    for reservation in shipped:
        skipped = min(skip, reservation.quantity)
        skip -= skipped
        take = min(remaining, reservation.quantity - skipped)
        if take:
            stock.restock(session, reservation.lot_id, take, actor_id=actor_id, note=f"return of order {order.number}")
            remaining -= take
    if remaining:
        raise FulfilmentRefused(_l("The original lot of these units is not known."))
