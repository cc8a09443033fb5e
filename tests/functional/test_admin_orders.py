"""The staff's order screens through the test client: the release queue, pick list, packing slip, shipping,
delivery, cancelling with a refund, and returns. Messages are read in English.

Stripe is replaced by `stub_gateway` (its refunds are recorded); tests/integration/test_fulfilment.py refunds
through localstripe.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.audit import AuditEntry
from shop.db import utcnow
from shop.inventory.models import Location, Lot
from shop.money import format_cny
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus, ReturnDisposition, ReturnRecord
from shop.payments import services as payments
from shop.payments.gateway import PaymentUnavailable
from shop.payments.models import Payment, Refund
from tests import factories
from tests.functional.helpers import by_testid, sign_in
from tests.ordering import ID_B, buyer, place

D = Decimal
S = OrderStatus


def _flashes(html: str) -> list[tuple[str, str]]:
    return [(kind, htmllib.unescape(text).strip())
            for kind, text in re.findall(r'<p class="flash flash-(\w+)">(.*?)</p>', html, re.S)]


def _text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _order(session, number: str) -> Order:
    session.expire_all()
    return session.scalar(select(Order).where(Order.number == number))


class Hall:
    """Staff signed in (in English) on `client`; a shopper; goods in two locations of a bonded warehouse."""

    def __init__(self, session, client, gateway):
        self.session, self.client, self.gateway = session, client, gateway
        self.staff = factories.user(session, role=Role.STAFF)
        self.shopper = factories.user(session, name="林晓雨")
        warehouse = factories.warehouse(session, code="BZ-1")
        a01, b02 = (Location(warehouse=warehouse, code=code, name=code) for code in ("A-01", "B-02"))
        session.add_all([a01, b02])
        self.milk = factories.product(session, price=D("300.00"), name_zh="新西兰全脂奶粉",
                                      name_en="New Zealand whole milk powder", net_weight_kg=D("0.8"))
        self.milk_lot = factories.lot(session, self.milk, 30, lot_no="M-001",
                                      best_before=date.today() + timedelta(days=200), wh=warehouse)
        self.milk_lot.location = a01
        self.cream = factories.product(session, price=D("120.00"), name_zh="护手霜", name_en="Hand cream",
                                       net_weight_kg=D("0.075"))
        self.cream_lot = factories.lot(session, self.cream, 30, lot_no="C-001",
                                       best_before=date.today() + timedelta(days=400), wh=warehouse)
        self.cream_lot.location = b02
        session.commit()
        assert sign_in(client, self.staff.email).status_code == 302
        assert client.get("/lang/en?next=/").status_code == 302
        client.get("/")  # shows (and so clears) the sign-in message

    def _kept(self, number: str) -> Order:
        """The order with its lines, out of the session: a view that rolls back cannot expire it."""
        order = _order(self.session, number)
        assert order.lines
        self.session.expunge(order)
        return order

    def _paid(self, items) -> Order:
        order = place(self.session, self.shopper, items or [(self.milk, 2), (self.cream, 1)], who=buyer(ID_B))
        payments.pay_with_card(self.session, order, card="card_ok", gateway=self.gateway, now=utcnow())
        self.session.commit()
        return order

    def paid(self, items=None) -> Order:
        return self._kept(self._paid(items).number)

    def released(self, items=None) -> Order:
        order = self._paid(items)
        for status in (S.DECLARED, S.RELEASED):
            orders.change_status(self.session, order, status, source="customs")
        self.session.commit()
        return self._kept(order.number)

    def declare(self, order: Order) -> None:
        orders.change_status(self.session, _order(self.session, order.number), S.DECLARED, source="customs")
        self.session.commit()

    def shipped(self, items=None) -> Order:
        number = self.released(items).number
        response = self.ship(number)
        assert response.status_code == 302 and _order(self.session, number).status is S.SHIPPED
        self.client.get(response.headers["Location"])  # shows (and so clears) the message
        return self._kept(number)

    def ship(self, number: str, **fields):
        data = {"carrier": "SF Express", "waybill_no": "SF1234567890", "package_weight_kg": "1.85"}
        data.update(fields)
        return self.client.post(f"/admin/orders/{number}/ship", data={k: v for k, v in data.items() if v is not None})

    def give_back(self, order: Order, quantities: dict[str, str], disposition: str | None = "restock"):
        """POST the return form: quantities by SKU."""
        order = _order(self.session, order.number)  # (each request ends the thread's session)
        data = {f"qty-{line.id}": quantities.get(line.sku, "0") for line in order.lines}
        if disposition is not None:
            data["disposition"] = disposition
        return self.client.post(f"/admin/orders/{order.number}/return", data=data, follow_redirects=True)

    def reserved(self, lot: Lot) -> tuple[int, int]:
        self.session.expire_all()
        fresh = self.session.get(Lot, lot.id)
        return fresh.on_hand, fresh.reserved


@pytest.fixture
def hall(session, client, stub_gateway, outbox) -> Hall:
    return Hall(session, client, stub_gateway)


# --- the queue ---------------------------------------------------------------------------------------------


def test_the_queue_lists_released_orders_only(hall):
    hall.paid()
    declared = hall.paid()
    hall.declare(declared)
    shipped = hall.shipped()
    released = hall.released()

    response = hall.client.get("/admin/fulfilment")

    assert response.status_code == 200
    queue = re.search(r'data-testid="release-queue">(.*?)</table>', response.text, re.S).group(1)
    assert re.findall(r'value="(GB\d{12})"', queue) == [released.number]
    assert f'href="/admin/orders/{released.number}/packing-slip"' in queue
    assert shipped.number not in response.text and declared.number not in response.text


def test_an_empty_queue_says_so(hall):
    hall.paid()

    html = hall.client.get("/admin/fulfilment").text

    assert "No released orders are waiting." in html and "release-queue" not in html


def test_the_queue_is_for_staff_only(hall, other_client):
    assert other_client.get("/admin/fulfilment").status_code == 302  # to the sign-in page
    sign_in(other_client, hall.shopper.email)
    assert other_client.get("/admin/fulfilment").status_code == 403
    assert other_client.get("/admin/fulfilment/pick-list").status_code == 403


# --- pick list and packing slip --------------------------------------------------------------------------------


def _pick_rows(html: str) -> dict[str, list[tuple[str, str, str, str]]]:
    """{location heading: [(SKU, lot, take, orders)]}."""
    places = {}
    for heading, table in re.findall(r"<h2>(.*?)</h2>\s*<table class=\"data\">(.*?)</table>", html, re.S):
        rows = re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td>"
                          r"<td class=\"num\"><strong>(\d+)</strong></td><td>([^<]*)</td>", table)
        places[htmllib.unescape(heading)] = rows
    return places


def test_the_pick_list_of_the_whole_queue_is_grouped_by_location(hall):
    first = hall.released()
    second = hall.released([(hall.milk, 1)])
    hall.paid()  # not released: not picked

    response = hall.client.get("/admin/fulfilment/pick-list")

    assert response.status_code == 200
    assert _pick_rows(response.text) == {
        "Location BZ-1 · A-01": [(hall.milk.sku, "M-001", "3", f"{first.number}, {second.number}")],
        "Location BZ-1 · B-02": [(hall.cream.sku, "C-001", "1", first.number)],
    }
    assert f"Orders: {first.number}, {second.number}" in response.text
    assert "新西兰全脂奶粉" in response.text
    assert (date.today() + timedelta(days=200)).isoformat() in response.text
    assert "data-print" in response.text  # the print button (static/js/print.js)


def test_the_pick_list_of_chosen_orders(hall):
    first = hall.released()
    second = hall.released([(hall.milk, 1)])
    not_released = hall.paid()

    html = hall.client.get(f"/admin/fulfilment/pick-list?order={second.number}&order={not_released.number}").text

    assert _pick_rows(html) == {"Location BZ-1 · A-01": [(hall.milk.sku, "M-001", "1", second.number)]}
    assert f"<p>Orders: {second.number}</p>" in html and first.number not in html


def test_the_pick_list_with_nothing_to_pick(hall):
    html = hall.client.get("/admin/fulfilment/pick-list").text

    assert "Nothing to pick." in html


def test_the_packing_slip(hall):
    order = hall.released()

    response = hall.client.get(f"/admin/orders/{order.number}/packing-slip")

    assert response.status_code == 200
    text = _text(response.text)
    assert f"Packing slip {order.number}" in text
    assert "李四" in text and "139****4321" in text and order.consignee_address in text
    assert "13987654321" not in text  # the phone number only masked
    assert f"1 {hall.milk.sku} 新西兰全脂奶粉 New Zealand whole milk powder 2 1.600 kg" in text
    assert f"2 {hall.cream.sku} 护手霜 Hand cream 1 0.075 kg" in text
    assert "Released by customs" in text
    assert hall.client.get("/admin/orders/GB000000000000/packing-slip").status_code == 404


# --- shipping ------------------------------------------------------------------------------------------------


def test_the_order_page_of_a_released_order_offers_shipping_not_returns(hall):
    order = hall.released()

    html = hall.client.get(f"/admin/orders/{order.number}").text

    assert by_testid(html, "admin-order-status") == "Released by customs"
    assert f'action="/admin/orders/{order.number}/ship"' in html
    assert 'name="waybill_no"' in html and 'name="package_weight_kg"' in html
    assert f'action="/admin/orders/{order.number}/return"' in html  # the table of goods…
    assert 'name="qty-' not in html and 'name="disposition"' not in html  # …without the return fields
    assert f'action="/admin/orders/{order.number}/cancel"' not in html  # released: no cancelling


def test_shipping_a_released_order(hall, other_client):
    order = hall.released()

    response = hall.ship(order.number, carrier="SF Express", waybill_no=" SF1234567890 ", package_weight_kg="1.85")

    assert response.status_code == 302 and response.headers["Location"] == "/admin/fulfilment"
    shipped = _order(hall.session, order.number)
    assert shipped.status is S.SHIPPED
    assert (shipped.carrier, shipped.waybill_no, shipped.package_weight_kg) == ("SF Express", "SF1234567890",
                                                                                D("1.850"))
    assert hall.reserved(hall.milk_lot) == (28, 0) and hall.reserved(hall.cream_lot) == (29, 0)
    queue = hall.client.get("/admin/fulfilment").text
    assert _flashes(queue) == [("success", f"Order {order.number} is shipped.")]
    assert order.number not in queue.split("</h1>", 1)[1].replace(f"Order {order.number} is shipped.", "")
    detail = hall.client.get(f"/admin/orders/{order.number}").text
    assert by_testid(detail, "admin-order-status") == "Shipped"
    assert "SF Express SF1234567890 · 1.850 kg" in detail
    assert f'action="/admin/orders/{order.number}/delivered"' in detail
    # The shopper sees it: 已发货 in Chinese, Shipped in English, and the step on the timeline.
    sign_in(other_client, hall.shopper.email)
    page = other_client.get(f"/orders/{order.number}").text
    assert by_testid(page, "order-status") == "已发货"
    current = re.search(r'<li class="done current">\s*<p class="step-title">(.*?)<', page, re.S)
    assert current and current.group(1).strip() == "已发货"
    other_client.get("/lang/en?next=/")
    assert by_testid(other_client.get(f"/orders/{order.number}").text, "order-status") == "Shipped"


@pytest.mark.parametrize(("fields", "message"), [
    ({"package_weight_kg": "abc"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": ""}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": None}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "0"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "-2"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "NaN"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "Infinity"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "1e20"}, "Enter the weight of the packed parcel."),
    ({"package_weight_kg": "0.0001"}, "Enter the weight of the packed parcel."),
    ({"waybill_no": ""}, "Enter the carrier and the waybill number."),
    ({"waybill_no": None}, "Enter the carrier and the waybill number."),
    ({"carrier": "  "}, "Enter the carrier and the waybill number."),
], ids=["letters", "empty", "missing", "zero", "negative", "nan", "infinity", "huge", "under-a-gram",
        "no-waybill", "missing-waybill", "blank-carrier"])
def test_a_bad_ship_form_says_why_and_changes_nothing(hall, fields, message):
    order = hall.released()

    response = hall.ship(order.number, **fields)

    assert response.status_code == 302 and response.headers["Location"] == f"/admin/orders/{order.number}"
    page = hall.client.get(response.headers["Location"]).text
    assert _flashes(page) == [("error", message)]
    unchanged = _order(hall.session, order.number)
    assert unchanged.status is S.RELEASED and unchanged.waybill_no is None and unchanged.package_weight_kg is None
    assert hall.reserved(hall.milk_lot) == (30, 2)
    assert by_testid(page, "admin-order-status") == "Released by customs"


@pytest.mark.parametrize("status", [S.PAID, S.DECLARED])
def test_an_order_customs_has_not_released_cannot_ship(hall, status):
    order = hall.paid()
    if status is S.DECLARED:
        hall.declare(order)

    response = hall.ship(order.number)

    page = hall.client.get(response.headers["Location"]).text
    assert _flashes(page) == [("error", "Only parcels released by customs can leave the bonded zone.")]
    assert _order(hall.session, order.number).status is status
    assert f'action="/admin/orders/{order.number}/ship"' not in page


def test_shipping_an_unknown_order_is_not_found(hall):
    assert hall.ship("GB000000000000").status_code == 404


# --- delivery ------------------------------------------------------------------------------------------------


def test_marking_a_shipped_order_delivered(hall, other_client):
    order = hall.shipped()

    response = hall.client.post(f"/admin/orders/{order.number}/delivered", follow_redirects=True)

    assert response.status_code == 200
    assert _flashes(response.text) == [("success", f"Order {order.number} is delivered.")]
    assert by_testid(response.text, "admin-order-status") == "Delivered"
    assert _order(hall.session, order.number).status is S.DELIVERED
    sign_in(other_client, hall.shopper.email)
    assert by_testid(other_client.get(f"/orders/{order.number}").text, "order-status") == "已签收"


def test_an_order_that_has_not_shipped_cannot_be_delivered(hall):
    order = hall.released()

    response = hall.client.post(f"/admin/orders/{order.number}/delivered", follow_redirects=True)

    assert _flashes(response.text) == [("error", "Only shipped parcels can be marked delivered.")]
    assert _order(hall.session, order.number).status is S.RELEASED


# --- cancelling with a refund --------------------------------------------------------------------------------


def test_staff_cancel_a_paid_order_and_it_is_refunded(hall):
    order = hall.paid()
    page = hall.client.get(f"/admin/orders/{order.number}").text
    assert f'action="/admin/orders/{order.number}/cancel"' in page

    response = hall.client.post(f"/admin/orders/{order.number}/cancel", data={"reason": "damaged in the hall"},
                                follow_redirects=True)

    assert response.status_code == 200
    assert _flashes(response.text) == [("success", f"Order {order.number} is cancelled; any payment is refunded.")]
    assert by_testid(response.text, "admin-order-status") == "Cancelled"
    cancelled = _order(hall.session, order.number)
    assert cancelled.status is S.CANCELLED
    payment = hall.session.scalar(select(Payment).where(Payment.order_id == order.id))
    (refund,) = payment.refunds
    assert (refund.amount, refund.actor_id, refund.reason) == (order.actual_paid, hall.staff.id,
                                                               "damaged in the hall")
    assert hall.gateway.refunds == [(payment.intent_id, order.actual_paid)]
    assert hall.reserved(hall.milk_lot) == (30, 0)
    events = [(e.from_status, e.to_status, e.source, e.actor_id) for e in cancelled.events]
    assert (S.PAID, S.CANCELLED, "staff", hall.staff.id) in events
    assert hall.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "order.cancel", AuditEntry.object_id == str(order.id),
        AuditEntry.actor_id == hall.staff.id)) == 1
    assert f"{format_cny(order.actual_paid)}" in response.text  # the payments table shows the refund


def test_an_order_customs_released_cannot_be_cancelled(hall):
    order = hall.released()

    response = hall.client.post(f"/admin/orders/{order.number}/cancel", data={"reason": "too late"},
                                follow_redirects=True)

    assert _flashes(response.text) == [("error", "Customs has already released this order, so it can no longer "
                                                 "be cancelled. You can return it within 30 days of release.")]
    assert _order(hall.session, order.number).status is S.RELEASED
    assert hall.gateway.refunds == [] and hall.session.scalars(select(Refund)).all() == []
    assert hall.reserved(hall.milk_lot) == (30, 2)


def test_when_the_refund_cannot_be_started_the_order_is_not_cancelled(hall, monkeypatch):
    order = hall.paid()

    def unavailable(**kw):
        raise PaymentUnavailable("Stripe is down")

    monkeypatch.setattr(hall.gateway, "refund", unavailable)
    response = hall.client.post(f"/admin/orders/{order.number}/cancel", data={"reason": "x"}, follow_redirects=True)

    assert _flashes(response.text) == [
        ("error", "The refund could not be started just now, so the order was not cancelled.")]
    assert _order(hall.session, order.number).status is S.PAID
    assert hall.reserved(hall.milk_lot) == (30, 2)


# --- returns -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["x", "-1", "1.5", "1e1", "²", " ", "9" * 5000],
                         ids=["letters", "negative", "fraction", "exponent", "superscript", "blank", "5000-digits"])
def test_a_return_with_bad_numbers_says_so(hall, raw):
    order = hall.shipped()

    response = hall.give_back(order, {hall.milk.sku: raw})

    assert response.status_code == 200
    assert _flashes(response.text) == [("error", "Enter whole numbers of units to return.")]
    assert hall.session.scalars(select(ReturnRecord)).all() == [] and hall.gateway.refunds == []


def test_a_return_of_more_than_was_sold_is_refused(hall):
    order = hall.shipped()

    response = hall.give_back(order, {hall.milk.sku: "3"})

    assert _flashes(response.text) == [
        ("error", "A line cannot return more units than were sold and not yet returned.")]
    assert hall.session.scalars(select(ReturnRecord)).all() == [] and hall.gateway.refunds == []


@pytest.mark.parametrize("disposition", [None, "", "burn"])
def test_a_return_needs_a_disposition(hall, disposition):
    order = hall.shipped()

    response = hall.give_back(order, {hall.milk.sku: "1"}, disposition=disposition)

    assert _flashes(response.text) == [
        ("error", "Choose whether the goods go back into stock or are written off.")]
    assert hall.session.scalars(select(ReturnRecord)).all() == []


def test_a_return_of_nothing_is_refused(hall):
    order = hall.shipped()

    response = hall.give_back(order, {})

    assert _flashes(response.text) == [("error", "Choose at least one unit to return.")]


def test_a_partial_return_goes_back_into_stock_and_is_refunded(hall, other_client):
    order = hall.shipped()
    milk = next(line for line in order.lines if line.sku == hall.milk.sku)
    share = (milk.goods_value + milk.tax) / 2

    response = hall.give_back(order, {hall.milk.sku: "1"}, "restock")

    assert _flashes(response.text) == [("success", f"Return recorded; {format_cny(share)} refunded.")]
    assert hall.reserved(hall.milk_lot) == (29, 0)  # 2 shipped, 1 back
    (record,) = hall.session.scalars(select(ReturnRecord)).all()
    assert (record.quantity, record.disposition, record.actor_id) == (1, ReturnDisposition.RESTOCK, hall.staff.id)
    payment = hall.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert hall.gateway.refunds == [(payment.intent_id, share)]
    assert by_testid(response.text, "admin-order-status") == "Shipped"
    returned_cells = re.findall(r'<td class="num">(\d+)</td>\s*<td><label', response.text)
    assert returned_cells == ["1", "0"]  # the "Returned" column, line by line
    # Another unit later; the form knows what is left.
    response = hall.give_back(order, {hall.milk.sku: "2"}, "restock")
    assert _flashes(response.text)[0][0] == "error"
    sign_in(other_client, hall.shopper.email)
    assert by_testid(other_client.get(f"/orders/{order.number}").text, "order-status") == "已发货"


def test_a_written_off_return_does_not_go_back_into_stock(hall):
    order = hall.shipped()

    response = hall.give_back(order, {hall.cream.sku: "1"}, "write_off")

    assert _flashes(response.text)[0][0] == "success"
    assert hall.reserved(hall.cream_lot) == (29, 0)
    (record,) = hall.session.scalars(select(ReturnRecord)).all()
    assert record.disposition is ReturnDisposition.WRITE_OFF


def test_returning_everything_closes_the_order_and_refunds_it_all(hall, other_client):
    order = hall.shipped()
    hall.client.post(f"/admin/orders/{order.number}/delivered", follow_redirects=True)

    response = hall.give_back(order, {hall.milk.sku: "2", hall.cream.sku: "1"}, "restock")

    assert _flashes(response.text) == [("success", f"Return recorded; {format_cny(order.actual_paid)} refunded.")]
    assert by_testid(response.text, "admin-order-status") == "Returned"
    assert 'name="qty-' not in response.text
    assert _order(hall.session, order.number).status is S.RETURNED
    assert sum(amount for _, amount in hall.gateway.refunds) == order.actual_paid
    assert hall.reserved(hall.milk_lot) == (30, 0) and hall.reserved(hall.cream_lot) == (30, 0)
    sign_in(other_client, hall.shopper.email)
    assert by_testid(other_client.get(f"/orders/{order.number}").text, "order-status") == "已退货"


def test_a_released_order_that_has_not_shipped_cannot_be_returned(hall):
    order = hall.released()

    response = hall.give_back(order, {hall.milk.sku: "1"}, "restock")

    assert _flashes(response.text) == [("error", "Only parcels that have left the bonded zone can be returned.")]
    assert hall.reserved(hall.milk_lot) == (30, 2)
    assert _order(hall.session, order.number).status is S.RELEASED


def test_a_return_after_30_days_is_refused(hall):
    order = hall.shipped()
    hall.session.execute(Order.__table__.update().where(Order.id == order.id)
                         .values(released_at=utcnow() - timedelta(days=31)))
    hall.session.commit()

    response = hall.give_back(order, {hall.milk.sku: "1"}, "restock")

    assert _flashes(response.text) == [("error", "Returns are accepted within 30 days of customs release.")]
    assert hall.gateway.refunds == []


def test_a_return_when_the_refund_cannot_be_started_records_nothing(hall, monkeypatch):
    order = hall.shipped()

    def unavailable(**kw):
        raise PaymentUnavailable("Stripe is down")

    monkeypatch.setattr(hall.gateway, "refund", unavailable)
    response = hall.give_back(order, {hall.milk.sku: "1"}, "restock")

    assert _flashes(response.text) == [
        ("error", "The refund could not be started just now, so the return was not recorded.")]
    assert hall.session.scalars(select(ReturnRecord)).all() == []
    assert hall.reserved(hall.milk_lot) == (28, 0)


# --- the order list ------------------------------------------------------------------------------------------


def test_the_order_list_filters_by_number_and_status(hall):
    paid = hall.paid()
    released = hall.released()

    everything = hall.client.get("/admin/orders").text
    by_number = hall.client.get(f"/admin/orders?number={paid.number}").text
    by_status = hall.client.get("/admin/orders?status=released").text
    unknown = hall.client.get("/admin/orders?status=lost").text

    assert paid.number in everything and released.number in everything
    assert paid.number in by_number and released.number not in by_number
    assert released.number in by_status and paid.number not in by_status
    assert paid.number in unknown and released.number in unknown
    assert "No orders found." in hall.client.get("/admin/orders?number=GB000000000000").text


def test_an_unknown_order_page_is_not_found(hall):
    assert hall.client.get("/admin/orders/GB000000000000").status_code == 404
