"""Payment use cases: pay an order by card, complete it exactly once, handle webhooks, refund."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.customs.models import Declaration, DeclarationStatus
from shop.db import after_commit, after_rollback, utcnow
from shop.domain import DomainError
from shop.inventory import reservations
from shop.money import ZERO
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.orders.status import CANCELLABLE, PAID_STATES
from shop.payments.gateway import CardDeclined, Intent, PaymentUnavailable, StripeGateway
from shop.payments.models import Payment, Refund, StripeEvent

DECLINE_MESSAGES = {
    "insufficient_funds": _l("Your card has insufficient funds. Please use another card."),
    "expired_card": _l("Your card has expired. Please use another card."),
    "incorrect_cvc": _l("The card's security code is not correct."),
    "incorrect_number": _l("The card number is not correct."),
}
DEFAULT_DECLINE = _l("Your card was declined. No money was taken. Please try again or use another card.")


class PaymentRefused(DomainError):
    code = "payment_declined"


class OrderNotPayable(DomainError):
    code = "order_not_payable"


def decline_message(code: str):
    return DECLINE_MESSAGES.get(code, DEFAULT_DECLINE)


def _check_payable(order: Order, now: datetime) -> None:
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        raise OrderNotPayable(_l("This order is no longer awaiting payment."))
    if order.reserved_until is not None and order.reserved_until <= now:
        raise OrderNotPayable(_l("The time to pay this order is over and its goods were released. "
                                 "Please place the order again."))


def pay_with_card(session: Session, order: Order, *, card: str, gateway: StripeGateway, now: datetime) -> Intent:
    """Charge the order's amount to a card; completes the order when the payment succeeds at once.

    A declined card raises PaymentRefused with a message for the shopper; the order stays payable.
    A card that needs 3-D Secure returns an intent in `requires_action` for the browser to finish.
    """
    order = orders.lock_order(session, order.id)
    _check_payable(order, now)
    attempt = (session.scalar(select(func.count(Payment.id)).where(Payment.order_id == order.id)) or 0) + 1
    try:
        intent = gateway.pay_with_card(amount=order.actual_paid, card=card, order_number=order.number,
                                       attempt=attempt)
    except CardDeclined as exc:
        if exc.intent_id:
            _record(session, order, exc.intent_id, "requires_payment_method", failure=exc.decline_code)
        raise PaymentRefused(decline_message(exc.decline_code)) from exc
    _record(session, order, intent.id, intent.status)
    if intent.status == "succeeded":
        complete_payment(session, intent, source="shop", now=now)
    return intent


def open_intent_for_new_order(session: Session, order: Order, *, gateway: StripeGateway) -> Intent:
    """An unconfirmed PaymentIntent for an order being placed in this transaction, for a client that confirms it
    with Stripe's own SDK (the mobile apps); the webhook completes the order through `complete_payment`.

    Opened before the order's stock is reserved, so that no other order waits on its lots during the call to
    Stripe. No one else can see the order yet: there is no lock to take and no earlier attempt. Should the
    transaction not commit (the stock ran out meanwhile), the intent is cancelled; a client never saw its secret.
    Record it with `record_new_order_payment`."""
    # A key of this request's own: the number of an order that rolled back may be drawn again.
    intent = gateway.create_intent(amount=order.actual_paid, order_number=order.number,
                                   key=f"{order.number}-intent-{secrets.token_hex(8)}")
    after_rollback(session, lambda: _abandon(gateway, intent.id))
    return intent


def record_new_order_payment(session: Session, order: Order, intent: Intent) -> Payment:
    """The new order's payment row (it can have no other yet: no lookup)."""
    payment = _new_payment(session, order, intent.id, intent.status)
    session.flush()
    return payment


def _new_payment(session: Session, order: Order, intent_id: str, status: str) -> Payment:
    """A payment of the order's whole amount, by its buyer (customs: the buyer is the payer)."""
    payment = Payment(order_id=order.id, intent_id=intent_id, status=status, amount=order.actual_paid,
                      payer_name=order.buyer_name, payer_id_masked=order.buyer_id_masked)
    session.add(payment)
    return payment


def _abandon(gateway: StripeGateway, intent_id: str) -> None:
    try:
        gateway.cancel(intent_id)
    except PaymentUnavailable:  # an unconfirmed intent whose secret nobody has can take no money
        current_app.logger.warning("could not cancel the abandoned payment %s", intent_id)


