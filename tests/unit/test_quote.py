"""The quote: freight shares, per-line tax and totals under the house rules."""

from decimal import Decimal as D

from shop.cart.quote import FreightRule, QuoteItem, build_quote
from shop.catalog.models import ConsumptionTaxCategory as CT
from shop.catalog.models import NetContentUnit as U

NO_FREE = FreightRule(fee=D("10.00"), free_over=D("100000"))


def item(sku="A", qty=1, price="300.00", vat="0.13", ct=CT.NONE, tariff="0.15", content="800", unit=U.G):
    return QuoteItem(sku=sku, quantity=qty, unit_price=D(price), vat_rate=D(vat), consumption_tax_category=ct,
                     tariff_rate=D(tariff), net_content=D(content), net_content_unit=unit)


def test_milk_powder_with_freight():
    quote = build_quote([item()], NO_FREE)
    assert quote.goods_value == D("300.00")
    assert quote.freight == D("10.00")
    assert quote.duty_paid_value == D("310.00")
    assert quote.tax == D("28.21")
    assert quote.total == D("338.21")
    assert quote.limit.within_limit


def test_freight_shared_in_proportion_last_line_takes_remainder():
    quote = build_quote([item("A", 1, "100.00"), item("B", 1, "100.00"), item("C", 1, "100.00")], NO_FREE)
    assert [line.freight_share for line in quote.lines] == [D("3.33"), D("3.33"), D("3.34")]
    assert [line.duty_paid_value for line in quote.lines] == [D("103.33"), D("103.33"), D("103.34")]
    # Totals are sums of rounded line figures.
    assert quote.vat == sum(line.vat for line in quote.lines)
    assert quote.duty_paid_value == D("310.00")


def test_free_freight_threshold():
    rule = FreightRule(fee=D("10.00"), free_over=D("399.00"))
    assert build_quote([item(price="398.99")], rule).freight == D("10.00")
    assert build_quote([item(price="399.00")], rule).freight == D("0.00")


def test_high_end_line_decided_on_duty_paid_value_per_unit():
    serum = item("S", 1, "800.00", ct=CT.COSMETICS, content="50", unit=U.ML, tariff="0.03")
    quote = build_quote([serum], FreightRule(fee=D("0"), free_over=D("0")))
    assert quote.lines[0].consumption_tax_rate == D("0.15")
    assert quote.tax == D("184.47")


def test_wine_estimate():
    wine = item("W", 1, "299.00", ct=CT.WINE, content="750", unit=U.ML, tariff="0.14")
    quote = build_quote([wine], FreightRule(fee=D("0"), free_over=D("0")))
    assert (quote.consumption_tax, quote.vat, quote.tax) == (D("23.26"), D("30.23"), D("53.49"))


def test_single_watch_over_limit_pays_full_tax():
    watch = item("X", 1, "12000.00", ct=CT.WATCH, content="1", unit=U.PIECE, tariff="0.10")
    quote = build_quote([watch], FreightRule(fee=D("0"), free_over=D("0")))
    assert quote.limit.full_tax_single_item
    assert (quote.customs_duty, quote.consumption_tax, quote.vat) == (D("1200.00"), D("3300.00"), D("2145.00"))
    assert quote.total == D("18645.00")


def test_two_units_over_limit_refused():
    quote = build_quote([item(qty=2, price="2600.00")], NO_FREE)
    assert not quote.limit.allowed
    assert quote.limit.over_by == D("210.00")  # 5,200 + 10 freight − 5,000
