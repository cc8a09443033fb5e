"""The "order paid" e-mail: sent once the payment is committed, in the order's language, never on a rollback."""

from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import select

from shop.db import db
from shop.money import format_cny
from shop.orders.models import Order, OrderStatus
from shop.payments import services as payments
from shop.payments.gateway import Intent
from tests.functional.checkout_helpers import ID_NUMBER, PHONE, place_order, shopper, stocked
from tests.localstripe import CARD_3DS


def _pay(client, number: str, card: str = "card_ok"):
    return client.post(f"/orders/{number}/pay", json={"card": card})


def _expected_subject(locale: str, number: str) -> str:
    with force_locale(locale):
        return gettext("Your GlobalBuy order %(number)s is paid", number=number)


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_paying_sends_one_email_in_english(english, session, app, stub_gateway, outbox):
    product = stocked(session, name_en="Alpine goat milk powder", name_zh="高山羊奶粉")
    user = shopper(session, english)
    order = place_order(english, session, product, quantity=2)
    assert outbox == []  # placing an order sends nothing: only payment does

    _pay(english, order.number)

    [message] = outbox
    link = f"{app.config['SHOP_BASE_URL']}/orders/{order.number}"
    assert message.to == [user.email]
    assert message.from_email == app.config["MAIL_DEFAULT_SENDER"]
    assert message.subject == f"Your GlobalBuy order {order.number} is paid"
    amount = format_cny(order.actual_paid)
    for body in (message.body, _html(message)):
        assert order.number in body
        assert amount in body
        assert link in body
        assert "Alpine goat milk powder × 2" in body
        assert "高山羊奶粉" not in body
        assert ID_NUMBER not in body and PHONE not in body
    assert f'<a href="{link}">' in _html(message)
    assert f"Thank you for your order {order.number}. Your payment of {amount} is received." in message.body


def test_the_email_of_a_chinese_order_is_in_chinese(client, session, stub_gateway, outbox):
    product = stocked(session, name_en="Alpine goat milk powder", name_zh="高山羊奶粉")
    shopper(session, client)
    order = place_order(client, session, product)
    assert order.locale.startswith("zh")

    _pay(client, order.number)

    [message] = outbox
    assert message.subject == _expected_subject(order.locale, order.number)
    assert "高山羊奶粉 × 1" in message.body and "Alpine goat milk powder" not in message.body
    assert 'lang="zh-CN"' in _html(message)


def test_the_email_follows_the_order_not_the_current_language(english, session, stub_gateway, outbox):
    product = stocked(session, name_en="Alpine goat milk powder", name_zh="高山羊奶粉")
    shopper(session, english)
    order = place_order(english, session, product)
    english.get("/lang/zh_CN?next=/")  # the shopper switches to Chinese before paying

    _pay(english, order.number)

    [message] = outbox
    assert message.subject == f"Your GlobalBuy order {order.number} is paid"
    assert "Alpine goat milk powder" in message.body


def test_a_3d_secure_payment_sends_the_email_on_return(english, session, stub_gateway, outbox):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.needs_action.add("card_3ds")
    answer = _pay(english, order.number, "card_3ds").get_json()
    assert outbox == []
    stub_gateway.authenticate(answer["return_url"].rsplit("=", 1)[1])

    english.get(answer["return_url"])
    english.get(answer["return_url"])  # a reload completes nothing twice

    [message] = outbox
    assert order.number in message.subject


def test_a_declined_card_sends_nothing(english, session, stub_gateway, outbox):
    shopper(session, english)
    order = place_order(english, session)
    stub_gateway.declines.add("card_declined")

    _pay(english, order.number, "card_declined")

    assert outbox == []


def test_the_return_after_paying_sends_no_second_email(english, session, stub_gateway, outbox):
    shopper(session, english)
    order = place_order(english, session)
    answer = _pay(english, order.number).get_json()

    english.get(answer["return_url"])

    assert len(outbox) == 1


def _succeeded(order: Order) -> Intent:
    return Intent(id="pi_direct", status="succeeded", amount=order.actual_paid, currency="CNY", client_secret=None,
                  charge_id="ch_direct", metadata={"order_number": order.number})


def test_nothing_is_sent_when_the_transaction_rolls_back(english, session, app, outbox):
    shopper(session, english)
    number = place_order(english, session).number

    with app.test_request_context():
        order = session.scalar(select(Order).where(Order.number == number))
        assert payments.complete_payment(db.session, _succeeded(order), source="stripe")
        db.session.rollback()

    assert outbox == []
    assert session.scalar(select(Order.status).where(Order.number == number)) is OrderStatus.AWAITING_PAYMENT

    # The same completion, committed this time, sends it.
    with app.test_request_context():
        order = session.scalar(select(Order).where(Order.number == number))
        assert payments.complete_payment(db.session, _succeeded(order), source="stripe")
        db.session.commit()

    [message] = outbox
    assert number in message.subject


def test_an_order_completed_by_stripes_webhook_sends_the_email(english, client, session, localstripe, outbox):
    """The shopper closed the tab after 3-D Secure: Stripe's webhook completes the order, and the e-mail goes."""
    user = shopper(session, english)
    order = place_order(english, session)
    answer = _pay(english, order.number, localstripe.payment_method(CARD_3DS)).get_json()
    intent_id = answer["return_url"].rsplit("=", 1)[1]
    localstripe.authenticate(intent_id)
    body, headers = localstripe.intent_event(intent_id)

    response = client.post("/payments/stripe/webhook", data=body, headers=headers)

    assert response.get_json() == {"received": True, "outcome": "completed"}
    [message] = outbox
    assert order.number in message.subject and message.to == [user.email]
    assert f"/orders/{order.number}" in message.body
