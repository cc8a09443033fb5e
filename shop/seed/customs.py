"""`seed_customs`: demo orders in every customs state, so that a new clerk sees a realistic workspace.

Orders are placed, paid (through the payment gateway, with Stripe's test card), declared and answered by
customs through the same services as real ones: the receipts are CEB622 files built by the customs simulator
(shop/customs/sandbox.py) and imported as the clerk would import them. A few receipts are left waiting in the
inbox folder, for the clerk to import and see orders released.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.accounts.models import User
from shop.cart.quote import FreightRule
from shop.catalog.models import Product
from shop.customs import declare, sandbox
from shop.customs.messages import CustomsCodes
from shop.customs.models import Declaration
from shop.customs.receipts import import_data
from shop.orders import fulfilment
from shop.orders import services as orders
from shop.payments import services as payments

# Test ID numbers from the customs reference: valid check characters, nobody's real numbers.
BUYERS = [
    orders.Buyer(name="林晓雨", id_number="360426199101010071", phone="13812345678"),
    orders.Buyer(name="王小明", id_number="120103198806018241", phone="13900001111"),
    orders.Buyer(name="周颖", id_number="11010519491231002X", phone="13722223333"),
]
CONSIGNEES = [
    orders.Consignee(name="林晓雨", phone="13812345678", division_code="220102", province="吉林省", city="长春市",
                     district="南关区", street="人民大街 5888 号 2 栋 1 单元 302"),
    orders.Consignee(name="王小明", phone="13900001111", division_code="220104", province="吉林省", city="长春市",
                     district="朝阳区", street="西民主大街 66 号"),
    orders.Consignee(name="周颖", phone="13722223333", division_code="220184", province="吉林省", city="长春市",
                     district="公主岭市", street="铁北大街 12 号"),
]
# (SKU, units) baskets, small enough that no buyer nears the annual limit.
BASKETS = [
    [("GB-MP-001", 2)], [("GB-WN-001", 1), ("GB-CH-001", 3)], [("GB-SK-001", 1)], [("GB-HS-001", 2)],
    [("GB-MP-002", 1), ("GB-SW-001", 2)], [("GB-NT-001", 2)], [("GB-BC-001", 2)], [("GB-WN-002", 1)],
]


@dataclass(frozen=True)
class Plan:
    """One demo order: where customs has got with it, and what happens after release."""

    receipts: tuple[str, ...]  # returnStatus codes, in the order customs sends them
    days_ago: int
    declare: bool = True
    tax_bill: bool = False
    ship: bool = False
    deliver: bool = False
    inbox: tuple[str, ...] = ()  # receipts left in the inbox folder for the clerk to import
    cancel: bool = False  # the shopper cancels before it is declared (refunded)


PLANS = [
    Plan((), 0, declare=False), Plan((), 0, declare=False), Plan((), 1, declare=False),
    Plan(("2", "3"), 1),
    Plan(("2", "3", "120"), 1, inbox=("399", "800")),
    Plan(("2", "3", "120"), 2, inbox=("399", "800")),
    Plan(("2", "3", "120", "300"), 2),
    Plan(("2", "3", "120", "399"), 3),
    Plan(("2", "3", "120", "399", "500"), 3),
    Plan(("2", "3", "120", "399", "502"), 4),
    Plan(("2", "3", "120", "399", "800"), 4, tax_bill=True),
    Plan(("2", "3", "120", "399", "800"), 5),
    Plan(("2", "3", "120", "399", "800"), 6, tax_bill=True, ship=True),
    Plan(("2", "3", "120", "399", "800"), 9, tax_bill=True, ship=True, deliver=True),
    Plan(("2", "3", "120", "399", "800", "899"), 12, tax_bill=True, ship=True, deliver=True),
    Plan(("2", "3", "120", "399", "800", "899"), 20, tax_bill=True, ship=True, deliver=True),
    Plan(("2", "3", "120", "399", "800", "899"), 35, tax_bill=True, ship=True, deliver=True),
    Plan(("2", "3", "-621001"), 2),  # an error the clerk can put right and declare again
    Plan(("2", "3", "100"), 7),  # rejected: stock released, payment refunded
    Plan((), 8, declare=False, cancel=True),  # cancelled by the shopper before declaring: refunded
]


@dataclass
class CustomsSeedReport:
    orders: int = 0
    declared: int = 0
    receipts: int = 0
    inbox_files: int = 0
    skipped: str = ""

    def summary(self) -> str:
        if self.skipped:
            return f"Customs demo orders: {self.skipped}"
        return (f"Created {self.orders} demo orders ({self.declared} declared, {self.receipts} customs receipts "
                f"imported, {self.inbox_files} receipt files waiting in the inbox).")


def seed_customs(session: Session, *, config: Mapping, gateway, freight: FreightRule, tz: ZoneInfo,
                 now: datetime) -> CustomsSeedReport:
    """Demo orders in every customs state; nothing when any declaration exists already. Flushes and commits
    as it goes (declaring publishes its messages on commit)."""
    report = CustomsSeedReport()
    if session.scalar(select(Declaration.id).limit(1)) is not None:
        report.skipped = "declarations exist already: nothing was added."
        return report
    if not getattr(gateway, "local", False) and not str(config.get("STRIPE_SECRET_KEY", "")).startswith("sk_test_"):
        report.skipped = "skipped: demo payments need localstripe or Stripe test keys."
        return report
    shopper = session.scalar(select(User).where(User.email == "shopper@globalbuy.example"))
    products = {p.sku: p for p in session.scalars(
        select(Product).where(Product.sku.in_({sku for basket in BASKETS for sku, _ in basket})))}
    codes = CustomsCodes.from_config(config)
    from shop.customs.signing import signer_from_config

    signer = signer_from_config(config)
    card = gateway.test_card()
    inbox = Path(config["CUSTOMS_INBOX"])
    for index, plan in enumerate(PLANS):
        placed_at = now - timedelta(days=plan.days_ago, hours=3 + index % 5, minutes=7 * index)
        who = index % len(BUYERS)
        items = [(products[sku], units) for sku, units in BASKETS[index % len(BASKETS)] if sku in products]
        order = orders.place_order(
            session, user=shopper, items=items, buyer=BUYERS[who], consignee=CONSIGNEES[who], freight_rule=freight,
            now=placed_at, near_expiry_days=int(config.get("NEAR_EXPIRY_DAYS", 30)), reservation_minutes=30, tz=tz)
        payments.pay_with_card(session, order, card=card, gateway=gateway, now=placed_at + timedelta(minutes=2))
        declaration = session.scalar(select(Declaration).where(Declaration.order_id == order.id))
        declaration.created_at = placed_at + timedelta(minutes=2)
        report.orders += 1
        if plan.cancel:
            payments.cancel_order(session, order, actor_id=shopper.id, source="shopper",
                                  reason="changed my mind", now=placed_at + timedelta(hours=1))
        if not plan.declare:
            session.commit()
            continue
        declared_at = placed_at + timedelta(minutes=40)
        declare.declare(session, [declaration.id], codes=codes, signer=signer, out_dir=config["CUSTOMS_OUTBOX"],
                        waybill_prefix=config["CUSTOMS_WAYBILL_PREFIX"], actor_id=None, now=declared_at)
        report.declared += 1
        at = declared_at
        for code in plan.receipts:
            at += timedelta(minutes=25)
            data = sandbox.inventory_receipts([sandbox.Answer(declaration, code, at)], codes)
            report.receipts += import_data(session, f"CEB622_demo_{order.number}_{code}.xml", data, now=at).recorded
        if plan.tax_bill:
            at += timedelta(hours=2)
            data = sandbox.tax_bill(declaration, at, codes)
            report.receipts += import_data(session, f"CEB816_demo_{order.number}.xml", data, now=at).recorded
        if plan.ship:
            fulfilment.ship(session, order, carrier="", waybill_no="", package_weight_kg=Decimal("1.8"),
                            actor_id=None, now=at + timedelta(hours=3))
        if plan.deliver:
            fulfilment.mark_delivered(session, order, actor_id=None, now=at + timedelta(days=2))
        for code in plan.inbox:
            at += timedelta(hours=1)
            inbox.mkdir(parents=True, exist_ok=True)
            (inbox / f"CEB622_{order.number}_{code}.xml").write_bytes(
                sandbox.inventory_receipts([sandbox.Answer(declaration, code, at)], codes))
            report.inbox_files += 1
        session.commit()
    return report
