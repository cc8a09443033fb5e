"""The one module that talks to Stripe (official `stripe` library, pinned).

Amounts cross this boundary as Decimal yuan and become integer fen only here. Stripe's errors become the
shop's own: `CardDeclined` carries a message the shopper may see; `PaymentUnavailable` is for staff and logs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

import stripe
from flask import current_app

from shop.money import from_fen, to_fen

STRIPE_API = "https://api.stripe.com"


class PaymentError(Exception):
    pass


class CardDeclined(PaymentError):
    """The card was refused; `decline_code` is Stripe's reason (card_declined, insufficient_funds, …)."""

    def __init__(self, decline_code: str, intent_id: str | None = None):
        super().__init__(decline_code)
        self.decline_code = decline_code
        self.intent_id = intent_id


class PaymentUnavailable(PaymentError):
    """Stripe could not be reached or refused the request: a problem for staff, not the shopper's card."""


class BadSignature(PaymentError):
    pass


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # succeeded, requires_action, requires_payment_method, processing, canceled …
    amount: Decimal
    currency: str
    client_secret: str | None
    charge_id: str | None
    metadata: dict

    @classmethod
    def from_stripe(cls, pi) -> Intent:
        charge = getattr(pi, "latest_charge", None)
        # localstripe expands latest_charge into an object; Stripe gives its id.
        charge_id = charge if isinstance(charge, str) or charge is None else charge.id
        metadata = pi.metadata.to_dict() if getattr(pi, "metadata", None) else {}
        return cls(id=pi.id, status=pi.status, amount=from_fen(pi.amount), currency=pi.currency.upper(),
                   client_secret=getattr(pi, "client_secret", None), charge_id=charge_id, metadata=metadata)


def _pay_key(order_number: str, attempt: int, card: str) -> str:
    """Retrying the same request is safe; a new card is a new request. (A declined attempt that Stripe did not
    tie to a PaymentIntent leaves no record here, so the attempt number alone could repeat with another card,
    which Stripe refuses as a reused key.)"""
    return f"{order_number}-pay-{attempt}-{hashlib.sha256(card.encode()).hexdigest()[:12]}"


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str, webhook_secret: str):
        self.local = api_base.rstrip("/") != STRIPE_API
        # localstripe answers calls it does not support with HTTP 500, which the client would retry.
        self.client = stripe.StripeClient(secret_key, base_addresses={"api": api_base},
                                          max_network_retries=0 if self.local else 2)
        self.webhook_secret = webhook_secret

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.CardError as exc:
            error = getattr(exc, "error", None)
            intent = getattr(error, "payment_intent", None) if error else None
            raise CardDeclined(exc.code or "card_declined", getattr(intent, "id", None)) from exc
        except stripe.StripeError as exc:
            current_app.logger.error("Stripe request failed: %s", exc)
            raise PaymentUnavailable(str(exc)) from exc

    def pay_with_card(self, *, amount: Decimal, card: str, order_number: str, attempt: int) -> Intent:
        """Create and confirm a PaymentIntent in CNY with a card (a Stripe.js token's card id)."""
        params = {
            "amount": to_fen(amount),
            "currency": "cny",
            "payment_method": card,
            "confirm": True,
            "metadata": {"order_number": order_number},
        }
        pi = self._call(self.client.v1.payment_intents.create, params=params,
                        options={"idempotency_key": _pay_key(order_number, attempt, card)})
        return Intent.from_stripe(pi)

    def create_intent(self, *, amount: Decimal, order_number: str, key: str) -> Intent:
        """An unconfirmed PaymentIntent in CNY for a card, which the client confirms itself with Stripe's SDK
        (it gets the client secret); the webhook tells the shop how it ended. `key` is the request's idempotency
        key: a retried request gets the same intent back, not a second one."""
        params = {
            "amount": to_fen(amount),
            "currency": "cny",
            # Cards only, as on the pay page (real Stripe would otherwise offer whatever the account enables).
            "payment_method_types": ["card"],
            "metadata": {"order_number": order_number},
        }
        pi = self._call(self.client.v1.payment_intents.create, params=params, options={"idempotency_key": key})
        return Intent.from_stripe(pi)

    def test_card(self, number: str = "4242424242424242") -> str:
        """A PaymentMethod for one of Stripe's test cards, as Stripe.js would make it (demo data only: test
        keys and localstripe accept test cards, live keys refuse them)."""
        pm = self._call(self.client.v1.payment_methods.create, params={
            "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
        return pm.id

    def retrieve(self, intent_id: str) -> Intent:
        return Intent.from_stripe(self._call(self.client.v1.payment_intents.retrieve, intent_id))

    def cancel(self, intent_id: str) -> Intent:
        return Intent.from_stripe(self._call(self.client.v1.payment_intents.cancel, intent_id))

    def refund(self, *, intent_id: str, amount: Decimal, key: str) -> str:
        """Refund `amount` of a succeeded PaymentIntent; returns the refund id."""
        refund = self._call(self.client.v1.refunds.create,
                            params={"payment_intent": intent_id, "amount": to_fen(amount)},
                            options={"idempotency_key": key})
        return refund.id

    def parse_event(self, payload: bytes, signature: str | None):
        """Verify a webhook's Stripe-Signature and return the event."""
        try:
            return stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise BadSignature(str(exc)) from exc


def gateway() -> StripeGateway:
    """The gateway configured for the current app."""
    found = current_app.extensions.get("stripe_gateway")
    if found is None:
        cfg = current_app.config
        found = StripeGateway(cfg["STRIPE_SECRET_KEY"], cfg["STRIPE_API_BASE"], cfg["STRIPE_WEBHOOK_SECRET"])
        current_app.extensions["stripe_gateway"] = found
    return found
