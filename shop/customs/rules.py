"""Cross-border retail import rules (CBEC-RULES.md §4–§5) as pure functions.

Nothing here touches the database, the request or the clock: every figure the shop shows or stores —
product page estimates, the cart, orders, customs documents, reports — comes from these functions,
so they all agree to the fen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shop.catalog.models import ConsumptionTaxCategory as CT
from shop.catalog.models import NetContentUnit
from shop.money import ZERO, to_cents

SINGLE_ORDER_LIMIT = Decimal("5000.00")
ANNUAL_LIMIT = Decimal("26000.00")
# Within the limits, import VAT and consumption tax are charged at 70% and the tariff at 0.
CBEC_TAX_SHARE = Decimal("0.7")

CONSUMPTION_TAX_RATES: dict[CT, Decimal] = {
    CT.NONE: Decimal("0"),
    CT.COSMETICS: Decimal("0.15"),
    CT.WATCH: Decimal("0.20"),
    CT.WINE: Decimal("0.10"),
    CT.JEWELLERY_5: Decimal("0.05"),
    CT.JEWELLERY_10: Decimal("0.10"),
    CT.GOLF: Decimal("0.10"),
}
HIGH_END_COSMETICS_PER_ML_OR_G = Decimal("10")
HIGH_END_COSMETICS_PER_PIECE = Decimal("15")
HIGH_END_WATCH = Decimal("10000")


def consumption_tax_rate(
    category: CT, unit_value: Decimal, net_content: Decimal, net_content_unit: NetContentUnit
) -> Decimal:
    """The ad-valorem consumption-tax rate for one unit of duty-paid value `unit_value`.

    Cosmetics are taxed only when high-end (>= 10 CNY per ml or g, >= 15 CNY per piece),
    watches only at >= 10,000 CNY each; the other categories always.
    """
    category = CT(category)
    if category is CT.COSMETICS:
        if net_content <= 0:
            raise ValueError("cosmetics need their net content to decide the high-end line")
        per_unit = unit_value / net_content
        line = (
            HIGH_END_COSMETICS_PER_PIECE
            if NetContentUnit(net_content_unit) is NetContentUnit.PIECE
            else HIGH_END_COSMETICS_PER_ML_OR_G
        )
        return CONSUMPTION_TAX_RATES[category] if per_unit >= line else Decimal("0")
    if category is CT.WATCH:
        return CONSUMPTION_TAX_RATES[category] if unit_value >= HIGH_END_WATCH else Decimal("0")
    return CONSUMPTION_TAX_RATES[category]


@dataclass(frozen=True)
class LineTax:
    customs_duty: Decimal
    consumption_tax: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.customs_duty + self.consumption_tax + self.vat


def line_tax(
    duty_paid_value: Decimal, vat_rate: Decimal, ct_rate: Decimal, tariff_rate: Decimal, *, full_tax: bool = False
) -> LineTax:
    """Tax on one order line (CBEC-RULES §5).

    Intermediate figures keep full precision; each tax kind is rounded once, half up, to the fen,
    after the 70% share (or in full for the single item over the order limit).
    """
    p = Decimal(duty_paid_value)
    v, c, t = Decimal(vat_rate), Decimal(ct_rate), Decimal(tariff_rate)
    if not (Decimal(0) <= c < 1):
        raise ValueError("consumption-tax rate must be in [0, 1)")
    if full_tax:
        tariff = p * t
        ct = (p + tariff) / (1 - c) * c
        vat = (p + tariff + ct) * v
        return LineTax(customs_duty=to_cents(tariff), consumption_tax=to_cents(ct), vat=to_cents(vat))
    ct_full = p / (1 - c) * c
    vat_full = (p + ct_full) * v
    return LineTax(
        customs_duty=ZERO,
        consumption_tax=to_cents(CBEC_TAX_SHARE * ct_full),
        vat=to_cents(CBEC_TAX_SHARE * vat_full),
    )


def effective_rate(vat_rate: Decimal, ct_rate: Decimal) -> Decimal:
    """(v + c) / (1 − c) × 70%: the combined rate within the limits, before rounding."""
    return (Decimal(vat_rate) + Decimal(ct_rate)) / (1 - Decimal(ct_rate)) * CBEC_TAX_SHARE


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share `total` across lines in proportion to `weights` (house rule).

    Every share but the last is rounded to 0.01 half up; the last takes the remainder, so the
    shares add up to `total` exactly.
    """
    if not weights:
        return []
    total = to_cents(total)
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        return [ZERO] * (len(weights) - 1) + [total]
    shares = [to_cents(total * w / whole) for w in weights[:-1]]
    shares.append(total - sum(shares, ZERO))
    return shares


@dataclass(frozen=True)
class SingleOrderVerdict:
    """The single-order limit verdict for a duty-paid value."""

    duty_paid_value: Decimal
    within_limit: bool  # at or under 5,000.00
    full_tax_single_item: bool  # over the limit, but exactly one unit of one product: full general taxes
    over_by: Decimal  # how far over 5,000.00 (0 when within)

    @property
    def allowed(self) -> bool:
        return self.within_limit or self.full_tax_single_item


def single_order_verdict(duty_paid_value: Decimal, line_quantities: Sequence[int]) -> SingleOrderVerdict:
    """Single order ≤ 5,000 CNY duty-paid; one unit of one product may exceed it with full tax."""
    value = to_cents(duty_paid_value)
    within = value <= SINGLE_ORDER_LIMIT
    single_item = len(line_quantities) == 1 and line_quantities[0] == 1
    return SingleOrderVerdict(
        duty_paid_value=value,
        within_limit=within,
        full_tax_single_item=(not within) and single_item,
        over_by=ZERO if within else value - SINGLE_ORDER_LIMIT,
    )


@dataclass(frozen=True)
class AnnualVerdict:
    used: Decimal
    remaining: Decimal
    allowed: bool
    over_by: Decimal


def annual_verdict(used_this_year: Decimal, order_value: Decimal) -> AnnualVerdict:
    """Annual ≤ 26,000 CNY per buyer ID per calendar year; an order that would cross it is refused."""
    used = to_cents(used_this_year)
    remaining = max(ANNUAL_LIMIT - used, ZERO)
    after = used + to_cents(order_value)
    return AnnualVerdict(
        used=used,
        remaining=remaining,
        allowed=after <= ANNUAL_LIMIT,
        over_by=max(after - ANNUAL_LIMIT, ZERO),
    )


# --- Resident ID numbers (GB 11643-1999) -----------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    """Why an ID number is refused: 'format', 'checksum' or 'birth_date'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def check_id_number(value: str, today) -> str:
    """Return the normalised 18-character ID number, or raise InvalidIdNumber.

    17 digits and a check character (`"10X98765432"[Σ digit×weight mod 11]`), with a real birth date
    (digits 7–14) that is not in the future.
    """
    from datetime import date

    number = normalise_id_number(value)
    # ASCII only: str.isdigit() also accepts full-width and other Unicode digits ("３", "²").
    if (len(number) != 18 or not number.isascii() or not number[:17].isdigit()
            or not (number[17].isdigit() or number[17] == "X")):
        raise InvalidIdNumber("format")
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK_CHARS[total % 11] != number[17]:
        raise InvalidIdNumber("checksum")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("birth_date") from exc
    if born > today or born.year < 1900:
        raise InvalidIdNumber("birth_date")
    return number


def mask_id_number(number: str) -> str:
    """2201**********123X: the first four and the last four characters only."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678"""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