def _record(session: Session, order: Order, intent_id: str, status: str, failure: str = "") -> Payment:
    payment = session.scalar(select(Payment).where(Payment.intent_id == intent_id))
    if payment is None:
        payment = _new_payment(session, order, intent_id, status)
    payment.status = status
    if failure:
        payment.failure_message = failure[:300]
    session.flush()
    return payment


def complete_payment(session: Session, intent: Intent, *, source: str, now: datetime | None = None) -> bool:
    """Complete the order of a succeeded PaymentIntent — exactly once, whoever calls first.

    The webhook and the shopper's return both call this. The order row is locked, and only an order still
    awaiting payment moves on; a repeat is a no-op. Returns True if this call completed the order.
    """
    now = now or utcnow()
    payment = session.scalar(select(Payment).where(Payment.intent_id == intent.id))
    if payment is None:
        order_id = session.scalar(select(Order.id).where(Order.number == intent.metadata.get("order_number")))
        if order_id is None:
            current_app.logger.warning("payment %s is for no known order", intent.id)
            return False
        order = orders.lock_order(session, order_id)
        payment = _record(session, order, intent.id, intent.status)
    else:
        order = orders.lock_order(session, payment.order_id)
        # Read it again under the order's lock: a concurrent call may just have completed or refunded it.
        session.refresh(payment)
    payment.status = intent.status
    payment.charge_id = intent.charge_id or payment.charge_id
    if intent.status != "succeeded":
        return False
    newly_succeeded = payment.succeeded_at is None
    if newly_succeeded:
        payment.succeeded_at = now
    if order.status is OrderStatus.CANCELLED and payment.refunded_amount == ZERO:
        # Paid after the order expired or was cancelled (a slow 3-D Secure, say): the money goes back.
        _refund(session, order, payment, intent.amount, reason="paid after the order was cancelled",
                actor_id=None)
        return False
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        if newly_succeeded and payment.refunded_amount == ZERO:
            # Another payment completed the order first (a 3-D Secure left open, then another card):
            # this second charge goes back. A repeat for the completing payment is not newly succeeded.
            _refund(session, order, payment, intent.amount, reason="the order was already paid",
                    actor_id=None)
        return False
    if intent.amount != order.actual_paid or intent.currency != "CNY":
        current_app.logger.error("payment %s is %s %s, order %s wants %s CNY", intent.id, intent.amount,
                                 intent.currency, order.number, order.actual_paid)
        return False
    orders.change_status(session, order, OrderStatus.PAID, now=now, source=source,
                         reason=f"payment {intent.id}")
    reservations.commit(orders.order_reservations(session, order))
    session.add(Declaration(order_id=order.id, cop_no=order.number, status=DeclarationStatus.PENDING))
    session.flush()
    from shop.jobs.queue import enqueue

    order_id = order.id
    # By a worker when Redis is configured, else right after the commit.
    after_commit(session, lambda: enqueue("orders.send_confirmation", order_id=order_id))
    return True


def record_failure(session: Session, intent: Intent, message: str) -> None:
    payment = session.scalar(select(Payment).where(Payment.intent_id == intent.id))
    if payment is not None:
        payment.status = intent.status
        payment.failure_message = (message or "")[:300]
        session.flush()


def handle_event(session: Session, event) -> str:
    """Act on a verified Stripe webhook event once; a repeated event id does nothing."""
    if session.get(StripeEvent, event.id) is not None:
        return "duplicate"
    try:
        with session.begin_nested():
            session.add(StripeEvent(id=event.id, type=event.type))
    except IntegrityError:  # the same event, delivered twice at once
        return "duplicate"
    if event.type == "payment_intent.succeeded":
        completed = complete_payment(session, Intent.from_stripe(event.data.object), source="stripe")
        return "completed" if completed else "already complete"
    if event.type in ("payment_intent.payment_failed", "payment_intent.canceled"):
        obj = event.data.object
        error = getattr(obj, "last_payment_error", None)
        record_failure(session, Intent.from_stripe(obj), getattr(error, "code", "") or event.type)
        return "recorded"
    return "ignored"


