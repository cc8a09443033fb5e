"""The order's status transition table. Every change goes through `transition`."""

from __future__ import annotations

from shop.orders.models import OrderStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.DECLARED, S.CANCELLED}),
    S.DECLARED: frozenset({S.RELEASED, S.REJECTED, S.CANCELLED}),
    S.RELEASED: frozenset({S.SHIPPED, S.RETURNED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset({S.RETURNED}),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
    S.RETURNED: frozenset(),
}

# A shopper may cancel until customs releases the parcel.
CANCELLABLE = frozenset({S.AWAITING_PAYMENT, S.PAID, S.DECLARED})
# Money was taken: leaving these for cancelled or rejected means a refund.
PAID_STATES = frozenset({S.PAID, S.DECLARED, S.RELEASED, S.SHIPPED, S.DELIVERED})


class IllegalTransition(Exception):
    def __init__(self, current: S, target: S):
        super().__init__(f"an order cannot go from {current} to {target}")
        self.current, self.target = current, target


def check(current: S, target: S) -> bool:
    """True if the move is legal; False if it is a repeat (already there); raises if it is illegal."""
    if current == target:
        return False
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    return True
