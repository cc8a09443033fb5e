"""Placing orders within the customs rules (CBEC-RULES §3–§5), stock reservations, expiry, statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.cart.quote import FreightRule
from shop.catalog.models import ConsumptionTaxCategory as CT
from shop.catalog.models import NetContentUnit
from shop.customs.models import Declaration, DeclarationStatus
from shop.db import utcnow
from shop.domain import InvalidQuantity, NotForSale, OutOfStock
from shop.inventory.models import Lot
from shop.orders import services
from shop.orders import status as transitions
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus, ReservationState, StockReservation
from shop.payments import services as payments
from shop.payments.gateway import Intent
from shop.payments.models import Payment
from tests import factories
from tests.ordering import (
    FREIGHT,
    ID_A,
    ID_B,
    ID_X,
    NO_FREIGHT,
    buyer,
    mark_paid,
    place,
    shop_today,
    stocked,
    tz,
)

pytestmark = pytest.mark.usefixtures("in_request")

D = Decimal
S = OrderStatus


def _orders(session) -> int:
    return session.scalar(select(func.count(Order.id)))


def _reserved(session, product) -> int:
    session.expire_all()
    return session.scalar(select(func.coalesce(func.sum(Lot.reserved), 0)).where(Lot.product_id == product.id))


def _watch(session, price: str = "12000.00", **kw):
    return stocked(session, hs_code="9102110000", name_en="Test watch", name_zh="测试腕表", price=D(price),
                   consumption_tax_category=CT.WATCH, tariff_rate=D("0.10"), unit_code="011",
                   net_content=D("1"), net_content_unit=NetContentUnit.PIECE, net_weight_kg=D("0.1"),
                   gross_weight_kg=D("0.3"), max_per_order=2, **kw)


# --- the figures -----------------------------------------------------------------------------------


def test_one_line_order_stores_the_line_and_head_figures(session):
    user = factories.user(session)
    milk = stocked(session, price=D("300.00"))

    order = place(session, user, [(milk, 1)])

    (line,) = order.lines
    assert (line.gnum, line.quantity, line.unit_price) == (1, 1, D("300.00"))
    assert (line.goods_value, line.freight_share, line.duty_paid_value) == (D("300.00"), D("10.00"), D("310.00"))
    assert (line.customs_duty, line.consumption_tax, line.vat) == (D("0.00"), D("0.00"), D("28.21"))
    assert order.status is S.AWAITING_PAYMENT
    assert (order.goods_value, order.freight, order.insurance, order.discount) == (
        D("300.00"), D("10.00"), D("0.00"), D("0.00"))
    assert order.duty_paid_value == D("310.00")
    assert (order.customs_duty, order.consumption_tax, order.vat, order.tax_total) == (
        D("0.00"), D("0.00"), D("28.21"), D("28.21"))
    assert order.actual_paid == D("338.21")  # goods + freight + tax − discount
    assert order.full_tax is False


def test_freight_is_shared_in_proportion_and_the_last_line_takes_the_remainder(session):
    user = factories.user(session)
    first = stocked(session, price=D("100.00"))
    second = stocked(session, price=D("100.00"))
    third = stocked(session, price=D("100.00"))

    order = place(session, user, [(third, 1), (first, 1), (second, 1)])  # lines follow the product order

    assert [line.product_id for line in order.lines] == [first.id, second.id, third.id]
    assert [line.freight_share for line in order.lines] == [D("3.33"), D("3.33"), D("3.34")]
    assert [line.duty_paid_value for line in order.lines] == [D("103.33"), D("103.33"), D("103.34")]
    assert [line.vat for line in order.lines] == [D("9.40"), D("9.40"), D("9.40")]
    assert sum(line.freight_share for line in order.lines) == order.freight == D("10.00")
    assert sum(line.duty_paid_value for line in order.lines) == order.duty_paid_value == D("310.00")
    assert order.vat == sum(line.vat for line in order.lines) == D("28.20")  # sum of rounded lines, not 28.21
    assert order.actual_paid == D("338.20")


def test_insurance_is_part_of_the_duty_paid_value_but_not_of_the_amount_paid(session):
    user = factories.user(session)
    a = stocked(session, price=D("100.00"))
    b = stocked(session, price=D("200.00"))
    rule = FreightRule(fee=D("10.00"), free_over=D("399.00"), insurance_rate=D("0.003"))

    order = place(session, user, [(a, 1), (b, 1)], freight=rule)

    assert order.insurance == D("0.90")
    assert [line.freight_share for line in order.lines] == [D("3.63"), D("7.27")]  # 10.90 shared 1:2
    assert order.duty_paid_value == D("310.90")
    assert [line.vat for line in order.lines] == [D("9.43"), D("18.86")]
    assert order.tax_total == order.vat == D("28.29")
    # CEB311 acturalPaid = goodsValue + freight + taxTotal − discount
    assert order.actual_paid == order.goods_value + order.freight + order.tax_total - order.discount == D("338.29")


@pytest.mark.parametrize(("kind", "freight", "rate", "ct", "vat", "tax"), [
    (dict(price=D("289.00"), hs_code="2204210000", consumption_tax_category=CT.WINE, net_content=D("750"),
          net_content_unit=NetContentUnit.ML), FREIGHT, D("0.1000"), D("23.26"), D("30.23"), D("53.49")),
    (dict(price=D("800.00"), hs_code="3304990039", consumption_tax_category=CT.COSMETICS, net_content=D("50"),
          net_content_unit=NetContentUnit.ML), FREIGHT, D("0.1500"), D("98.82"), D("85.65"), D("184.47")),
    (dict(price=D("100.00"), vat_rate=D("0.09")), NO_FREIGHT, D("0.0000"), D("0.00"), D("6.30"), D("6.30")),
], ids=["wine-299", "high-end-serum-800", "nine-percent-100"])
def test_the_worked_examples_of_the_rules(session, kind, freight, rate, ct, vat, tax):
    user = factories.user(session)
    product = stocked(session, **kind)

    order = place(session, user, [(product, 1)], freight=freight)
    session.commit()
    session.expire_all()

    (line,) = order.lines
    assert line.duty_paid_value == order.duty_paid_value
    assert line.consumption_tax_rate == rate
    assert (line.consumption_tax, line.vat, line.customs_duty) == (ct, vat, D("0.00"))
    assert (order.consumption_tax, order.vat, order.tax_total) == (ct, vat, tax)
    assert order.actual_paid == order.goods_value + order.freight + tax


def test_one_watch_over_the_single_limit_goes_through_with_full_tax(session):
    user = factories.user(session)
    watch = _watch(session)

    order = place(session, user, [(watch, 1)])

    (line,) = order.lines
    assert order.full_tax is True
    assert order.duty_paid_value == D("12000.00")
    assert (line.customs_duty, line.consumption_tax, line.vat) == (D("1200.00"), D("3300.00"), D("2145.00"))
    assert (order.customs_duty, order.consumption_tax, order.vat) == (D("1200.00"), D("3300.00"), D("2145.00"))
    assert order.tax_total == D("6645.00")
    assert order.actual_paid == D("18645.00")
    assert line.tariff_rate == D("0.1000") and line.consumption_tax_rate == D("0.2000")


def test_the_lines_keep_their_snapshot_when_the_product_is_edited(session):
    user = factories.user(session)
    milk = stocked(session, price=D("300.00"), origin_code="609", item_record_no="IR-0001", barcode="9400000000001",
                   net_weight_kg=D("0.8"), gross_weight_kg=D("0.95"))
    order = place(session, user, [(milk, 2)])
    session.commit()
    before = {c.key: getattr(order.lines[0], c.key) for c in OrderLine.__table__.columns}

    milk.name_zh, milk.name_en, milk.sku = "改名奶粉", "Renamed", "RENAMED-1"
    milk.hs_code = "0402210000"  # also changes the legal units
    milk.price, milk.vat_rate, milk.tariff_rate = D("999.00"), D("0.09"), D("0.20")
    milk.origin_code, milk.item_record_no, milk.barcode = "304", "IR-9999", "4000000000000"
    milk.net_weight_kg, milk.gross_weight_kg, milk.net_content = D("1.0"), D("1.2"), D("1000")
    milk.brand.name = "Other brand"
    session.commit()
    session.expire_all()

    line = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    after = {c.key: getattr(line, c.key) for c in OrderLine.__table__.columns}
    assert after == before
    assert (line.sku, line.name_zh, line.hs_code, line.legal_unit1, line.origin_code, line.item_record_no) == (
        before["sku"], before["name_zh"], "1901101000", before["legal_unit1"], "609", "IR-0001")
    assert (line.unit_price, line.vat_rate, line.net_weight_kg, line.gross_weight_kg) == (
        D("300.00"), D("0.1300"), D("0.8000"), D("0.9500"))


# --- refusals before any money moves --------------------------------------------------------------


def _stock_state(session):
    return (_orders(session), session.scalar(select(func.count(StockReservation.id))),
            session.scalar(select(func.coalesce(func.sum(Lot.reserved), 0))))


def _refused(session, error, user, items, **kw) -> str:
    """Place an order that must be refused; nothing of it may remain once rolled back (as the view does)."""
    session.commit()  # what the test set up stays
    before = _stock_state(session)
    with pytest.raises(error) as caught:
        place(session, user, items, **kw)
    session.rollback()
    assert _stock_state(session) == before
    return str(caught.value.message)


def test_two_units_over_the_single_order_limit_are_refused_saying_by_how_much(session):
    user = factories.user(session)
    bag = stocked(session, price=D("2600.00"))

    message = _refused(session, services.SingleOrderLimitExceeded, user, [(bag, 2)])

    assert "¥5,200.00" in message  # the order's duty-paid value
    assert "¥5,000.00" in message  # the limit
    assert "¥200.00" in message  # by how much: what to remove


def test_two_different_products_over_the_limit_are_refused_even_one_unit_each(session):
    user = factories.user(session)
    a, b = stocked(session, price=D("3000.00")), stocked(session, price=D("2000.01"))

    message = _refused(session, services.SingleOrderLimitExceeded, user, [(a, 1), (b, 1)])

    assert "¥0.01" in message


def test_freight_counts_towards_the_single_order_limit(session):
    user = factories.user(session)
    item = stocked(session, price=D("2495.00"))
    rule = FreightRule(fee=D("10.01"), free_over=D("99999.00"))

    message = _refused(session, services.SingleOrderLimitExceeded, user, [(item, 2)], freight=rule)

    assert "¥5,000.01" in message and "¥0.01" in message


def test_exactly_five_thousand_is_within_the_limit_and_taxed_at_seventy_percent(session):
    user = factories.user(session)
    item = stocked(session, price=D("2500.00"))

    order = place(session, user, [(item, 2)])

    assert order.duty_paid_value == D("5000.00")
    assert order.full_tax is False
    assert order.customs_duty == D("0.00") and order.vat == D("455.00")


def test_more_than_the_per_order_maximum_is_refused_naming_the_maximum(session):
    user = factories.user(session)
    milk = stocked(session, price=D("100.00"), max_per_order=3, name_en="Limited formula")

    message = _refused(session, InvalidQuantity, user, [(milk, 4)])

    assert message == "For personal use, at most 3 of “Limited formula” can be bought in one order."
    assert place(session, user, [(milk, 3)]).lines[0].quantity == 3


@pytest.mark.parametrize("change", [dict(published=False), dict(on_positive_list=False)],
                         ids=["unpublished", "off-the-positive-list"])
def test_a_product_not_on_sale_is_refused(session, change):
    user = factories.user(session)
    ok = stocked(session, price=D("100.00"))
    gone = stocked(session, price=D("100.00"), name_en="Withdrawn item", **change)

    message = _refused(session, NotForSale, user, [(ok, 1), (gone, 1)])

    assert "Withdrawn item" in message


@pytest.mark.parametrize(("id_number", "expected"), [
    ("360426199101010072", "check character"),
    ("12345", "18 characters"),
    ("110101199902300079", "birth date"),  # 30 February, with a correct check character
])
def test_an_invalid_id_number_is_refused_with_what_is_wrong(session, id_number, expected):
    user = factories.user(session)
    milk = stocked(session)

    with pytest.raises(services.InvalidIdNumber) as caught:
        place(session, user, [(milk, 1)], who=buyer(id_number))

    assert expected in str(caught.value.message)
    assert _orders(session) == 0


def test_the_id_number_is_stored_encrypted_digested_and_masked(session):
    from shop import security

    user = factories.user(session)
    order = place(session, user, [(stocked(session), 1)], who=buyer(ID_X.lower()))

    assert order.buyer_id_masked == "1101**********002X"
    assert ID_X not in order.buyer_id_encrypted and security.decrypt(order.buyer_id_encrypted) == ID_X
    assert order.buyer_id_digest == security.digest(ID_X)
    assert order.buyer_phone_masked == "138****5678"
    assert order.consignee_phone_masked == "139****4321"


# --- the annual limit --------------------------------------------------------------------------------


def test_the_annual_limit_counts_every_account_using_the_same_id_number(session):
    first, second = factories.user(session), factories.user(session)
    watch = _watch(session)  # 12,000 duty-paid: allowed alone (full tax) and it counts for the year
    bag = stocked(session, price=D("1500.00"))
    small = stocked(session, price=D("1000.00"))
    mark_paid(session, place(session, first, [(watch, 1)]))
    mark_paid(session, place(session, second, [(watch, 1)]))  # 24,000 used by ID_A over two accounts

    message = _refused(session, services.AnnualLimitExceeded, second, [(bag, 3)])  # 4,500 would cross it

    assert "¥26,000.00" in message  # which limit
    assert "¥2,500.00" in message  # by how much: 28,500 − 26,000
    assert "¥24,000.00" in message  # already used this year
    assert "¥2,000.00" in message  # what remains
    # Another ID number is not affected; the same ID may still use exactly what remains.
    assert place(session, second, [(bag, 3)], who=buyer(ID_B)).status is S.AWAITING_PAYMENT
    assert place(session, first, [(small, 2)]).duty_paid_value == D("2000.00")
    assert services.annual_remaining_for(session, ID_A, now=utcnow(), tz=tz()) == D("0.00")


@pytest.mark.parametrize("end", [S.CANCELLED, S.REJECTED, S.RETURNED])
def test_cancelled_rejected_or_returned_orders_give_their_quota_back(session, end):
    user = factories.user(session)
    watch = _watch(session)
    order = mark_paid(session, place(session, user, [(watch, 1)]))
    path = {S.CANCELLED: [S.CANCELLED], S.REJECTED: [S.DECLARED, S.REJECTED],
            S.RETURNED: [S.DECLARED, S.RELEASED, S.RETURNED]}[end]
    for target in path:
        services.change_status(session, order, target, source="customs")

    assert services.annual_remaining_for(session, ID_A, now=utcnow(), tz=tz()) == D("26000.00")


def test_last_years_orders_do_not_count_in_the_shops_time_zone(session):
    user = factories.user(session)
    watch = _watch(session)
    # 31 December 2025, 23:30 in Shanghai: last year there, even though it is already 15:30 UTC
    last_year = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)
    mark_paid(session, place(session, user, [(watch, 1)], now=last_year))
    # 1 January 2026, 00:30 in Shanghai (still 31 December in UTC): this year
    new_year = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    mark_paid(session, place(session, user, [(watch, 1)], now=new_year))

    assert services.annual_used(session, services.security.digest(ID_A), now=new_year, tz=tz()) == D("12000.00")
    assert services.annual_used(session, services.security.digest(ID_A), now=last_year, tz=tz()) == D("12000.00")
    assert services.annual_remaining_for(session, ID_A, now=datetime(2026, 6, 1, tzinfo=UTC), tz=tz()) == D(
        "14000.00")
    assert services.annual_remaining_for(session, ID_A, now=datetime(2027, 1, 1, tzinfo=UTC), tz=tz()) == D(
        "26000.00")


def test_an_unpaid_order_holds_its_quota_until_it_expires(session):
    user = factories.user(session)
    watch = _watch(session)
    now = utcnow()
    place(session, user, [(watch, 1)], now=now)
    place(session, user, [(watch, 1)], now=now)  # 24,000 held by two unpaid orders
    bag = stocked(session, price=D("2500.00"))

    with pytest.raises(services.AnnualLimitExceeded):
        place(session, user, [(bag, 1)], now=now)
    later = now + timedelta(minutes=31)  # both expired: their quota is free again
    assert place(session, user, [(bag, 1)], now=later).status is S.AWAITING_PAYMENT
    assert services.annual_used(session, services.security.digest(ID_A), now=later, tz=tz()) == D("2500.00")


# --- stock: first expiry first out -----------------------------------------------------------------


def _lot(session, product, quantity, days: int, **kw):
    """A lot whose best-before date is `days` after the shop's today."""
    return factories.lot(session, product, quantity, best_before=shop_today() + timedelta(days=days), **kw)


