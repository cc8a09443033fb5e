"""Helpers for the checkout, order and saved-buyer page tests: stocked goods, the checkout form, a stub gateway."""

from __future__ import annotations

import itertools
from decimal import Decimal

from sqlalchemy import select

from shop.customs.rules import ID_CHECK_CHARS, ID_WEIGHTS
from shop.orders.models import Order
from shop.payments.gateway import CardDeclined, Intent
from tests import factories
from tests.functional.helpers import add_to_cart, sign_in

ID_NUMBER = "360426199101010071"
ID_MASKED = "3604**********0071"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
CONSIGNEE_PHONE = "13987654321"
CONSIGNEE_PHONE_MASKED = "139****4321"
# 吉林省 › 长春市 › 南关区
PROVINCE, CITY, DISTRICT = "220000", "220100", "220102"


def id_number(first17: str) -> str:
    """An ID number with the right check character for its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK_CHARS[total % 11]


def stocked(session, quantity: int = 50, **kw):
    """A published product with `quantity` units on hand, committed."""
    product = factories.product(session, **kw)
    factories.lot(session, product, quantity)
    session.commit()
    return product


def shopper(session, client, **kw):
    """A new shopper, signed in on `client`."""
    user = factories.user(session, **kw)
    session.commit()
    assert sign_in(client, user.email).status_code == 302
    return user


def checkout_data(**overrides) -> dict:
    """The checkout form for a new buyer and a new address, every field filled in correctly."""
    data = {
        "identity": "0", "buyer_name": "林晓雨", "buyer_id_number": ID_NUMBER, "buyer_phone": PHONE,
        "save_identity": "y", "address": "0", "consignee_name": "林晓雨", "consignee_phone": CONSIGNEE_PHONE,
        "province": PROVINCE, "city": CITY, "district": DISTRICT, "street": "人民大街 1234 号",
        "save_address": "y", "buyer_is_payer": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def number_from(response) -> str:
    """The order number in the redirect to /orders/<number>/pay."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith("/orders/") and location.endswith("/pay"), location
    return location.split("/")[2]


def place_order(client, session, product=None, quantity: int = 1, **overrides) -> Order:
    """Put a product in the signed-in shopper's cart and check out; returns the order (awaiting payment)."""
    product = product or stocked(session)
    assert add_to_cart(client, product.sku, quantity).status_code == 302
    number = number_from(client.post("/checkout", data=checkout_data(**overrides)))
    return session.scalar(select(Order).where(Order.number == number))


def sign_in_as(client, user):
    assert sign_in(client, user.email).status_code == 302


class StubGateway:
    """Stands in for Stripe: every card succeeds, except those listed in `declines` or `needs_action`."""

    local = True
    _ids = itertools.count(1)

    def __init__(self):
        self.declines: set[str] = set()
        self.needs_action: set[str] = set()
        self.intents: dict[str, Intent] = {}
        self.refunds: list[tuple[str, Decimal]] = []
        self.cancelled: list[str] = []

    def _intent(self, status: str, amount: Decimal, order_number: str) -> Intent:
        n = next(self._ids)
        intent = Intent(id=f"pi_stub{n}", status=status, amount=amount, currency="CNY",
                        client_secret=f"pi_stub{n}_secret_x", charge_id=f"ch_stub{n}" if status == "succeeded" else None,
                        metadata={"order_number": order_number})
        self.intents[intent.id] = intent
        return intent

    def pay_with_card(self, *, amount, card, order_number, attempt):
        if card in self.declines:
            intent = self._intent("requires_payment_method", amount, order_number)
            raise CardDeclined("card_declined", intent.id)
        status = "requires_action" if card in self.needs_action else "succeeded"
        return self._intent(status, amount, order_number)

    def authenticate(self, intent_id: str, success: bool = True) -> None:
        """The shopper finishes (or fails) 3-D Secure in the browser."""
        intent = self.intents[intent_id]
        self.intents[intent_id] = Intent(
            id=intent.id, status="succeeded" if success else "requires_payment_method", amount=intent.amount,
            currency=intent.currency, client_secret=intent.client_secret,
            charge_id=f"ch_{intent.id}" if success else None, metadata=intent.metadata)

    def retrieve(self, intent_id):
        return self.intents[intent_id]

    def cancel(self, intent_id):
        self.cancelled.append(intent_id)
        return self.intents[intent_id]

    def refund(self, *, intent_id, amount, key):
        self.refunds.append((intent_id, amount))
        return f"re_stub{len(self.refunds)}"
