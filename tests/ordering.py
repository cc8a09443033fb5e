"""Helpers for tests that place orders through the services (no pages): buyers, stocked products, `place`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from shop.cart.quote import FreightRule
from shop.db import utcnow
from shop.inventory import reservations
from shop.orders import services
from shop.orders.models import Order, OrderStatus
from tests import factories

# Valid test ID numbers (CBEC-RULES §3): never a real person's.
ID_A = "360426199101010071"
ID_B = "120103198806018241"
ID_C = "110101202311012176"
ID_X = "11010519491231002X"

FREIGHT = FreightRule(fee=Decimal("10.00"), free_over=Decimal("399.00"))
NO_FREIGHT = FreightRule(fee=Decimal("0"), free_over=Decimal("0"))


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def shop_today():
    """Today in the shop's time zone (what place_order compares best-before dates with)."""
    return utcnow().astimezone(tz()).date()


def buyer(id_number: str = ID_A, name: str = "张三", phone: str = "13812345678") -> services.Buyer:
    return services.Buyer(name=name, id_number=id_number, phone=phone)


def consignee(name: str = "李四", phone: str = "13987654321") -> services.Consignee:
    return services.Consignee(name=name, phone=phone, division_code="220102", province="吉林省", city="长春市",
                              district="南关区", street="人民大街 1 号")


def stocked(session, quantity: int = 50, **kw):
    """A product on sale with one lot of `quantity` units a year from expiry."""
    product = factories.product(session, **kw)
    factories.lot(session, product, quantity)
    return product


def place(session, user, items, *, who: services.Buyer | None = None, now: datetime | None = None,
          freight: FreightRule = FREIGHT, near_expiry_days: int | None = None,
          reservation_minutes: int | None = None) -> Order:
    """place_order with the app's settings; `items` is [(product, quantity), …]."""
    cfg = current_app.config
    return services.place_order(
        session, user=user, items=list(items), buyer=who or buyer(), consignee=consignee(), freight_rule=freight,
        now=now or utcnow(), tz=tz(),
        near_expiry_days=cfg["NEAR_EXPIRY_DAYS"] if near_expiry_days is None else near_expiry_days,
        reservation_minutes=cfg["RESERVATION_MINUTES"] if reservation_minutes is None else reservation_minutes,
    )


def mark_paid(session, order: Order, *, now: datetime | None = None) -> Order:
    """Paid without Stripe (for tests about quotas and statuses, not about payments)."""
    services.change_status(session, order, OrderStatus.PAID, now=now or order.created_at, source="system",
                           reason="paid (test)")
    reservations.commit(services.order_reservations(session, order))
    session.flush()
    return order


def paid_and_pending_declaration(session, app, *, who: services.Buyer | None = None, status=None,
                                 item_record_no: str = "IR-MILK-1", waybill: bool = False, created_at=None):
    """A paid order (2 units of milk powder) with its succeeded payment record and its declaration, committed,
    as checkout leaves them; `waybill` gives it a carrier's number too. Returns ids and the order number."""
    from types import SimpleNamespace

    from shop.customs.models import Declaration, DeclarationStatus
    from shop.payments.models import Payment

    user = factories.user(session)
    product = stocked(session, item_record_no=item_record_no, barcode="9421902960017")
    with app.test_request_context():
        order = place(session, user, [(product, 2)], who=who)
    mark_paid(session, order)
    session.add(Payment(order_id=order.id, intent_id=f"pi_{order.number}", status="succeeded",
                        amount=order.actual_paid, payer_name=order.buyer_name, payer_id_masked=order.buyer_id_masked,
                        succeeded_at=utcnow()))
    if waybill:
        order.carrier, order.waybill_no = "吉林速达", f"JLSD{order.number}"
    declaration = Declaration(order_id=order.id, cop_no=order.number, status=status or DeclarationStatus.PENDING)
    if created_at is not None:
        declaration.created_at = created_at
    session.add(declaration)
    session.commit()
    return SimpleNamespace(id=declaration.id, number=order.number, order_id=order.id)