def test_stock_is_reserved_from_the_earliest_sellable_lot_first(session, app):
    near = app.config["NEAR_EXPIRY_DAYS"]
    user = factories.user(session)
    milk = factories.product(session, price=D("100.00"))
    later = _lot(session, milk, 10, 400)
    sooner = _lot(session, milk, 2, 200)
    expired = _lot(session, milk, 50, -3)
    near_expiry = _lot(session, milk, 50, near)  # best before exactly on the cut-off day: never sold
    just_sellable = _lot(session, milk, 1, near + 1)

    order = place(session, user, [(milk, 4)])

    rows = services.order_reservations(session, order)
    taken = sorted(((r.lot_id, r.quantity) for r in rows), key=lambda pair: pair[0])
    assert taken == sorted([(just_sellable.id, 1), (sooner.id, 2), (later.id, 1)])
    assert all(r.state is ReservationState.HELD and r.expires_at == order.reserved_until for r in rows)
    session.expire_all()
    assert [lot.reserved for lot in (just_sellable, sooner, later, expired, near_expiry)] == [1, 2, 1, 0, 0]


def test_expired_and_near_expiry_lots_are_never_sold(session, app):
    user = factories.user(session)
    milk = factories.product(session, price=D("100.00"), name_en="Short-dated formula")
    _lot(session, milk, 50, -1)
    _lot(session, milk, 50, app.config["NEAR_EXPIRY_DAYS"])
    _lot(session, milk, 1, 365)

    message = _refused(session, OutOfStock, user, [(milk, 2)])

    assert message == "Only 1 of “Short-dated formula” left in stock."


