"""Paying orders through the real `stripe` client against localstripe: cards, 3-D Secure, webhooks, refunds."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, select
from werkzeug.serving import make_server

from shop import create_app
from shop.customs.models import Declaration, DeclarationStatus
from shop.db import after_commit, db, utcnow
from shop.inventory.models import Lot
from shop.migrate import alembic_config
from shop.money import to_fen
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent, OrderStatus, ReservationState
from shop.payments import services as payments
from shop.payments.gateway import gateway
from shop.payments.models import Payment, Refund, StripeEvent
from tests import factories
from tests.dbutil import fresh_database
from tests.functional.helpers import sign_in
from tests.localstripe import CARD_3DS, CARD_DECLINED, CARD_OK, LocalStripe, point_app_at, running_localstripe
from tests.ordering import place, stocked

D = Decimal
S = OrderStatus
WEBHOOK = "/payments/stripe/webhook"


@pytest.fixture
def ls(localstripe: LocalStripe) -> LocalStripe:
    localstripe.reset()
    return localstripe


class Shop:
    """One shopper with one unpaid order, signed in on the test client."""

    def __init__(self, session, client, *, price: str = "300.00", quantity: int = 1, stock: int = 10):
        self.session, self.client = session, client
        self.user = factories.user(session)
        self.product = stocked(session, stock, price=D(price))
        order = place(session, self.user, [(self.product, quantity)])
        session.commit()
        self.order_id, self.number = order.id, order.number
        self.amount = order.actual_paid
        assert sign_in(client, self.user.email).status_code == 302
        assert client.get("/lang/en?next=/").status_code == 302  # messages in English

    @property
    def order(self) -> Order:
        self.session.expire_all()
        return self.session.get(Order, self.order_id)

    def pay(self, card: str) -> payments.Intent:
        """Pay by card through the service, then commit (as the pay view does)."""
        intent = payments.pay_with_card(self.session, self.order, card=card, gateway=gateway(), now=utcnow())
        self.session.commit()
        return intent

    def pay_in_browser(self, card: str):
        return self.client.post(f"/orders/{self.number}/pay", json={"card": card})

    def come_back(self, intent_id: str):
        return self.client.get(f"/orders/{self.number}/return?payment_intent={intent_id}")

    def payments(self) -> list[Payment]:
        self.session.expire_all()
        return list(self.session.scalars(select(Payment).where(Payment.order_id == self.order_id)
                                         .order_by(Payment.id)))

    def declarations(self) -> list[Declaration]:
        return list(self.session.scalars(select(Declaration).where(Declaration.order_id == self.order_id)))

    def events_to(self, status: S) -> list[OrderEvent]:
        """The changes of status to `status` (not the notes, such as refunds, that keep the status)."""
        return [e for e in self.events() if e.to_status == status and e.from_status != e.to_status]

    def events(self) -> list[OrderEvent]:
        return list(self.session.scalars(select(OrderEvent).where(OrderEvent.order_id == self.order_id)
                                         .order_by(OrderEvent.id)))

    def reserved(self) -> int:
        self.session.expire_all()
        return self.session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == self.product.id))

    def flashes(self) -> list[tuple[str, str]]:
        with self.client.session_transaction() as http_session:
            return list(http_session.get("_flashes", []))


@pytest.fixture
def shop(session, client, ls, in_request) -> Shop:
    return Shop(session, client)


def _assert_paid_once(shop: Shop, intent_id: str) -> None:
    order = shop.order
    assert order.status is S.PAID and order.paid_at is not None and order.reserved_until is None
    assert len(shop.events_to(S.PAID)) == 1
    assert [d.status for d in shop.declarations()] == [DeclarationStatus.PENDING]
    (payment,) = [p for p in shop.payments() if p.intent_id == intent_id]
    assert payment.status == "succeeded" and payment.succeeded_at is not None
    assert {r.state for r in orders.order_reservations(shop.session, order)} == {ReservationState.COMMITTED}


# --- cards --------------------------------------------------------------------------------------------


def test_a_good_card_pays_the_order_and_records_the_payment(shop, ls):
    intent = shop.pay(ls.payment_method(CARD_OK))

    assert intent.status == "succeeded"
    _assert_paid_once(shop, intent.id)
    (payment,) = shop.payments()
    order = shop.order
    assert payment.intent_id.startswith("pi_") and payment.charge_id.startswith("ch_")
    assert (payment.amount, payment.currency, payment.refunded_amount) == (order.actual_paid, "CNY", D("0.00"))
    assert (payment.payer_name, payment.payer_id_masked) == (order.buyer_name, order.buyer_id_masked)
    assert order.paid_at == payment.succeeded_at
    (event,) = shop.events_to(S.PAID)
    assert (event.from_status, event.source, event.reason) == (S.AWAITING_PAYMENT, "shop", f"payment {intent.id}")
    # What Stripe has: the amount in integer fen, in CNY, tagged with the order number.
    stripe_pi = ls.client.v1.payment_intents.retrieve(intent.id)
    assert (stripe_pi.amount, stripe_pi.currency, stripe_pi.status) == (to_fen(order.actual_paid), "cny", "succeeded")
    assert stripe_pi.metadata["order_number"] == order.number


@pytest.fixture
def outbox(app, monkeypatch) -> list:
    """Mail kept in memory instead of printed."""
    state = app.extensions["mailman"]
    monkeypatch.setattr(state, "backend", "locmem")
    monkeypatch.setattr(state, "outbox", [], raising=False)
    return state.outbox


def _errors(caplog) -> list[str]:
    return [f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_buyer_gets_one_confirmation_mail_once_the_payment_is_committed(shop, ls, outbox, caplog):
    intent = shop.pay(ls.payment_method(CARD_3DS))
    ls.authenticate(intent.id, success=True)
    payload, headers = ls.intent_event(intent.id)
    assert outbox == []

    shop.client.post(WEBHOOK, data=payload, headers=headers)
    shop.come_back(intent.id)
    shop.client.post(WEBHOOK, data=payload, headers=headers)

    (mail,) = outbox
    assert mail.to == [shop.user.email] and shop.number in mail.subject
    assert f"/orders/{shop.number}" in mail.body
    assert _errors(caplog) == []  # the mail ran after the commit, with a session of its own
    assert shop.order.status is S.PAID and shop.client.get(f"/orders/{shop.number}").status_code == 200


def test_the_confirmation_mail_is_sent_when_the_service_commits_too(shop, ls, outbox, caplog):
    shop.pay(ls.payment_method(CARD_OK))  # pay_with_card, then the test commits (no request around it)

    assert len(outbox) == 1 and _errors(caplog) == []
    assert shop.order.status is S.PAID


def test_an_action_after_commit_can_use_the_database_and_an_app_context_of_its_own(app, session, caplog):
    """What the confirmation mail and the cancelling of open intents do once the order is committed."""
    seen = []

    def action():
        with app.app_context():
            seen.append(db.session.scalar(select(func.count(Order.id))))

    after_commit(session, action)
    factories.category(session)
    session.commit()

    assert seen == [0] and _errors(caplog) == []
    assert session.scalar(select(func.count(Order.id))) == 0  # the committing session still works afterwards


def test_no_mail_when_the_payment_is_rolled_back(shop, ls, outbox):
    payments.pay_with_card(shop.session, shop.order, card=ls.payment_method(CARD_OK), gateway=gateway(),
                           now=utcnow())
    shop.session.rollback()

    assert outbox == [] and shop.order.status is S.AWAITING_PAYMENT


def test_paying_through_the_pay_page_answers_json_and_the_order_is_paid(shop, ls):
    response = shop.pay_in_browser(ls.payment_method(CARD_OK))

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "succeeded"
    assert body["return_url"] == f"/orders/{shop.number}/return?payment_intent={shop.payments()[0].intent_id}"
    _assert_paid_once(shop, shop.payments()[0].intent_id)
    assert shop.come_back(shop.payments()[0].intent_id).status_code == 302
    _assert_paid_once(shop, shop.payments()[0].intent_id)  # the return path after it changes nothing


def test_a_declined_card_is_refused_with_a_message_and_the_order_stays_payable(shop, ls):
    with pytest.raises(payments.PaymentRefused) as caught:
        shop.pay(ls.payment_method(CARD_DECLINED))
    shop.session.rollback()

    assert str(caught.value.message) == ("Your card was declined. No money was taken. Please try again or use "
                                         "another card.")
    assert shop.order.status is S.AWAITING_PAYMENT
    assert shop.declarations() == [] and shop.reserved() == 1
    assert all(p.succeeded_at is None for p in shop.payments())

    intent = shop.pay(ls.payment_method(CARD_OK))  # payable again

    _assert_paid_once(shop, intent.id)


def test_a_declined_card_on_the_pay_page_is_an_ordinary_answer_and_a_retry_works(shop, ls):
    response = shop.pay_in_browser(ls.payment_method(CARD_DECLINED))

    assert response.status_code == 200
    assert response.get_json()["declined"] is True
    assert response.get_json()["error"] == ("Your card was declined. No money was taken. Please try again or "
                                            "use another card.")
    assert shop.order.status is S.AWAITING_PAYMENT

    response = shop.pay_in_browser(ls.payment_method(CARD_OK))
    assert response.get_json()["status"] == "succeeded"
    assert shop.order.status is S.PAID


def test_an_unreadable_card_is_refused_before_calling_stripe(shop):
    response = shop.pay_in_browser("4242424242424242")

    assert response.status_code == 400
    assert shop.payments() == []


# --- 3-D Secure ---------------------------------------------------------------------------------------


def test_3d_secure_then_the_return_path_completes_the_order(shop, ls):
    response = shop.pay_in_browser(ls.payment_method(CARD_3DS))
    body = response.get_json()
    assert body["status"] == "requires_action" and body["client_secret"]
    (payment,) = shop.payments()
    assert payment.status == "requires_action" and shop.order.status is S.AWAITING_PAYMENT

    ls.authenticate(payment.intent_id, success=True)
    back = shop.client.get(body["return_url"])

    assert back.status_code == 302 and back.headers["Location"] == f"/orders/{shop.number}"
    _assert_paid_once(shop, payment.intent_id)
    assert shop.order.events[-1].source == "shop"
    assert shop.flashes()[-1][0] == "success"


def test_failed_3d_secure_leaves_the_order_unpaid_with_a_message_and_a_retry_works(shop, ls):
    intent = shop.pay(ls.payment_method(CARD_3DS))
    assert intent.status == "requires_action"

    ls.authenticate(intent.id, success=False)
    back = shop.come_back(intent.id)

    assert back.status_code == 302 and back.headers["Location"] == f"/orders/{shop.number}/pay"
    assert shop.flashes()[-1] == ("error", "The payment was not completed: the card's authentication failed or "
                                           "was cancelled. No money was taken. Please try again.")
    assert shop.order.status is S.AWAITING_PAYMENT and shop.declarations() == []
    (payment,) = shop.payments()
    assert payment.status == "requires_payment_method" and payment.failure_message
    assert shop.client.get(f"/orders/{shop.number}/pay").status_code == 200  # the pay page again

    retry = shop.pay(ls.payment_method(CARD_OK))

    _assert_paid_once(shop, retry.id)
    assert len(shop.payments()) == 2


def test_the_return_path_only_accepts_this_orders_own_payments(shop, ls, session, client):
    other = Shop(session, client)  # another shopper with an order of their own (signs the client in)
    intent = other.pay(ls.payment_method(CARD_3DS))
    ls.authenticate(intent.id, success=True)
    sign_in(client, shop.user.email)

    assert shop.come_back("pi_unknown").status_code == 404
    assert shop.come_back(intent.id).status_code == 404  # someone else's payment
    assert client.get(f"/orders/{other.number}/return?payment_intent={intent.id}").status_code == 404  # not theirs
    assert shop.order.status is S.AWAITING_PAYMENT and other.order.status is S.AWAITING_PAYMENT


# --- webhooks -----------------------------------------------------------------------------------------


def _authenticated_intent(shop: Shop, ls: LocalStripe) -> str:
    """A PaymentIntent that Stripe has as succeeded while the shop has not heard of it yet."""
    intent = shop.pay(ls.payment_method(CARD_3DS))
    ls.authenticate(intent.id, success=True)
    assert shop.order.status is S.AWAITING_PAYMENT
    return intent.id


@pytest.mark.parametrize("forge", ["wrong-secret", "tampered-body", "no-header", "old-timestamp", "garbage"])
def test_a_forged_webhook_is_refused_with_400_and_changes_nothing(shop, ls, forge):
    intent_id = _authenticated_intent(shop, ls)
    payload, headers = ls.intent_event(intent_id)
    if forge == "wrong-secret":
        headers["Stripe-Signature"] = ls.sign(payload, secret="whsec_not_ours")
    elif forge == "tampered-body":
        payload = payload.replace(b'"livemode": false', b'"livemode": true')
    elif forge == "no-header":
        del headers["Stripe-Signature"]
    elif forge == "old-timestamp":
        headers["Stripe-Signature"] = ls.sign(payload, timestamp=int(time.time()) - 3600)
    else:
        headers["Stripe-Signature"] = "t=1,v1=00"

    response = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert response.status_code == 400
    assert shop.order.status is S.AWAITING_PAYMENT
    assert shop.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_a_signed_webhook_completes_the_order(shop, ls):
    intent_id = _authenticated_intent(shop, ls)
    payload, headers = ls.intent_event(intent_id)

    response = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert response.status_code == 200 and response.get_json()["outcome"] == "completed"
    _assert_paid_once(shop, intent_id)
    assert shop.events_to(S.PAID)[0].source == "stripe"


def test_the_same_event_twice_has_one_effect(shop, ls):
    intent_id = _authenticated_intent(shop, ls)
    payload, headers = ls.intent_event(intent_id, event_id="evt_same_twice")

    first = shop.client.post(WEBHOOK, data=payload, headers=headers)
    second = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert [first.get_json()["outcome"], second.get_json()["outcome"]] == ["completed", "duplicate"]
    _assert_paid_once(shop, intent_id)
    assert shop.session.scalar(select(func.count()).select_from(StripeEvent)) == 1


def test_two_different_events_for_one_payment_complete_it_once(shop, ls):
    intent_id = _authenticated_intent(shop, ls)
    for _ in range(2):
        payload, headers = ls.intent_event(intent_id)  # a fresh event id each time
        assert shop.client.post(WEBHOOK, data=payload, headers=headers).status_code == 200

    _assert_paid_once(shop, intent_id)


@pytest.mark.parametrize("first", ["webhook", "return"])
def test_webhook_and_return_path_complete_the_order_exactly_once_in_either_order(shop, ls, first):
    intent_id = _authenticated_intent(shop, ls)
    payload, headers = ls.intent_event(intent_id)

    def webhook():
        response = shop.client.post(WEBHOOK, data=payload, headers=headers)
        assert response.status_code == 200
        return response.get_json()["outcome"]

    def come_back():
        response = shop.come_back(intent_id)
        assert response.status_code == 302 and response.headers["Location"] == f"/orders/{shop.number}"

    if first == "webhook":
        assert webhook() == "completed"
        come_back()
    else:
        come_back()
        assert webhook() == "already complete"

    _assert_paid_once(shop, intent_id)
    assert shop.events_to(S.PAID)[0].source == ("stripe" if first == "webhook" else "shop")


def test_a_failed_payment_event_is_recorded_and_the_order_stays_payable(shop, ls):
    intent = shop.pay(ls.payment_method(CARD_3DS))
    ls.authenticate(intent.id, success=False)
    payload, headers = ls.intent_event(intent.id, "payment_intent.payment_failed")

    response = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert response.status_code == 200 and response.get_json()["outcome"] == "recorded"
    assert shop.order.status is S.AWAITING_PAYMENT
    assert shop.payments()[0].status == "requires_payment_method"


def test_an_event_about_an_unknown_payment_is_acknowledged_and_ignored(shop, ls):
    other = ls.client.v1.payment_intents.create(params={
        "amount": 100, "currency": "cny", "payment_method": ls.payment_method(CARD_OK), "confirm": True})
    payload, headers = ls.intent_event(other.id)

    response = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert response.status_code == 200 and response.get_json()["outcome"] == "already complete"
    assert shop.order.status is S.AWAITING_PAYMENT


# --- cancelling and refunds ---------------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_it_and_gives_the_stock_back(shop, ls):
    intent = shop.pay(ls.payment_method(CARD_OK))
    assert shop.reserved() == 1

    response = shop.client.post(f"/orders/{shop.number}/cancel")

    assert response.status_code == 302
    order = shop.order
    assert order.status is S.CANCELLED and order.closed_at is not None
    (payment,) = shop.payments()
    assert payment.refunded_amount == payment.amount == order.actual_paid
    (refund,) = shop.session.scalars(select(Refund).where(Refund.payment_id == payment.id)).all()
    assert refund.amount == order.actual_paid and refund.actor_id == shop.user.id
    stripe_refund = ls.client.v1.refunds.retrieve(refund.refund_id)
    assert (stripe_refund.amount, stripe_refund.payment_intent, stripe_refund.status) == (
        to_fen(order.actual_paid), intent.id, "succeeded")
    assert shop.reserved() == 0
    assert {r.state for r in orders.order_reservations(shop.session, order)} == {ReservationState.RELEASED}
    assert [d.status for d in shop.declarations()] == [DeclarationStatus.CANCELLED]
    (cancelled,) = shop.events_to(S.CANCELLED)
    assert (cancelled.from_status, cancelled.source, cancelled.actor_id) == (S.PAID, "shopper", shop.user.id)
    refunded = shop.events()[-1]  # a note of the refund, after the change
    assert (refunded.from_status, refunded.to_status, refunded.source) == (S.CANCELLED, S.CANCELLED, "stripe")
    assert refunded.reason.startswith(f"refunded {order.actual_paid} CNY")


def test_cancelling_twice_refunds_once(shop, ls):
    shop.pay(ls.payment_method(CARD_OK))

    for _ in range(2):
        payments.cancel_order(shop.session, shop.order, actor_id=shop.user.id, source="shopper", reason="twice")
        shop.session.commit()

    (payment,) = shop.payments()
    assert len(payment.refunds) == 1 and payment.refunded_amount == payment.amount


def test_a_declared_order_can_still_be_cancelled_and_refunded(shop, ls):
    shop.pay(ls.payment_method(CARD_OK))
    orders.change_status(shop.session, shop.order, S.DECLARED, source="staff")
    shop.session.commit()

    payments.cancel_order(shop.session, shop.order, actor_id=None, source="staff", reason="customs cancel")
    shop.session.commit()

    assert shop.order.status is S.CANCELLED and shop.payments()[0].refunded_amount == shop.amount


def test_an_order_cannot_be_cancelled_after_customs_released_it(shop, ls):
    shop.pay(ls.payment_method(CARD_OK))
    for target in (S.DECLARED, S.RELEASED):
        orders.change_status(shop.session, shop.order, target, source="customs")
    shop.session.commit()

    with pytest.raises(orders.NotCancellable) as caught:
        payments.cancel_order(shop.session, shop.order, actor_id=shop.user.id, source="shopper", reason="late")
    shop.session.rollback()
    response = shop.client.post(f"/orders/{shop.number}/cancel")

    assert "released" in str(caught.value.message)
    assert response.status_code == 302 and shop.flashes()[-1][0] == "error"
    assert shop.order.status is S.RELEASED
    assert shop.payments()[0].refunded_amount == D("0.00") and shop.payments()[0].refunds == []
    assert shop.reserved() == 1


def test_cancelling_an_unpaid_order_cancels_its_open_payment_with_stripe(shop, ls):
    intent = shop.pay(ls.payment_method(CARD_3DS))  # waiting for 3-D Secure

    response = shop.client.post(f"/orders/{shop.number}/cancel")

    assert response.status_code == 302
    assert shop.order.status is S.CANCELLED and shop.reserved() == 0
    assert ls.client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    assert shop.payments()[0].refunds == []


def test_a_payment_that_succeeds_after_the_order_expired_is_refunded(shop, ls, app):
    intent = shop.pay(ls.payment_method(CARD_3DS))
    later = utcnow() + timedelta(minutes=app.config["RESERVATION_MINUTES"] + 1)
    assert [o.id for o in orders.expire_unpaid_orders(shop.session, now=later)] == [shop.order_id]
    shop.session.commit()
    assert shop.reserved() == 0

    ls.authenticate(intent.id, success=True)  # the shopper finishes 3-D Secure too late
    payload, headers = ls.intent_event(intent.id)
    response = shop.client.post(WEBHOOK, data=payload, headers=headers)

    assert response.status_code == 200
    order = shop.order
    assert order.status is S.CANCELLED and shop.declarations() == []
    (payment,) = shop.payments()
    assert payment.succeeded_at is not None and payment.refunded_amount == payment.amount
    (refund,) = payment.refunds
    assert ls.client.v1.refunds.retrieve(refund.refund_id).amount == to_fen(payment.amount)
    assert shop.events_to(S.PAID) == []
    # The return path afterwards neither completes the order nor refunds a second time, nor says thank you.
    assert shop.come_back(intent.id).status_code == 302
    assert shop.order.status is S.CANCELLED and len(shop.payments()[0].refunds) == 1
    assert shop.flashes()[-1] == ("info", "The order is cancelled. Any payment is refunded to your card.")


def test_the_return_path_refunds_a_payment_that_succeeded_after_the_order_expired(shop, ls, app):
    intent = shop.pay(ls.payment_method(CARD_3DS))
    later = utcnow() + timedelta(minutes=app.config["RESERVATION_MINUTES"] + 1)
    orders.expire_unpaid_orders(shop.session, now=later)
    shop.session.commit()
    ls.authenticate(intent.id, success=True)

    response = shop.come_back(intent.id)

    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{shop.number}"
    assert shop.flashes()[-1] == ("info", "The order is cancelled. Any payment is refunded to your card.")
    order = shop.order
    assert order.status is S.CANCELLED and shop.declarations() == []
    (payment,) = shop.payments()
    assert payment.refunded_amount == payment.amount and len(payment.refunds) == 1
    # …and Stripe's webhook arriving afterwards refunds nothing more.
    payload, headers = ls.intent_event(intent.id)
    assert shop.client.post(WEBHOOK, data=payload, headers=headers).status_code == 200
    assert len(shop.payments()[0].refunds) == 1


def test_a_second_payment_that_succeeds_after_the_order_was_paid_is_refunded(shop, ls):
    pending = shop.pay(ls.payment_method(CARD_3DS))  # the shopper leaves 3-D Secure open…
    paid = shop.pay(ls.payment_method(CARD_OK))  # …pays with another card…
    _assert_paid_once(shop, paid.id)

    ls.authenticate(pending.id, success=True)  # …and then completes the first one too
    payload, headers = ls.intent_event(pending.id)
    assert shop.client.post(WEBHOOK, data=payload, headers=headers).status_code == 200
    shop.come_back(pending.id)

    _assert_paid_once(shop, paid.id)
    first, second = shop.payments()
    assert (first.intent_id, second.intent_id) == (pending.id, paid.id)
    assert first.refunded_amount == first.amount and len(first.refunds) == 1  # the double charge went back
    assert ls.client.v1.refunds.retrieve(first.refunds[0].refund_id).payment_intent == pending.id
    assert second.refunded_amount == D("0.00") and second.refunds == []


def test_every_refund_request_has_its_own_idempotency_key(shop, ls, monkeypatch):
    """Stripe answers a reused key with the first request's result (or an error): it must never repeat."""
    from shop.payments.gateway import StripeGateway

    keys = []
    real_refund = StripeGateway.refund

    def spy(self, *, intent_id, amount, key):
        keys.append(key)
        return real_refund(self, intent_id=intent_id, amount=amount, key=key)

    monkeypatch.setattr(StripeGateway, "refund", spy)
    late = shop.pay(ls.payment_method(CARD_3DS))
    shop.pay(ls.payment_method(CARD_OK))
    payments.cancel_order(shop.session, shop.order, actor_id=None, source="staff", reason="cancelled")
    shop.session.commit()
    ls.authenticate(late.id, success=True)  # the open payment succeeds after the cancellation
    payload, headers = ls.intent_event(late.id)
    assert shop.client.post(WEBHOOK, data=payload, headers=headers).status_code == 200

    assert len(keys) == 2 and len(set(keys)) == 2
    assert all(p.refunded_amount == p.amount for p in shop.payments())
    assert shop.order.status is S.CANCELLED