def refundable_payment(session: Session, order: Order) -> Payment | None:
    """The payment that paid the order and is not refunded in full yet.

    A duplicate charge (a 3-D Secure payment finished after another card paid) succeeded too, but it is
    refunded in full at once, so it is never the one to refund again.
    """
    return session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.succeeded_at.is_not(None),
                                                Payment.refunded_amount < Payment.amount)
                          .order_by(Payment.id))


def _refund(session: Session, order: Order, payment: Payment, amount: Decimal, *, reason: str,
            actor_id: int | None) -> Refund:
    from shop.payments.gateway import gateway

    number = len(payment.refunds) + 1
    # One key per refund of each payment: an order can have refunds on more than one payment.
    refund_id = gateway().refund(intent_id=payment.intent_id, amount=amount,
                                 key=f"{order.number}-{payment.intent_id}-refund-{number}")
    refund = Refund(payment=payment, refund_id=refund_id, amount=amount, reason=reason[:300], actor_id=actor_id)
    session.add(refund)
    payment.refunded_amount = payment.refunded_amount + amount
    session.add(OrderEvent(order=order, from_status=order.status, to_status=order.status, actor_id=actor_id,
                           source="stripe", reason=f"refunded {amount} CNY: {reason}"[:300]))
    session.flush()
    return refund


def refund_in_full(session: Session, order: Order, *, reason: str, actor_id: int | None = None) -> Refund | None:
    """Refund what was paid for an order and not yet refunded (through the Stripe gateway)."""
    payment = refundable_payment(session, order)
    if payment is None:
        return None
    remaining = payment.amount - payment.refunded_amount
    if remaining <= 0:
        return None
    return _refund(session, order, payment, remaining, reason=reason, actor_id=actor_id)


def refund_amount(session: Session, order: Order, amount: Decimal, *, reason: str,
                  actor_id: int | None = None) -> Refund | None:
    """Refund part of what was paid for an order (never more than is left to refund)."""
    payment = refundable_payment(session, order)
    if payment is None or amount <= 0:
        return None
    amount = min(amount, payment.amount - payment.refunded_amount)
    if amount <= 0:
        return None
    return _refund(session, order, payment, amount, reason=reason, actor_id=actor_id)


def cancel_order(session: Session, order: Order, *, actor_id: int | None, source: str, reason: str,
                 now: datetime | None = None) -> bool:
    """Cancel before customs releases the parcel: stock goes back, money goes back (if any was taken).

    Returns False when the order was already cancelled (a repeated request changes nothing).
    """
    now = now or utcnow()
    order = orders.lock_order(session, order.id)
    if order.status is OrderStatus.CANCELLED:
        return False
    if order.status not in CANCELLABLE:
        raise orders.NotCancellable(_l("Customs has already released this order, so it can no longer be "
                                       "cancelled. You can return it within 30 days of release."))
    was_paid = order.status in PAID_STATES
    orders.release_stock(session, order)
    orders.change_status(session, order, OrderStatus.CANCELLED, now=now, actor_id=actor_id, source=source,
                         reason=reason)
    declaration = session.scalar(select(Declaration).where(Declaration.order_id == order.id))
    if declaration is not None:
        declaration.status = DeclarationStatus.CANCELLED
    if was_paid:
        refund_in_full(session, order, reason=reason, actor_id=actor_id)
    else:
        _cancel_open_intents(session, order)
    return True


def _cancel_open_intents(session: Session, order: Order) -> None:
    """An unpaid order's pending PaymentIntents are cancelled with Stripe once the cancellation is saved."""
    from shop.payments.gateway import PaymentError, gateway

    open_ids = list(session.scalars(select(Payment.intent_id).where(
        Payment.order_id == order.id, Payment.status.in_(("requires_action", "requires_confirmation",
                                                          "requires_payment_method", "processing")))))
    if not open_ids:
        return
    gw = gateway()
    app = current_app._get_current_object()

    def cancel_all():
        with app.app_context():
            for intent_id in open_ids:
                try:
                    gw.cancel(intent_id)
                except PaymentError:
                    app.logger.warning("could not cancel payment %s of order %s", intent_id, order.number)

    after_commit(session, cancel_all)


def intent_ids(session: Session, order: Order) -> list[str]:
    return list(session.scalars(select(Payment.intent_id).where(Payment.order_id == order.id)))