def test_out_of_stock_on_a_second_line_undoes_the_first_lines_reservation(session):
    user = factories.user(session)
    plenty = stocked(session, 10, price=D("100.00"))
    scarce = stocked(session, 1, price=D("100.00"))

    _refused(session, OutOfStock, user, [(plenty, 2), (scarce, 2)])

    assert _reserved(session, plenty) == 0 and _reserved(session, scarce) == 0


# --- reservations expire ------------------------------------------------------------------------------


def test_an_unpaid_order_expires_after_the_reservation_time_and_its_stock_comes_back(session, app):
    minutes = app.config["RESERVATION_MINUTES"]
    user = factories.user(session)
    milk = stocked(session, 5, price=D("100.00"))
    now = utcnow()
    order = place(session, user, [(milk, 3)], now=now)
    assert order.reserved_until == now + timedelta(minutes=minutes)
    assert _reserved(session, milk) == 3

    assert services.expire_unpaid_orders(session, now=now + timedelta(minutes=minutes, seconds=-1)) == []
    expired = services.expire_unpaid_orders(session, now=now + timedelta(minutes=minutes))

    assert [o.id for o in expired] == [order.id]
    assert order.status is S.CANCELLED and order.closed_at == now + timedelta(minutes=minutes)
    assert _reserved(session, milk) == 0
    assert {r.state for r in services.order_reservations(session, order)} == {ReservationState.RELEASED}
    event = order.events[-1]
    assert (event.from_status, event.to_status, event.source) == (S.AWAITING_PAYMENT, S.CANCELLED, "system")
    assert "reservation" in event.reason