def test_an_expired_order_cannot_be_paid(shop, ls, app):
    later = utcnow() + timedelta(minutes=app.config["RESERVATION_MINUTES"] + 1)

    with pytest.raises(payments.OrderNotPayable):
        payments.pay_with_card(shop.session, shop.order, card=ls.payment_method(CARD_OK), gateway=gateway(),
                               now=later)
    shop.session.rollback()

    assert shop.payments() == []


# --- at the same moment, on a database of its own ---------------------------------------------------


def test_webhook_and_return_path_at_the_same_moment_complete_once_and_refund_nothing(tmp_path, localstripe_server):
    """Two requests for one payment, each with its own connection, released together (real concurrency on
    PostgreSQL; SQLite serialises them)."""
    stripe_ = localstripe_server
    with fresh_database(tmp_path, "twice") as url:
        command.upgrade(alembic_config(url), "head")
        app = create_app({"TESTING": True, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media"),
                          "SECRET_KEY": "twice-secret"})
        point_app_at(app, stripe_)
        try:
            with app.test_request_context("/", headers={"Cookie": "locale=en"}):
                user = factories.user(db.session)
                order = place(db.session, user, [(stocked(db.session, 3, price=D("300.00")), 1)])
                pending = payments.pay_with_card(db.session, order, card=stripe_.payment_method(CARD_3DS),
                                                 gateway=gateway(), now=utcnow())
                db.session.commit()
                order_id = order.id
                db.session.remove()
            stripe_.authenticate(pending.id, success=True)

            barrier = threading.Barrier(2, timeout=10)
            results, errors = [], []

            def complete(source: str) -> None:
                with app.test_request_context("/", headers={"Cookie": "locale=en"}):
                    try:
                        intent = gateway().retrieve(pending.id)
                        if db.engine.dialect.name != "sqlite":
                            # Both read the payment before either commits (as complete_payment's first query
                            # can). On SQLite that read would take the write lock and the other thread could
                            # never reach the barrier; there the transactions run one after the other anyway.
                            db.session.scalar(select(Payment).where(Payment.intent_id == pending.id))
                        barrier.wait()
                        results.append(payments.complete_payment(db.session, intent, source=source))
                        db.session.commit()
                    except Exception as exc:  # reported below
                        errors.append(exc)
                    finally:
                        db.session.remove()

            threads = [threading.Thread(target=complete, args=(source,)) for source in ("stripe", "shop")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=20)

            assert errors == [] and sorted(results) == [False, True]
            with app.app_context():
                assert db.session.get(Order, order_id).status is S.PAID
                assert db.session.scalar(select(func.count(Refund.id))) == 0
                assert db.session.scalar(select(func.count(Declaration.id))) == 1
                changes = db.session.scalars(select(OrderEvent).where(OrderEvent.to_status == S.PAID)).all()
                assert len(changes) == 1
                db.session.remove()
        finally:
            app.extensions["db_engine"].dispose()


