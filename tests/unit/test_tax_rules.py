"""The tax and limit rules, with the worked examples of the customs reference (CBEC rules §4–§5)."""

from decimal import Decimal as D

import pytest

from shop.catalog.models import ConsumptionTaxCategory as CT
from shop.catalog.models import NetContentUnit as U
from shop.customs import rules


@pytest.mark.parametrize(
    ("value", "vat", "ct", "want_ct", "want_vat", "want_total"),
    [
        (D("310.00"), D("0.13"), D("0"), D("0.00"), D("28.21"), D("28.21")),  # milk powder 300 + 10 freight
        (D("100.00"), D("0.09"), D("0"), D("0.00"), D("6.30"), D("6.30")),  # a 9% item
        (D("299.00"), D("0.13"), D("0.10"), D("23.26"), D("30.23"), D("53.49")),  # wine 750 ml
        (D("800.00"), D("0.13"), D("0.15"), D("98.82"), D("85.65"), D("184.47")),  # high-end serum 50 ml
    ],
)
def test_worked_examples_within_limits(value, vat, ct, want_ct, want_vat, want_total):
    tax = rules.line_tax(value, vat, ct, tariff_rate=D("0.15"))
    assert tax.customs_duty == D("0.00")  # tariff is 0 within the limits, whatever the product's rate
    assert tax.consumption_tax == want_ct
    assert tax.vat == want_vat
    assert tax.total == want_total


def test_worked_example_watch_over_limit_full_tax():
    tax = rules.line_tax(D("12000.00"), D("0.13"), D("0.20"), D("0.10"), full_tax=True)
    assert tax.customs_duty == D("1200.00")
    assert tax.consumption_tax == D("3300.00")
    assert tax.vat == D("2145.00")
    assert tax.total == D("6645.00")


def test_each_tax_rounded_once_from_full_precision():
    # CT_full = 0.05/0.9*0.1 = 0.005555…; 70% = 0.003888… -> 0.00. Rounding CT_full first (0.01) would give 0.01.
    tax = rules.line_tax(D("0.05"), D("0.13"), D("0.10"), D("0"))
    assert tax.consumption_tax == D("0.00")
    # VAT uses the unrounded CT_full: (0.05 + 0.0055…) × 0.13 × 0.7 = 0.00505… -> 0.01
    assert tax.vat == D("0.01")


def test_half_up_rounding():
    assert rules.line_tax(D("2.50"), D("0.13"), D("0"), D("0")).vat == D("0.23")  # 0.2275 -> 0.23
    assert rules.line_tax(D("0.50"), D("0.13"), D("0"), D("0")).vat == D("0.05")  # 0.0455 -> 0.05


def test_effective_rate():
    assert rules.effective_rate(D("0.13"), D("0")) == D("0.091")
    assert rules.effective_rate(D("0.13"), D("0.10")).quantize(D("0.0001")) == D("0.1789")


@pytest.mark.parametrize(
    ("category", "unit_value", "content", "unit", "rate"),
    [
        (CT.COSMETICS, D("800"), D("50"), U.ML, D("0.15")),  # 16 CNY/ml: high-end
        (CT.COSMETICS, D("500"), D("50"), U.ML, D("0.15")),  # exactly 10 CNY/ml: high-end
        (CT.COSMETICS, D("499.99"), D("50"), U.ML, D("0")),  # just under the line
        (CT.COSMETICS, D("200"), D("100"), U.G, D("0")),  # 2 CNY/g
        (CT.COSMETICS, D("15"), D("1"), U.PIECE, D("0.15")),  # 15 CNY per piece
        (CT.COSMETICS, D("14.99"), D("1"), U.PIECE, D("0")),
        (CT.WATCH, D("10000"), D("1"), U.PIECE, D("0.20")),
        (CT.WATCH, D("9999.99"), D("1"), U.PIECE, D("0")),
        (CT.WINE, D("10"), D("750"), U.ML, D("0.10")),
        (CT.NONE, D("300"), D("800"), U.G, D("0")),
        (CT.JEWELLERY_5, D("300"), D("1"), U.PIECE, D("0.05")),
        (CT.GOLF, D("300"), D("1"), U.PIECE, D("0.10")),
    ],
)
def test_consumption_tax_rate(category, unit_value, content, unit, rate):
    assert rules.consumption_tax_rate(category, unit_value, content, unit) == rate


def test_allocate_shares_add_up_and_last_takes_remainder():
    shares = rules.allocate(D("10.00"), [D("100.00"), D("100.00"), D("100.00")])
    assert shares == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(shares) == D("10.00")


def test_allocate_rounds_half_up_and_handles_zero_weights():
    assert rules.allocate(D("0.05"), [D("1"), D("1")]) == [D("0.03"), D("0.02")]  # 0.025 -> 0.03
    assert rules.allocate(D("5.00"), [D("0"), D("0")]) == [D("0.00"), D("5.00")]
    assert rules.allocate(D("5.00"), []) == []


@pytest.mark.parametrize(
    ("value", "quantities", "within", "full_tax", "over_by"),
    [
        (D("5000.00"), [2], True, False, D("0.00")),  # exactly the limit is within it
        (D("5000.01"), [2], False, False, D("0.01")),
        (D("5000.01"), [1, 1], False, False, D("0.01")),  # two products, one unit each: refused
        (D("12000.00"), [1], False, True, D("7000.00")),  # one unit of one product: full tax
        (D("310.00"), [1], True, False, D("0.00")),
    ],
)
def test_single_order_verdict(value, quantities, within, full_tax, over_by):
    verdict = rules.single_order_verdict(value, quantities)
    assert verdict.within_limit is within
    assert verdict.full_tax_single_item is full_tax
    assert verdict.allowed is (within or full_tax)
    assert verdict.over_by == over_by


def test_annual_verdict():
    v = rules.annual_verdict(D("25000.00"), D("1000.00"))
    assert v.allowed and v.remaining == D("1000.00") and v.over_by == D("0.00")
    v = rules.annual_verdict(D("25000.00"), D("1000.01"))
    assert not v.allowed and v.over_by == D("0.01")
    v = rules.annual_verdict(D("27000.00"), D("1.00"))
    assert v.remaining == D("0.00") and not v.allowed
