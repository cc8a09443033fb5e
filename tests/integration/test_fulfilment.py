"""Fulfilment after customs release: the queue, pick lists, shipping, delivery, and returns with refunds.

Payments go through localstripe (the real `stripe` client), so every refund is a real Stripe refund that the
tests read back from localstripe.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop import clock
from shop.accounts.models import Role
from shop.audit import AuditEntry
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.db import utcnow
from shop.inventory.models import Location, Lot, MovementReason, StockMovement
from shop.inventory.stock import ledger_mismatches
from shop.money import to_cents, to_fen
from shop.orders import fulfilment
from shop.orders import services as orders
from shop.orders.fulfilment import FulfilmentRefused
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    ReservationState,
    ReturnDisposition,
    ReturnRecord,
)
from shop.payments import services as payments
from shop.payments.gateway import gateway
from shop.payments.models import Payment, Refund
from tests import factories
from tests.localstripe import CARD_3DS, CARD_OK, LocalStripe
from tests.ordering import ID_B, buyer, place, tz

D = Decimal
S = OrderStatus
RESTOCK, WRITE_OFF = ReturnDisposition.RESTOCK, ReturnDisposition.WRITE_OFF


@pytest.fixture
def ls(localstripe: LocalStripe) -> LocalStripe:
    localstripe.reset()
    return localstripe


@pytest.fixture
def staff(session):
    return factories.user(session, role=Role.STAFF)


@pytest.fixture
def warehouse(session):
    return factories.warehouse(session, code="BZ-1")


def _location(session, warehouse, code: str) -> Location:
    location = Location(warehouse=warehouse, code=code, name=code)
    session.add(location)
    session.flush()
    return location


def _lot(session, product, quantity: int, *, days: int, warehouse, location=None, lot_no: str | None = None) -> Lot:
    kw = {"lot_no": lot_no} if lot_no else {}
    lot = factories.lot(session, product, quantity, best_before=clock.today() + timedelta(days=days), wh=warehouse,
                        **kw)
    lot.location = location
    session.flush()
    return lot


def _wine(session, **kw):
    return factories.product(
        session, name_zh="波尔多红葡萄酒", name_en="Bordeaux red wine", hs_code="2204210000", origin_code="305",
        unit_code="142", price=D("299.00"), vat_rate=D("0.13"), consumption_tax_category=ConsumptionTaxCategory.WINE,
        tariff_rate=D("0.14"), net_content=D("750"), net_content_unit=NetContentUnit.ML,
        net_weight_kg=D("1.2"), gross_weight_kg=D("1.4"), **kw)


def pay(session, ls: LocalStripe, order: Order, card: str = CARD_OK) -> payments.Intent:
    """Pay through the service with a localstripe card (the order becomes paid, its stock committed)."""
    intent = payments.pay_with_card(session, order, card=ls.payment_method(card), gateway=gateway(), now=utcnow())
    session.flush()
    return intent


def release(session, order: Order, *, at=None) -> Order:
    """Customs declares and releases the order (the customs workflow is a later feature)."""
    orders.change_status(session, order, S.DECLARED, source="customs", reason="declared (test)")
    orders.change_status(session, order, S.RELEASED, now=at or utcnow(), source="customs", reason="800 (test)")
    session.flush()
    return order


def _ship(session, order: Order, staff, **kw) -> None:
    values = {"carrier": "SF Express", "waybill_no": "SF1234567890", "package_weight_kg": D("2.450")}
    values.update(kw)
    fulfilment.ship(session, order, actor_id=staff.id, **values)


def _reload(session, order: Order) -> Order:
    session.expire_all()
    return session.get(Order, order.id)


def _lot_figures(session, lot: Lot) -> tuple[int, int]:
    session.expire_all()
    fresh = session.get(Lot, lot.id)
    return fresh.on_hand, fresh.reserved


def _movements(session, lot: Lot, reason: MovementReason) -> list[int]:
    return list(session.scalars(select(StockMovement.quantity).where(
        StockMovement.lot_id == lot.id, StockMovement.reason == reason).order_by(StockMovement.id)))


def _events(session, order: Order) -> list[OrderEvent]:
    return list(session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)))


def _audit(session, order: Order, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "order", AuditEntry.object_id == str(order.id), AuditEntry.action == action)
        .order_by(AuditEntry.id)))


def _payment(session, order: Order) -> Payment:
    session.expire_all()
    return session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.succeeded_at.is_not(None)))


def _used(session, id_number: str = ID_B) -> Decimal:
    from shop import security

    return orders.annual_used(session, security.digest(id_number), now=utcnow(), tz=tz())


def _line(order: Order, sku: str) -> OrderLine:
    return next(line for line in order.lines if line.sku == sku)


class Hall:
    """A shopper, a warehouse with two locations, a milk powder in two lots and a wine."""

    def __init__(self, session, warehouse):
        self.session = session
        self.shopper = factories.user(session)
        self.a01 = _location(session, warehouse, "A-01")
        self.b02 = _location(session, warehouse, "B-02")
        self.milk = factories.product(session, price=D("300.00"))
        # The later expiry is received first: FEFO, not lot id, decides what is taken.
        self.milk_late = _lot(session, self.milk, 20, days=300, warehouse=warehouse, location=self.a01,
                              lot_no="M-LATE")
        self.milk_early = _lot(session, self.milk, 2, days=90, warehouse=warehouse, location=self.a01,
                               lot_no="M-EARLY")
        self.wine = _wine(session)
        self.wine_lot = _lot(session, self.wine, 10, days=700, warehouse=warehouse, location=self.b02,
                             lot_no="W-1")

    def order(self, items, *, paid_by: LocalStripe | None = None) -> Order:
        order = place(self.session, self.shopper, items, who=buyer(ID_B))
        if paid_by is not None:
            pay(self.session, paid_by, order)
        return order

    def released(self, ls: LocalStripe, items=None, *, at=None) -> Order:
        order = self.order(items or [(self.milk, 3), (self.wine, 1)], paid_by=ls)
        return release(self.session, order, at=at)


@pytest.fixture
def hall(session, warehouse, in_request) -> Hall:
    return Hall(session, warehouse)


# --- the queue ---------------------------------------------------------------------------------------------


def test_only_released_orders_are_in_the_queue_oldest_release_first(session, hall, ls, staff):
    paid = hall.order([(hall.wine, 1)], paid_by=ls)
    declared = hall.order([(hall.wine, 1)], paid_by=ls)
    orders.change_status(session, declared, S.DECLARED, source="customs")
    unpaid = hall.order([(hall.wine, 1)])
    later = hall.released(ls, [(hall.wine, 1)], at=utcnow() - timedelta(hours=1))
    earlier = hall.released(ls, [(hall.wine, 1)], at=utcnow() - timedelta(hours=5))
    shipped = hall.released(ls, [(hall.wine, 1)])
    _ship(session, shipped, staff)

    queue = fulfilment.release_queue(session)

    assert [o.number for o in queue] == [earlier.number, later.number]
    assert {paid.status, declared.status, unpaid.status, shipped.status} == {
        S.PAID, S.DECLARED, S.AWAITING_PAYMENT, S.SHIPPED}


# --- shipping ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PAID, S.DECLARED, S.SHIPPED, S.CANCELLED])
def test_only_a_released_order_can_ship(session, hall, ls, staff, status):
    order = hall.order([(hall.milk, 1)], paid_by=ls)
    if status is S.DECLARED:
        orders.change_status(session, order, S.DECLARED, source="customs")
    elif status is S.SHIPPED:
        release(session, order)
        _ship(session, order, staff)
    elif status is S.CANCELLED:
        payments.cancel_order(session, order, actor_id=staff.id, source="staff", reason="test")
    session.commit()
    before = (order.status, order.carrier, order.waybill_no, order.package_weight_kg, len(_events(session, order)))
    lots = [_lot_figures(session, lot) for lot in (hall.milk_early, hall.milk_late)]
    audited = len(_audit(session, order, "order.ship"))

    with pytest.raises(FulfilmentRefused) as refused:
        _ship(session, order, staff, waybill_no="YT999")
    session.rollback()

    if status is not S.SHIPPED:
        assert "released by customs" in str(refused.value.message)
    order = _reload(session, order)
    assert (order.status, order.carrier, order.waybill_no, order.package_weight_kg,
            len(_events(session, order))) == before
    assert [_lot_figures(session, lot) for lot in (hall.milk_early, hall.milk_late)] == lots
    assert len(_audit(session, order, "order.ship")) == audited


@pytest.mark.parametrize(("fields", "message"), [
    ({"carrier": ""}, "carrier and the waybill"),
    ({"carrier": "   "}, "carrier and the waybill"),
    ({"waybill_no": ""}, "carrier and the waybill"),
    ({"waybill_no": "  "}, "carrier and the waybill"),
    ({"package_weight_kg": D("0")}, "weight"),
    ({"package_weight_kg": D("-1.5")}, "weight"),
    ({"package_weight_kg": D("0.0001")}, "weight"),  # rounds to 0.000 kg in the database
    ({"package_weight_kg": D("1E+20")}, "weight"),  # more than the column holds
])
def test_shipping_needs_a_carrier_a_waybill_and_a_positive_weight(session, hall, ls, staff, fields, message):
    order = hall.released(ls)
    session.commit()

    with pytest.raises(FulfilmentRefused) as refused:
        _ship(session, order, staff, **fields)
    session.rollback()

    assert message in str(refused.value.message)
    order = _reload(session, order)
    assert order.status is S.RELEASED and order.waybill_no is None and order.package_weight_kg is None
    assert {r.state for r in orders.order_reservations(session, order)} == {ReservationState.COMMITTED}
    assert _movements(session, hall.milk_early, MovementReason.SALE) == []


def test_shipping_takes_the_units_out_of_their_lots_with_sale_movements(session, hall, ls, staff):
    order = hall.released(ls)  # 3 milk (2 from the early lot, 1 from the late one) and 1 wine
    assert _lot_figures(session, hall.milk_early) == (2, 2)
    assert _lot_figures(session, hall.milk_late) == (20, 1)
    assert _lot_figures(session, hall.wine_lot) == (10, 1)

    _ship(session, order, staff, carrier=" SF Express ", waybill_no=" SF1234567890 ", package_weight_kg=D("2.45"))

    order = _reload(session, order)
    assert order.status is S.SHIPPED
    assert (order.carrier, order.waybill_no, order.package_weight_kg) == ("SF Express", "SF1234567890", D("2.450"))
    assert {r.state for r in orders.order_reservations(session, order)} == {ReservationState.SHIPPED}
    assert _lot_figures(session, hall.milk_early) == (0, 0)
    assert _lot_figures(session, hall.milk_late) == (19, 0)
    assert _lot_figures(session, hall.wine_lot) == (9, 0)
    assert _movements(session, hall.milk_early, MovementReason.SALE) == [-2]
    assert _movements(session, hall.milk_late, MovementReason.SALE) == [-1]
    assert _movements(session, hall.wine_lot, MovementReason.SALE) == [-1]
    assert ledger_mismatches(session) == []
    # The event, with who shipped it and the waybill, and the audit entry with before and after.
    shipped = _events(session, order)[-1]
    assert (shipped.from_status, shipped.to_status, shipped.actor_id, shipped.source) == (
        S.RELEASED, S.SHIPPED, staff.id, "staff")
    assert "SF1234567890" in shipped.reason
    (entry,) = _audit(session, order, "order.ship")
    assert entry.actor_id == staff.id and entry.summary == order.number
    changes = {field: (old, new) for field, old, new in entry.changes()}
    assert changes["status"] == ("released", "shipped")
    assert changes["waybill_no"] == (None, "SF1234567890")
    # Nothing left to take: the order is out of the queue and the pick list.
    assert fulfilment.release_queue(session) == []
    assert fulfilment.pick_list(session, [order.id]) == {}


def test_shipped_units_are_no_longer_sellable_and_the_rest_still_are(session, hall, ls, staff):
    from shop.inventory.services import available_quantities, sale_cutoff

    order = hall.released(ls)
    cutoff = sale_cutoff(clock.today(), 30)
    assert available_quantities(session, [hall.milk.id], cutoff) == {hall.milk.id: 22 - 3}

    _ship(session, order, staff)

    assert available_quantities(session, [hall.milk.id], cutoff) == {hall.milk.id: 22 - 3}


# --- the pick list -------------------------------------------------------------------------------------------


def test_the_pick_list_groups_by_location_and_lists_the_first_expiry_lots_taken(session, hall, ls):
    first = hall.released(ls, [(hall.milk, 3), (hall.wine, 1)])
    second = hall.released(ls, [(hall.milk, 2), (hall.wine, 2)])
    hall.order([(hall.wine, 1)], paid_by=ls)  # paid, not released: reserved but not to be picked
    hall.order([(hall.milk, 1)])  # unpaid: held, not to be picked

    places = fulfilment.pick_list(session, [first.id, second.id])

    assert list(places) == ["BZ-1 · A-01", "BZ-1 · B-02"]
    milk_rows = [(r.sku, r.lot_no, r.quantity, r.orders) for r in places["BZ-1 · A-01"]]
    # The early lot (2 units) went to the first order; everything else came from the late lot.
    assert milk_rows == [
        (hall.milk.sku, "M-EARLY", 2, [first.number]),
        (hall.milk.sku, "M-LATE", 3, [first.number, second.number]),
    ]
    assert [r.best_before for r in places["BZ-1 · A-01"]] == sorted(r.best_before for r in places["BZ-1 · A-01"])
    (wine_row,) = places["BZ-1 · B-02"]
    assert (wine_row.sku, wine_row.lot_no, wine_row.quantity, sorted(wine_row.orders)) == (
        hall.wine.sku, "W-1", 3, sorted([first.number, second.number]))
    assert (wine_row.name_zh, wine_row.name_en) == ("波尔多红葡萄酒", "Bordeaux red wine")

    only_second = fulfilment.pick_list(session, [second.id])
    assert [(r.lot_no, r.quantity) for r in only_second["BZ-1 · A-01"]] == [("M-LATE", 2)]
    assert [(r.lot_no, r.quantity) for r in only_second["BZ-1 · B-02"]] == [("W-1", 2)]


def test_a_lot_without_a_location_is_picked_from_its_warehouse(session, hall, ls, warehouse):
    loose = factories.product(session, price=D("50.00"))
    _lot(session, loose, 5, days=400, warehouse=warehouse, location=None, lot_no="LOOSE-1")
    order = hall.released(ls, [(loose, 2)])

    assert {place: [(r.lot_no, r.quantity) for r in rows]
            for place, rows in fulfilment.pick_list(session, [order.id]).items()} == {"BZ-1": [("LOOSE-1", 2)]}


# --- delivery ------------------------------------------------------------------------------------------------


def test_delivered_only_after_shipped(session, hall, ls, staff):
    order = hall.released(ls)

    with pytest.raises(FulfilmentRefused):
        fulfilment.mark_delivered(session, order, actor_id=staff.id)
    assert _reload(session, order).status is S.RELEASED

    _ship(session, order, staff)
    fulfilment.mark_delivered(session, order, actor_id=staff.id)

    order = _reload(session, order)
    assert order.status is S.DELIVERED and order.closed_at is not None
    delivered = _events(session, order)[-1]
    assert (delivered.from_status, delivered.to_status, delivered.actor_id, delivered.source) == (
        S.SHIPPED, S.DELIVERED, staff.id, "staff")
    (entry,) = _audit(session, order, "order.deliver")
    assert entry.actor_id == staff.id and ("status", "shipped", "delivered") in entry.changes()
    with pytest.raises(FulfilmentRefused):
        fulfilment.mark_delivered(session, order, actor_id=staff.id)


# --- returns -------------------------------------------------------------------------------------------------


def _shipped(session, hall, ls, staff, items=None, *, released_at=None) -> Order:
    order = hall.released(ls, items, at=released_at)
    _ship(session, order, staff)
    return _reload(session, order)


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (29, True), (30, True), (31, False)])
def test_returns_are_accepted_within_30_days_of_release(session, hall, ls, staff, days, allowed):
    released_at = utcnow() - timedelta(days=40)
    order = _shipped(session, hall, ls, staff, released_at=released_at)
    wine = _line(order, hall.wine.sku)
    session.commit()

    def take_back():
        return fulfilment.accept_return(session, order, {wine.id: 1}, disposition=RESTOCK, actor_id=staff.id,
                                        now=released_at + timedelta(days=days))

    if allowed:
        assert take_back() == to_cents(wine.goods_value + wine.tax)
    else:
        with pytest.raises(FulfilmentRefused) as refused:
            take_back()
        session.rollback()
        assert "within 30 days" in str(refused.value.message)
        assert session.scalars(select(ReturnRecord)).all() == []
        assert _payment(session, order).refunded_amount == D("0.00")
        assert _reload(session, order).returned_value == D("0.00")


def test_a_partial_return_refunds_that_lines_goods_and_tax_and_restocks_the_original_lot(session, hall, ls, staff):
    order = _shipped(session, hall, ls, staff)
    wine = _line(order, hall.wine.sku)
    used_before = _used(session)
    assert _lot_figures(session, hall.wine_lot) == (9, 0)

    refunded = fulfilment.accept_return(session, order, {wine.id: 1}, disposition=RESTOCK, actor_id=staff.id)

    assert refunded == wine.goods_value + wine.tax == D("299.00") + D("53.49")
    order = _reload(session, order)
    assert order.status is S.SHIPPED  # the milk is still with the shopper
    assert order.returned_value == wine.duty_paid_value
    # The buyer's annual quota gets this line's duty-paid value back.
    assert _used(session) == used_before - wine.duty_paid_value
    (record,) = session.scalars(select(ReturnRecord)).all()
    assert (record.order_line_id, record.quantity, record.disposition, record.refund_amount, record.actor_id) == (
        wine.id, 1, RESTOCK, refunded, staff.id)
    assert fulfilment.returned_quantities(session, order) == {wine.id: 1}
    # Back into the lot it came from, with a return movement; the ledger still adds up.
    assert _lot_figures(session, hall.wine_lot) == (10, 0)
    assert _movements(session, hall.wine_lot, MovementReason.RETURN) == [1]
    assert ledger_mismatches(session) == []
    # The money went back through Stripe.
    payment = _payment(session, order)
    (refund,) = payment.refunds
    assert payment.refunded_amount == refund.amount == refunded and refund.actor_id == staff.id
    stripe_refund = ls.client.v1.refunds.retrieve(refund.refund_id)
    assert (stripe_refund.amount, stripe_refund.payment_intent) == (to_fen(refunded), payment.intent_id)
    # The order's history and the audit log say so.
    note = _events(session, order)[-1]
    assert (note.from_status, note.to_status, note.actor_id) == (S.SHIPPED, S.SHIPPED, staff.id)
    assert f"refunded {refunded} CNY" in note.reason
    (entry,) = _audit(session, order, "order.return")
    assert entry.actor_id == staff.id and str(refunded) in entry.summary
    assert ("returned_value", "0.00", str(wine.duty_paid_value)) in entry.changes()


def test_a_partial_return_of_some_units_of_a_line_refunds_their_share(session, hall, ls, staff):
    order = _shipped(session, hall, ls, staff)
    milk = _line(order, hall.milk.sku)
    used_before = _used(session)

    refunded = fulfilment.accept_return(session, order, {milk.id: 1}, disposition=RESTOCK, actor_id=staff.id)

    assert refunded == to_cents((milk.goods_value + milk.tax) / 3)
    assert _reload(session, order).returned_value == to_cents(milk.duty_paid_value / 3)
    assert _used(session) == used_before - to_cents(milk.duty_paid_value / 3)
    assert fulfilment.returned_quantities(session, order) == {milk.id: 1}


def test_written_off_goods_do_not_go_back_into_stock(session, hall, ls, staff):
    order = _shipped(session, hall, ls, staff)
    wine = _line(order, hall.wine.sku)

    refunded = fulfilment.accept_return(session, order, {wine.id: 1}, disposition=WRITE_OFF, actor_id=staff.id)

    assert refunded == wine.goods_value + wine.tax
    assert _lot_figures(session, hall.wine_lot) == (9, 0)
    assert _movements(session, hall.wine_lot, MovementReason.RETURN) == []
    (record,) = session.scalars(select(ReturnRecord)).all()
    assert record.disposition is WRITE_OFF
    assert ledger_mismatches(session) == []
    assert _payment(session, order).refunded_amount == refunded


def test_returning_everything_refunds_what_remains_restores_the_quota_and_closes_the_order(session, hall, ls, staff):
    used_without = _used(session)
    order = _shipped(session, hall, ls, staff)
    fulfilment.mark_delivered(session, order, actor_id=staff.id)
    milk, wine = _line(order, hall.milk.sku), _line(order, hall.wine.sku)
    assert _used(session) == used_without + order.duty_paid_value

    first = fulfilment.accept_return(session, order, {wine.id: 1}, disposition=RESTOCK, actor_id=staff.id)
    rest = fulfilment.accept_return(session, order, {milk.id: 3, wine.id: 0}, disposition=RESTOCK,
                                    actor_id=staff.id)

    order = _reload(session, order)
    assert order.status is S.RETURNED and order.closed_at is not None
    # The second return gives back everything not yet refunded, freight included.
    assert first + rest == order.actual_paid
    payment = _payment(session, order)
    assert payment.refunded_amount == payment.amount == order.actual_paid
    assert [r.amount for r in payment.refunds] == [first, rest]
    assert sum(ls.client.v1.refunds.retrieve(r.refund_id).amount for r in payment.refunds) == to_fen(
        order.actual_paid)
    assert order.returned_value == order.duty_paid_value
    assert _used(session) == used_without
    # Every unit is back in the lot it was taken from.
    assert _lot_figures(session, hall.milk_early) == (2, 0)
    assert _lot_figures(session, hall.milk_late) == (20, 0)
    assert _lot_figures(session, hall.wine_lot) == (10, 0)
    assert ledger_mismatches(session) == []
    returned = [e for e in _events(session, order) if e.to_status is S.RETURNED and e.from_status is S.DELIVERED]
    assert len(returned) == 1 and returned[0].actor_id == staff.id and returned[0].source == "staff"
    assert len(_audit(session, order, "order.return")) == 2
    # Nothing more can be returned.
    with pytest.raises(FulfilmentRefused):
        fulfilment.accept_return(session, order, {milk.id: 1}, disposition=RESTOCK, actor_id=staff.id)


def test_returning_everything_at_once_refunds_the_whole_payment(session, hall, ls, staff):
    order = _shipped(session, hall, ls, staff)
    quantities = {line.id: line.quantity for line in order.lines}

    refunded = fulfilment.accept_return(session, order, quantities, disposition=WRITE_OFF, actor_id=staff.id)

    order = _reload(session, order)
    assert refunded == order.actual_paid and order.status is S.RETURNED
    (refund,) = _payment(session, order).refunds
    assert ls.client.v1.refunds.retrieve(refund.refund_id).amount == to_fen(order.actual_paid)
    assert order.returned_value == order.duty_paid_value
    assert ledger_mismatches(session) == []


def test_units_returned_one_at_a_time_go_back_to_the_lots_they_came_from(session, hall, ls, staff):
    """3 milk: 2 from the early lot, 1 from the late one. Three returns of one unit each restock 2 + 1."""
    order = _shipped(session, hall, ls, staff, [(hall.milk, 3)])
    milk = _line(order, hall.milk.sku)
    assert (_lot_figures(session, hall.milk_early), _lot_figures(session, hall.milk_late)) == ((0, 0), (19, 0))

    for _ in range(3):
        fulfilment.accept_return(session, order, {milk.id: 1}, disposition=RESTOCK, actor_id=staff.id)

    assert _lot_figures(session, hall.milk_early) == (2, 0)
    assert _lot_figures(session, hall.milk_late) == (20, 0)
    assert sum(_movements(session, hall.milk_early, MovementReason.RETURN)) == 2
    assert sum(_movements(session, hall.milk_late, MovementReason.RETURN)) == 1
    assert _reload(session, order).status is S.RETURNED


@pytest.mark.parametrize("quantities", [
    "more than sold", "more than left", "negative", "unknown line", "nothing",
])
def test_a_line_cannot_return_more_than_was_sold_and_not_yet_returned(session, hall, ls, staff, quantities):
    order = _shipped(session, hall, ls, staff)
    milk, wine = _line(order, hall.milk.sku), _line(order, hall.wine.sku)
    fulfilment.accept_return(session, order, {milk.id: 2}, disposition=RESTOCK, actor_id=staff.id)
    session.commit()
    wanted = {
        "more than sold": {wine.id: 2},
        "more than left": {milk.id: 2},
        "negative": {milk.id: -1},
        "unknown line": {milk.id + wine.id + 1000: 1},
        "nothing": {milk.id: 0, wine.id: 0},
    }[quantities]
    refunded = _payment(session, order).refunded_amount

    with pytest.raises(FulfilmentRefused):
        fulfilment.accept_return(session, order, wanted, disposition=RESTOCK, actor_id=staff.id)
    session.rollback()

    assert fulfilment.returned_quantities(session, order) == {milk.id: 2}
    assert _payment(session, order).refunded_amount == refunded
    assert _reload(session, order).status is S.SHIPPED


def test_a_line_of_another_order_cannot_be_returned_with_this_one(session, hall, ls, staff):
    order = _shipped(session, hall, ls, staff)
    other = _shipped(session, hall, ls, staff, [(hall.wine, 1)])

    with pytest.raises(FulfilmentRefused):
        fulfilment.accept_return(session, order, {other.lines[0].id: 1}, disposition=RESTOCK, actor_id=staff.id)


@pytest.mark.parametrize("status", [S.PAID, S.DECLARED, S.CANCELLED])
def test_an_order_customs_has_not_released_cannot_be_returned(session, hall, ls, staff, status):
    order = hall.order([(hall.wine, 1)], paid_by=ls)
    if status is S.DECLARED:
        orders.change_status(session, order, S.DECLARED, source="customs")
    elif status is S.CANCELLED:
        payments.cancel_order(session, order, actor_id=staff.id, source="staff", reason="test")

    with pytest.raises(FulfilmentRefused):
        fulfilment.accept_return(session, order, {order.lines[0].id: 1}, disposition=RESTOCK, actor_id=staff.id)


@pytest.mark.parametrize("disposition", [RESTOCK, WRITE_OFF])
def test_a_released_parcel_that_has_not_left_the_zone_is_not_returned(session, hall, ls, staff, disposition):
    """Its units never left their lots (still reserved): there is nothing to take back yet."""
    order = hall.released(ls)
    session.commit()

    with pytest.raises(FulfilmentRefused) as refused:
        fulfilment.accept_return(session, order, {line.id: line.quantity for line in order.lines},
                                 disposition=disposition, actor_id=staff.id)
    session.rollback()

    assert "left the bonded zone" in str(refused.value.message)
    order = _reload(session, order)
    assert order.status is S.RELEASED and order.returned_value == D("0.00")
    assert _lot_figures(session, hall.milk_early) == (2, 2)
    assert _lot_figures(session, hall.wine_lot) == (10, 1)
    assert _payment(session, order).refunded_amount == D("0.00")


# --- staff cancellation with refund ---------------------------------------------------------------------------


def test_staff_cancel_a_paid_order_refunds_it_through_stripe(session, hall, ls, staff):
    order = hall.order([(hall.wine, 1)], paid_by=ls)

    payments.cancel_order(session, order, actor_id=staff.id, source="staff", reason="out of stock at the hall")

    order = _reload(session, order)
    assert order.status is S.CANCELLED
    payment = _payment(session, order)
    (refund,) = payment.refunds
    assert refund.amount == order.actual_paid and refund.actor_id == staff.id
    assert ls.client.v1.refunds.retrieve(refund.refund_id).amount == to_fen(order.actual_paid)
    assert _lot_figures(session, hall.wine_lot) == (10, 0)


def test_cancelling_after_a_double_charge_refunds_the_payment_that_paid(session, hall, ls, staff):
    """A 3-D Secure payment left open, another card pays, then the first succeeds too and is refunded at once.
    Cancelling the order afterwards must refund the payment that paid it, not the duplicate again."""
    order = hall.order([(hall.wine, 1)])
    pending = pay(session, ls, order, CARD_3DS)
    paid = pay(session, ls, _reload(session, order), CARD_OK)
    ls.authenticate(pending.id, success=True)
    payments.complete_payment(session, gateway().retrieve(pending.id), source="stripe")
    first, second = session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))
    assert (first.intent_id, second.intent_id) == (pending.id, paid.id)
    assert first.refunded_amount == first.amount and second.refunded_amount == D("0.00")

    payments.cancel_order(session, _reload(session, order), actor_id=staff.id, source="staff", reason="test")

    session.expire_all()
    first, second = session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))
    assert second.refunded_amount == second.amount and len(second.refunds) == 1
    assert first.refunded_amount == first.amount and len(first.refunds) == 1
    assert session.scalar(select(func.sum(Refund.amount))) == first.amount + second.amount


def test_a_line_returned_piece_by_piece_refunds_exactly_the_line(session, hall, ls, staff):
    """4 wines, whose goods and tax do not split into quarters; the milk stays with the shopper."""
    order = _shipped(session, hall, ls, staff, [(hall.milk, 1), (hall.wine, 4)])
    wine = _line(order, hall.wine.sku)
    assert (wine.goods_value + wine.tax) * 100 % 4 != 0

    refunds = [fulfilment.accept_return(session, order, {wine.id: 1}, disposition=WRITE_OFF, actor_id=staff.id)
               for _ in range(4)]

    assert sum(refunds) == wine.goods_value + wine.tax
    assert max(refunds) - min(refunds) == D("0.01")
    assert _reload(session, order).returned_value == wine.duty_paid_value
    assert _reload(session, order).status is S.SHIPPED
    assert _payment(session, order).refunded_amount == wine.goods_value + wine.tax