# --- localstripe delivering the webhook itself -----------------------------------------------------


def test_localstripe_delivers_the_webhook_and_the_order_is_paid_without_the_return_path(tmp_path):
    """The shop served on a real loopback port, with its own database and its own localstripe."""
    with fresh_database(tmp_path, "webhook") as url, running_localstripe() as base:
        command.upgrade(alembic_config(url), "head")
        stripe_ = LocalStripe(base)
        live = create_app({"TESTING": True, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media"),
                           "SECRET_KEY": "webhook-test", "WTF_CSRF_ENABLED": False})
        point_app_at(live, stripe_)
        server = make_server("127.0.0.1", 0, live, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            stripe_.register_webhook("test", f"http://127.0.0.1:{server.server_port}{WEBHOOK}")
            with live.test_request_context("/", headers={"Cookie": "locale=en"}):
                user = factories.user(db.session)
                product = stocked(db.session, 3, price=D("300.00"))
                order = place(db.session, user, [(product, 1)])
                intent = payments.pay_with_card(db.session, order, card=stripe_.payment_method(CARD_3DS),
                                                gateway=gateway(), now=utcnow())
                db.session.commit()
                order_id = order.id
                assert intent.status == "requires_action"

                stripe_.authenticate(intent.id, success=True)  # Stripe posts payment_intent.succeeded ~1 s later
                db.session.remove()
                deadline = time.monotonic() + 10
                while True:
                    status = db.session.get(Order, order_id).status
                    db.session.remove()  # never hold a transaction (on SQLite: the write lock) while waiting
                    if status is S.PAID or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)

                assert status is S.PAID
                db.session.remove()
                assert db.session.scalar(select(func.count(Declaration.id))) == 1
                (event,) = db.session.scalars(select(OrderEvent).where(OrderEvent.to_status == S.PAID)).all()
                assert event.source == "stripe"
                assert db.session.scalars(select(StripeEvent.type)).all().count("payment_intent.succeeded") == 1
                db.session.remove()
        finally:
            server.shutdown()
            thread.join(timeout=5)
            server.server_close()
            live.extensions["db_engine"].dispose()