def test_a_paid_order_never_expires(session, app):
    user = factories.user(session)
    milk = stocked(session, 5)
    now = utcnow()
    order = mark_paid(session, place(session, user, [(milk, 1)], now=now))

    assert services.expire_unpaid_orders(session, now=now + timedelta(days=2)) == []
    assert order.status is S.PAID and _reserved(session, milk) == 1


def test_the_expire_command_cancels_overdue_orders(session, app):
    minutes = app.config["RESERVATION_MINUTES"]
    user = factories.user(session)
    milk = stocked(session, 5, price=D("100.00"))
    current = place(session, user, [(milk, 1)], who=buyer(ID_B))
    overdue = place(session, user, [(milk, 2)], now=utcnow() - timedelta(minutes=minutes + 1))
    session.commit()

    result = app.test_cli_runner().invoke(args=["orders", "expire"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 unpaid orders expired."
    session.expire_all()
    assert session.get(Order, overdue.id).status is S.CANCELLED
    assert session.get(Order, current.id).status is S.AWAITING_PAYMENT
    assert _reserved(session, milk) == 1


def test_placing_an_order_first_expires_overdue_ones_so_their_stock_is_sold_again(session, app):
    minutes = app.config["RESERVATION_MINUTES"]
    first, second = factories.user(session), factories.user(session)
    last_one = stocked(session, 1, price=D("100.00"))
    now = utcnow()
    stale = place(session, first, [(last_one, 1)], now=now)

    order = place(session, second, [(last_one, 1)], who=buyer(ID_B), now=now + timedelta(minutes=minutes))

    assert stale.status is S.CANCELLED and order.status is S.AWAITING_PAYMENT
    assert _reserved(session, last_one) == 1


# --- statuses -------------------------------------------------------------------------------------------


ALL_MOVES = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_the_transition_table_allows_only_its_moves(current, target):
    allowed = {
        (S.AWAITING_PAYMENT, S.PAID), (S.AWAITING_PAYMENT, S.CANCELLED), (S.PAID, S.DECLARED),
        (S.PAID, S.CANCELLED), (S.DECLARED, S.RELEASED), (S.DECLARED, S.REJECTED), (S.DECLARED, S.CANCELLED),
        (S.RELEASED, S.SHIPPED), (S.RELEASED, S.RETURNED), (S.SHIPPED, S.DELIVERED), (S.SHIPPED, S.RETURNED),
        (S.DELIVERED, S.RETURNED),
    }
    if (current, target) in allowed:
        assert transitions.check(current, target) is True
    else:
        with pytest.raises(transitions.IllegalTransition):
            transitions.check(current, target)


def test_an_illegal_move_raises_and_changes_nothing(session):
    user = factories.user(session)
    order = place(session, user, [(stocked(session), 1)])
    events = len(order.events)

    with pytest.raises(transitions.IllegalTransition) as caught:
        services.change_status(session, order, S.SHIPPED)

    assert (caught.value.current, caught.value.target) == (S.AWAITING_PAYMENT, S.SHIPPED)
    assert order.status is S.AWAITING_PAYMENT
    session.expire_all()
    assert len(order.events) == events


def test_a_repeated_move_is_a_no_op(session):
    user = factories.user(session)
    order = place(session, user, [(stocked(session), 1)])
    paid_at = utcnow()

    assert services.change_status(session, order, S.PAID, now=paid_at) is True
    assert services.change_status(session, order, S.PAID, now=paid_at + timedelta(hours=1)) is False

    assert order.paid_at == paid_at
    assert [e.to_status for e in order.events] == [S.AWAITING_PAYMENT, S.PAID]


def test_every_change_writes_who_when_from_to_and_why(session):
    user = factories.user(session)
    clerk = factories.user(session)
    order = place(session, user, [(stocked(session), 1)])
    t0 = utcnow()
    steps = [(S.PAID, None, "stripe", "payment pi_1"), (S.DECLARED, clerk.id, "staff", "declared"),
             (S.RELEASED, None, "customs", "receipt 800"), (S.SHIPPED, clerk.id, "staff", "waybill YT1"),
             (S.DELIVERED, None, "system", "signed for")]
    for i, (target, actor, source, why) in enumerate(steps, start=1):
        services.change_status(session, order, target, now=t0 + timedelta(minutes=i), actor_id=actor,
                               source=source, reason=why)
    session.commit()
    session.expire_all()

    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    placed, *changes = events
    assert (placed.from_status, placed.to_status, placed.actor_id, placed.source) == (
        None, S.AWAITING_PAYMENT, user.id, "shopper")
    assert [(e.from_status, e.to_status, e.actor_id, e.source, e.reason, e.created_at) for e in changes] == [
        (before, target, actor, source, why, t0 + timedelta(minutes=i))
        for i, ((target, actor, source, why), before) in enumerate(
            zip(steps, [S.AWAITING_PAYMENT, S.PAID, S.DECLARED, S.RELEASED, S.SHIPPED], strict=True), start=1)
    ]
    order = session.get(Order, order.id)
    assert order.released_at == t0 + timedelta(minutes=3) and order.closed_at == t0 + timedelta(minutes=5)


def test_a_paid_order_gets_exactly_one_declaration(session):
    user = factories.user(session)
    order = place(session, user, [(stocked(session), 1)])
    intent = Intent(id="pi_test_once", status="succeeded", amount=order.actual_paid, currency="CNY",
                    client_secret=None, charge_id="ch_test_once", metadata={"order_number": order.number})

    assert payments.complete_payment(session, intent, source="stripe") is True
    assert payments.complete_payment(session, intent, source="shop") is False

    declarations = session.scalars(select(Declaration).where(Declaration.order_id == order.id)).all()
    assert [(d.cop_no, d.status) for d in declarations] == [(order.number, DeclarationStatus.PENDING)]
    assert [e.to_status for e in order.events].count(S.PAID) == 1
    assert {r.state for r in services.order_reservations(session, order)} == {ReservationState.COMMITTED}
    payment = session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    assert (payment.intent_id, payment.amount, payment.charge_id) == ("pi_test_once", order.actual_paid,
                                                                       "ch_test_once")


def test_a_payment_of_the_wrong_amount_does_not_complete_the_order(session):
    user = factories.user(session)
    order = place(session, user, [(stocked(session), 1)])
    intent = Intent(id="pi_test_short", status="succeeded", amount=order.actual_paid - D("0.01"), currency="CNY",
                    client_secret=None, charge_id=None, metadata={"order_number": order.number})

    assert payments.complete_payment(session, intent, source="stripe") is False
    assert order.status is S.AWAITING_PAYMENT
    assert session.scalar(select(func.count(Declaration.id)).where(Declaration.order_id == order.id)) == 0
