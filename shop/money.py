"""Money is Decimal, quantized to the fen by this one helper; integer fen only at the Stripe gateway."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal | int | str) -> Decimal:
    """Round to 0.01 CNY, half up (the house rounding rule)."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Decimal yuan -> integer fen, for the payment gateway only."""
    return int(to_cents(amount).scaleb(2))


def from_fen(fen: int) -> Decimal:
    return to_cents(Decimal(int(fen)).scaleb(-2))


def format_cny(amount: Decimal | None) -> str:
    """¥1,234.00 — the same in both languages."""
    if amount is None:
        return ""
    value = to_cents(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
