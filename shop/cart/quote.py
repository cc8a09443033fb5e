"""The quote for a set of items: goods, freight, insurance, tax per line and in total, limits.

Pure: it takes plain figures and returns plain figures. The cart page, the product page's estimate,
checkout and the API all call `build_quote`, so they show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.customs import rules
from shop.money import ZERO, to_cents


@dataclass(frozen=True)
class QuoteItem:
    sku: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    consumption_tax_category: ConsumptionTaxCategory
    tariff_rate: Decimal
    net_content: Decimal
    net_content_unit: NetContentUnit

    @classmethod
    def for_product(cls, product, quantity: int) -> QuoteItem:
        return cls(
            sku=product.sku,
            quantity=quantity,
            unit_price=product.price,
            vat_rate=product.vat_rate,
            consumption_tax_category=product.consumption_tax_category,
            tariff_rate=product.tariff_rate,
            net_content=product.net_content,
            net_content_unit=product.net_content_unit,
        )


@dataclass(frozen=True)
class FreightRule:
    """A flat fee per order, free at or above a goods value."""

    fee: Decimal
    free_over: Decimal
    insurance_rate: Decimal = ZERO

    def freight(self, goods_value: Decimal) -> Decimal:
        if goods_value <= 0 or goods_value >= self.free_over:
            return ZERO
        return to_cents(self.fee)

    def insurance(self, goods_value: Decimal) -> Decimal:
        return to_cents(goods_value * self.insurance_rate)


@dataclass(frozen=True)
class QuoteLine:
    item: QuoteItem
    goods_value: Decimal
    freight_share: Decimal
    duty_paid_value: Decimal
    consumption_tax_rate: Decimal
    customs_duty: Decimal
    consumption_tax: Decimal
    vat: Decimal

    @property
    def tax(self) -> Decimal:
        return self.customs_duty + self.consumption_tax + self.vat


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    goods_value: Decimal
    freight: Decimal
    insurance: Decimal
    discount: Decimal
    limit: rules.SingleOrderVerdict

    @property
    def duty_paid_value(self) -> Decimal:
        return self.goods_value + self.freight + self.insurance

    @property
    def customs_duty(self) -> Decimal:
        return sum((line.customs_duty for line in self.lines), ZERO)

    @property
    def consumption_tax(self) -> Decimal:
        return sum((line.consumption_tax for line in self.lines), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((line.vat for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal:
        return self.customs_duty + self.consumption_tax + self.vat

    @property
    def total(self) -> Decimal:
        """What the shopper pays: goods + freight + tax − discount (CEB311 acturalPaid)."""
        return self.goods_value + self.freight + self.tax - self.discount


def build_quote(items: Sequence[QuoteItem], freight_rule: FreightRule, discount: Decimal = ZERO) -> Quote:
    """Quote the items under the house rules: shares of freight, per-line tax, the single-order verdict."""
    goods = [to_cents(item.unit_price * item.quantity) for item in items]
    goods_value = sum(goods, ZERO)
    freight = freight_rule.freight(goods_value)
    insurance = freight_rule.insurance(goods_value)
    shares = rules.allocate(freight + insurance, goods)
    verdict = rules.single_order_verdict(goods_value + freight + insurance, [i.quantity for i in items])
    lines = []
    for item, line_goods, share in zip(items, goods, shares, strict=True):
        duty_paid = line_goods + share
        ct_rate = rules.consumption_tax_rate(
            item.consumption_tax_category, duty_paid / item.quantity, item.net_content, item.net_content_unit
        )
        tax = rules.line_tax(
            duty_paid, item.vat_rate, ct_rate, item.tariff_rate, full_tax=verdict.full_tax_single_item
        )
        lines.append(QuoteLine(
            item=item, goods_value=line_goods, freight_share=share, duty_paid_value=duty_paid,
            consumption_tax_rate=ct_rate, customs_duty=tax.customs_duty,
            consumption_tax=tax.consumption_tax, vat=tax.vat,
        ))
    return Quote(lines=tuple(lines), goods_value=goods_value, freight=freight, insurance=insurance,
                 discount=to_cents(discount), limit=verdict)


def estimate_for_product(product) -> Quote:
    """The product page's "price + estimated tax": one unit, before freight."""
    return build_quote([QuoteItem.for_product(product, 1)], FreightRule(fee=ZERO, free_over=ZERO))
