"""The shopper's orders: the list, an order's page (timeline, tax), paying, the return from 3-D Secure, cancelling.

Stripe is replaced by `stub_gateway` here; the integration tests pay through localstripe.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.db import utcnow
from shop.inventory.models import Lot
from shop.money import format_cny
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment
from tests import factories
from tests.functional.checkout_helpers import place_order, shopper, sign_in_as, stocked
from tests.functional.helpers import by_testid
from tests.localstripe import CARD_3DS, CARD_DECLINED, CARD_OK

CARD = "card_ok"


def _order(session, number: str) -> Order:
    return session.scalar(select(Order).where(Order.number == number))


def _status(session, number: str) -> OrderStatus:
    return session.scalar(select(Order.status).where(Order.number == number))


def _reserved(session, product) -> int:
    return session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == product.id))


def _flashes(html: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', html, re.S)]


def _timeline(html: str) -> list[tuple[str, str, str]]:
    """(class, step title, explanation) of each step of the timeline."""
    block = re.search(r'<ol class="timeline" data-testid="timeline">(.*?)</ol>', html, re.S).group(1)
    steps = []
    for cls, body in re.findall(r'<li class="([^"]*)">(.*?)</li>', block, re.S):
        title = re.sub(r"<time.*?</time>", "", re.search(r'<p class="step-title">(.*?)</p>', body, re.S).group(1))
        text = re.search(r'<p class="step-text">(.*?)</p>', body, re.S)
        steps.append((cls.strip(), htmllib.unescape(title).strip(), htmllib.unescape(text.group(1)) if text else ""))
    return steps


def _pay(client, number: str, card: str = CARD):
    return client.post(f"/orders/{number}/pay", json={"card": card})


def _set_status(session, number: str, *statuses: OrderStatus) -> None:
    order = _order(session, number)
    for status in statuses:
        orders.change_status(session, order, status, source="customs")
    session.commit()


# --- the list ---------------------------------------------------------------------------------------


def test_my_orders_needs_a_signed_in_shopper(client, session):
    response = client.get("/orders")

    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_my_orders_when_there_are_none(english, session):
    shopper(session, english)

    page = english.get("/orders").text

    assert "You have no orders yet." in page


def test_my_orders_lists_only_mine_newest_first(english, other_client, session):
    product = stocked(session, name_en="Alpine goat milk powder")
    shopper(session, english)
    first = place_order(english, session, product).number
    second = place_order(english, session, product, quantity=2).number
    shopper(session, other_client)
    theirs = place_order(other_client, session, product).number

    page = english.get("/orders").text

    numbers = re.findall(r'<span class="order-number">(\w+)</span>', page)
    assert numbers == [second, first]
    assert theirs not in page
    assert "Alpine goat milk powder" in page
    assert "Awaiting payment" in page
    assert format_cny(_order(session, second).actual_paid) in page


# --- an order's page --------------------------------------------------------------------------------


def test_the_order_page_shows_status_timeline_and_tax(english, session):
    product = stocked(session, name_en="Alpine goat milk powder")
    shopper(session, english)
    order = place_order(english, session, product, quantity=2)

    response = english.get(f"/orders/{order.number}")

    assert response.status_code == 200
    page = response.text
    assert by_testid(page, "order-status") == "Awaiting payment"
    steps = _timeline(page)
    assert [title for _cls, title, _text in steps] == [
        "Awaiting payment", "Paid", "Declared to customs", "Released by customs", "Shipped", "Delivered"]
    assert steps[0][0] == "done current"
    assert steps[0][2].startswith("Your goods are reserved for you. Pay before the time runs out")
    assert all(cls == "todo" and text == "" for cls, _title, text in steps[1:])
    # The tax breakdown, line by line and in total.
    text = htmllib.unescape(page)
    line = order.lines[0]
    assert "Alpine goat milk powder" in text and f"HS code {line.hs_code}" in text
    assert f"VAT {format_cny(line.vat)} · consumption tax {format_cny(line.consumption_tax)}" in text
    assert f"<dt>Duty-paid value</dt><dd>{format_cny(order.duty_paid_value)}</dd>" in text
    assert f"<dt>Import VAT</dt><dd>{format_cny(order.vat)}</dd>" in text
    assert by_testid(page, "order-tax") == format_cny(order.tax_total)
    assert by_testid(page, "order-total") == format_cny(order.actual_paid)
    assert order.tax_total == order.vat + order.consumption_tax + order.customs_duty > 0
    assert f'href="/orders/{order.number}/pay"' in page
    assert "Cancel this order" in page


def test_the_order_page_is_in_the_shoppers_language(client, session):
    product = stocked(session)
    shopper(session, client)
    order = place_order(client, session, product)

    page = client.get(f"/orders/{order.number}").text

    assert '<html lang="zh-CN">' in page
    assert product.name_zh in page and product.name_en not in page


def test_someone_elses_order_is_not_found(english, other_client, session):
    shopper(session, english)
    order = place_order(english, session)
    shopper(session, other_client)

    for path in (f"/orders/{order.number}", f"/orders/{order.number}/pay", "/orders/GB000000000000"):
        assert other_client.get(path).status_code == 404, path
    assert _pay(other_client, order.number).status_code == 404
    assert other_client.post(f"/orders/{order.number}/cancel").status_code == 404
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT


def test_order_pages_need_a_signed_in_shopper(english, other_client, session):
    shopper(session, english)
    order = place_order(english, session)

    for path in (f"/orders/{order.number}", f"/orders/{order.number}/pay"):
        response = other_client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], path
    response = other_client.post(f"/orders/{order.number}/cancel")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


# --- paying -----------------------------------------------------------------------------------------


def test_the_pay_page(english, session, app):
    shopper(session, english)
    order = place_order(english, session)

    response = english.get(f"/orders/{order.number}/pay")

    assert response.status_code == 200
    page = response.text
    assert by_testid(page, "pay-amount") == format_cny(order.actual_paid)
    assert f'<script src="{app.config["STRIPE_JS_URL"]}"></script>' in page
    assert f'data-pay-url="/orders/{order.number}/pay"' in page
    assert f'data-publishable-key="{app.config["STRIPE_PUBLISHABLE_KEY"]}"' in page
    assert 'data-locale="en"' in page


@pytest.mark.parametrize("body", [
    b"not json", b"{}", b'{"card": 42}', b'{"card": "4242424242424242"}', b'{"card": null}', b"[1, 2]",
    b'{"card": "card_' + b"x" * 300 + b'"}',
])
def test_paying_with_something_that_is_not_a_card_token_is_a_400(english, session, body, stub_gateway):
    shopper(session, english)
    number = place_order(english, session).number

    response = english.post(f"/orders/{number}/pay", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.is_json
    assert response.get_json() == {"error": "The card details could not be read. Please enter them again."}
    assert stub_gateway.intents == {}
    assert _status(session, number) is OrderStatus.AWAITING_PAYMENT


def test_paying_completes_the_order(english, session, stub_gateway):
    product = stocked(session, quantity=5)
    shopper(session, english)
    order = place_order(english, session, product, quantity=2)

    response = _pay(english, order.number)

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["status"] == "succeeded"
    [intent] = stub_gateway.intents.values()
    assert intent.amount == order.actual_paid
    assert answer["return_url"] == f"/orders/{order.number}/return?payment_intent={intent.id}"
    paid = _order(session, order.number)
    assert paid.status is OrderStatus.PAID and paid.paid_at is not None and paid.reserved_until is None
    payment = session.scalar(select(Payment).where(Payment.order_id == paid.id))
    assert (payment.status, payment.amount, payment.payer_id_masked) == (
        "succeeded", order.actual_paid, "3604**********0071")
    assert _reserved(session, product) == 2  # still set aside for this order, no longer expiring

    back = english.get(answer["return_url"])

    assert back.status_code == 302 and back.headers["Location"] == f"/orders/{order.number}"
    page = english.get(f"/orders/{order.number}").text
    assert "Thank you! Your payment is received and the order is on its way to customs." in _flashes(page)
    assert by_testid(page, "order-status") == "Paid"
    steps = _timeline(page)
    assert steps[0][0] == "done" and steps[1][0] == "done current"
    assert steps[1][1] == "Paid"
    assert steps[1][2].startswith("Payment received, including the cross-border tax")
    assert re.search(r'<p class="step-title">Paid <time class="muted">\d{4}-\d\d-\d\d \d\d:\d\d</time>', page)
    assert f'href="/orders/{order.number}/pay"' not in page
    # Paying again is not possible: the pay page sends the shopper to the order.
    assert english.get(f"/orders/{order.number}/pay").headers["Location"] == f"/orders/{order.number}"


def test_paying_a_paid_order_again_takes_no_money(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _pay(english, order.number)

    response = _pay(english, order.number)

    assert response.get_json() == {"declined": True, "error": "This order is no longer awaiting payment."}
    assert len(stub_gateway.intents) == 1


def test_a_declined_card_leaves_the_order_payable(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.declines.add("card_declined")

    response = _pay(english, order.number, "card_declined")

    assert response.status_code == 200
    assert response.get_json() == {
        "declined": True, "error": "Your card was declined. No money was taken. Please try again or use another card."}
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT
    [payment] = session.scalars(select(Payment)).all()
    assert payment.status == "requires_payment_method" and payment.failure_message == "card_declined"

    retry = _pay(english, order.number)

    assert retry.get_json()["status"] == "succeeded"
    assert _status(session, order.number) is OrderStatus.PAID


def test_3d_secure_completed(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.needs_action.add("card_3ds")

    answer = _pay(english, order.number, "card_3ds").get_json()

    assert answer["status"] == "requires_action" and answer["client_secret"].startswith("pi_stub")
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT
    intent_id = answer["return_url"].rsplit("=", 1)[1]
    stub_gateway.authenticate(intent_id, success=True)

    back = english.get(answer["return_url"])

    assert back.headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.PAID


def test_3d_secure_failed_goes_back_to_the_pay_page(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.needs_action.add("card_3ds")
    answer = _pay(english, order.number, "card_3ds").get_json()
    stub_gateway.authenticate(answer["return_url"].rsplit("=", 1)[1], success=False)

    back = english.get(answer["return_url"])

    assert back.headers["Location"] == f"/orders/{order.number}/pay"
    page = english.get(back.headers["Location"]).text
    assert ("The payment was not completed: the card's authentication failed or was cancelled. No money was taken. "
            "Please try again.") in _flashes(page)
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT
    payment = session.scalar(select(Payment))
    assert payment.failure_message == "authentication failed or abandoned"


def test_the_return_page_only_knows_this_orders_payments(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    other = place_order(english, session)
    _pay(english, other.number)
    [intent_id] = stub_gateway.intents

    assert english.get(f"/orders/{order.number}/return?payment_intent={intent_id}").status_code == 404
    assert english.get(f"/orders/{order.number}/return?payment_intent=pi_unknown").status_code == 404
    assert english.get(f"/orders/{order.number}/return").status_code == 404


# --- expiry -----------------------------------------------------------------------------------------


def test_an_order_past_its_time_is_expired_when_opened_for_payment(english, session):
    product = stocked(session, quantity=5)
    shopper(session, english)
    order = place_order(english, session, product, quantity=2)
    assert _reserved(session, product) == 2
    _order(session, order.number).reserved_until = utcnow() - timedelta(seconds=1)
    session.commit()

    response = english.get(f"/orders/{order.number}/pay")

    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.CANCELLED
    assert _reserved(session, product) == 0
    page = english.get(f"/orders/{order.number}").text
    assert by_testid(page, "order-status") == "Cancelled"
    cls, title, text = _timeline(page)[-1]
    assert (cls, title) == ("done current ended", "Cancelled")
    assert text == "The order is cancelled. Any payment is refunded in full to your card."
    assert "Cancel this order" not in page


def test_an_order_past_its_time_cannot_be_paid(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _order(session, order.number).reserved_until = utcnow() - timedelta(seconds=1)
    session.commit()

    response = _pay(english, order.number)

    assert response.get_json()["error"] == (
        "The time to pay this order is over and its goods were released. Please place the order again.")
    assert stub_gateway.intents == {}


# --- cancelling -------------------------------------------------------------------------------------


def test_cancelling_an_unpaid_order(english, session):
    product = stocked(session, quantity=5)
    shopper(session, english)
    order = place_order(english, session, product, quantity=2)

    response = english.post(f"/orders/{order.number}/cancel")

    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.CANCELLED
    assert _reserved(session, product) == 0
    page = english.get(f"/orders/{order.number}").text
    assert "The order is cancelled. Any payment is refunded to your card." in _flashes(page)
    assert by_testid(page, "order-status") == "Cancelled"
    # Cancelling twice changes nothing.
    english.post(f"/orders/{order.number}/cancel")
    assert _status(session, order.number) is OrderStatus.CANCELLED


def test_cancelling_a_paid_order_refunds_it(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _pay(english, order.number)

    english.post(f"/orders/{order.number}/cancel")

    assert _status(session, order.number) is OrderStatus.CANCELLED
    [intent_id] = stub_gateway.intents
    assert stub_gateway.refunds == [(intent_id, order.actual_paid)]
    assert session.scalar(select(Payment.refunded_amount)) == order.actual_paid


def test_cancelling_a_declared_order_is_still_possible(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _pay(english, order.number)
    _set_status(session, order.number, OrderStatus.DECLARED)
    assert "Cancel this order" in english.get(f"/orders/{order.number}").text

    english.post(f"/orders/{order.number}/cancel")

    assert _status(session, order.number) is OrderStatus.CANCELLED


def test_cancelling_is_refused_once_customs_has_released_the_order(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _pay(english, order.number)
    _set_status(session, order.number, OrderStatus.DECLARED, OrderStatus.RELEASED)
    page = english.get(f"/orders/{order.number}").text
    assert "Cancel this order" not in page
    assert by_testid(page, "order-status") == "Released by customs"

    response = english.post(f"/orders/{order.number}/cancel")

    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.RELEASED
    assert stub_gateway.refunds == []
    flashes = _flashes(english.get(f"/orders/{order.number}").text)
    assert ("Customs has already released this order, so it can no longer be cancelled. You can return it within "
            "30 days of release.") in flashes


def test_the_timeline_of_a_released_order(english, session, stub_gateway):
    shopper(session, english)
    order = place_order(english, session)
    _pay(english, order.number)
    _set_status(session, order.number, OrderStatus.DECLARED, OrderStatus.RELEASED)

    steps = _timeline(english.get(f"/orders/{order.number}").text)

    assert [cls for cls, _title, _text in steps] == ["done", "done", "done", "done current", "todo", "todo"]
    assert steps[2][2].startswith("The parcel's inventory list has been declared to customs under your name")
    assert steps[3][2] == "Customs has released the parcel and collected the tax: it may now leave the bonded zone."


def test_order_numbers_of_other_users_cannot_be_cancelled(english, other_client, session):
    owner = factories.user(session)
    session.commit()
    sign_in_as(english, owner)
    order = place_order(english, session)
    shopper(session, other_client)

    assert other_client.post(f"/orders/{order.number}/cancel").status_code == 404
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT


# --- through localstripe (the real `stripe` client, no stub) ------------------------------------------


def test_paying_through_localstripe(english, session, localstripe, outbox):
    shopper(session, english)
    order = place_order(english, session)

    answer = _pay(english, order.number, localstripe.payment_method(CARD_OK)).get_json()

    assert answer["status"] == "succeeded"
    assert english.get(answer["return_url"]).headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.PAID
    payment = session.scalar(select(Payment))
    assert payment.intent_id.startswith("pi_") and payment.amount == order.actual_paid
    assert [order.number in message.subject for message in outbox] == [True]


def test_a_declined_card_through_localstripe(english, session, localstripe, outbox):
    shopper(session, english)
    order = place_order(english, session)

    response = _pay(english, order.number, localstripe.payment_method(CARD_DECLINED))

    assert response.status_code == 200
    assert response.get_json()["declined"] is True
    assert _status(session, order.number) is OrderStatus.AWAITING_PAYMENT
    assert outbox == []


def test_3d_secure_through_localstripe(english, session, localstripe):
    shopper(session, english)
    order = place_order(english, session)
    answer = _pay(english, order.number, localstripe.payment_method(CARD_3DS)).get_json()
    assert answer["status"] == "requires_action"
    localstripe.authenticate(answer["return_url"].rsplit("=", 1)[1])

    english.get(answer["return_url"])

    assert _status(session, order.number) is OrderStatus.PAID


def test_cancelling_an_order_waiting_for_3d_secure_cancels_its_payment(english, session, stub_gateway, caplog):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.needs_action.add("card_3ds")
    answer = _pay(english, order.number, "card_3ds").get_json()
    intent_id = answer["return_url"].rsplit("=", 1)[1]

    english.post(f"/orders/{order.number}/cancel")

    assert _status(session, order.number) is OrderStatus.CANCELLED
    assert stub_gateway.cancelled == [intent_id]  # with Stripe, once the cancellation is committed
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_payment_finished_after_the_order_expired_is_refunded_and_said_so(english, session, stub_gateway):
    """3-D Secure completed only after the reservation ran out: the money goes back, and the page says so."""
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.needs_action.add("card_3ds")
    answer = _pay(english, order.number, "card_3ds").get_json()
    intent_id = answer["return_url"].rsplit("=", 1)[1]
    _order(session, order.number).reserved_until = utcnow() - timedelta(seconds=1)
    session.commit()
    english.get(f"/orders/{order.number}/pay")  # expires the order
    stub_gateway.authenticate(intent_id)

    back = english.get(answer["return_url"])

    assert back.headers["Location"] == f"/orders/{order.number}"
    assert _status(session, order.number) is OrderStatus.CANCELLED
    assert stub_gateway.refunds == [(intent_id, order.actual_paid)]
    flashes = _flashes(english.get(f"/orders/{order.number}").text)
    assert not any(f.startswith("Thank you!") for f in flashes), flashes
    assert "The order is cancelled. Any payment is refunded to your card." in flashes
