"""Order use cases: place an order within the customs rules, move it through its statuses, cancel, expire."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop import security
from shop.accounts.models import User
from shop.cart.quote import FreightRule, QuoteItem, build_quote
from shop.catalog.models import Product
from shop.customs import rules
from shop.db import db, literal_int, utcnow
from shop.domain import DomainError, InvalidQuantity, NotForSale, OutOfStock
from shop.inventory import reservations
from shop.inventory.services import sale_cutoff
from shop.money import ZERO, format_cny
from shop.orders import status as transitions
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus, StockReservation
from shop.templating import localized

# Orders that hold part of the buyer's annual quota: paid and not cancelled, rejected or returned — and,
# so that two unpaid orders cannot together cross the limit, unpaid orders still holding their stock.
QUOTA_STATES = (OrderStatus.PAID, OrderStatus.DECLARED, OrderStatus.RELEASED, OrderStatus.SHIPPED,
                OrderStatus.DELIVERED)


class SingleOrderLimitExceeded(DomainError):
    code = "single_order_limit_exceeded"


class AnnualLimitExceeded(DomainError):
    code = "annual_limit_exceeded"


class InvalidIdNumber(DomainError):
    code = "invalid_id_number"


class EmptyOrder(DomainError):
    code = "empty_order"


class NotCancellable(DomainError):
    code = "not_cancellable"


ID_MESSAGES = {
    "format": _l("A resident ID number has 18 characters: 17 digits and a final digit or X."),
    "checksum": _l("This ID number is not valid: its check character does not match. Please check it."),
    "birth_date": _l("This ID number is not valid: its birth date is not a real date in the past."),
}


@dataclass(frozen=True)
class Buyer:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class Consignee:
    name: str
    phone: str
    division_code: str
    province: str
    city: str
    district: str
    street: str

    @property
    def address(self) -> str:
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.district}{self.street}"


def validate_buyer(buyer: Buyer, today: date) -> str:
    """The buyer's normalised ID number, or InvalidIdNumber with a message saying what is wrong."""
    try:
        return rules.check_id_number(buyer.id_number, today)
    except rules.InvalidIdNumber as exc:
        raise InvalidIdNumber(ID_MESSAGES[exc.reason]) from exc


def quota_year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar year `year` in the shop's time zone, as aware bounds [start, end)."""
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _year_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar year (in the shop's time zone) that `now` falls in, as UTC bounds."""
    return quota_year_bounds(now.astimezone(tz).year, tz)


def holds_quota(now: datetime):
    """SQL condition: the order holds part of its buyer's annual quota at `now` (QUOTA_STATES, or unpaid and
    still holding its stock). The one definition, shared by checkout and the clerk's quota report."""
    return (Order.status.in_(QUOTA_STATES)) | (
        (Order.status == OrderStatus.AWAITING_PAYMENT) & (Order.reserved_until > now))


def quota_value():
    """SQL expression: what an order counts towards the annual limit (returned units no longer count)."""
    return Order.duty_paid_value - Order.returned_value


def annual_used(session: Session, id_digest: str, *, now: datetime, tz: ZoneInfo) -> Decimal:
    """The duty-paid value of this buyer's orders this calendar year, across every account."""
    start, end = _year_bounds(now, tz)
    total = session.scalar(
        select(func.coalesce(func.sum(quota_value()), 0))
        .where(Order.buyer_id_digest == id_digest, Order.created_at >= start, Order.created_at < end,
               holds_quota(now))
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def annual_remaining_for(session: Session, id_number: str, *, now: datetime, tz: ZoneInfo) -> Decimal:
    used = annual_used(session, security.digest(id_number), now=now, tz=tz)
    return rules.annual_verdict(used, ZERO).remaining


def _check_items(items: list[tuple[Product, int]]) -> None:
    if not items:
        raise EmptyOrder(_l("Your cart is empty."))
    for product, quantity in items:
        if not product.on_sale:
            raise NotForSale(_l("“%(name)s” is not on sale any more. Please remove it from your cart.",
                                name=localized(product, "name")))
        if quantity < 1:
            raise InvalidQuantity(_l("Please enter a quantity between 1 and %(max)d.", max=99))
        if quantity > product.max_per_order:
            raise InvalidQuantity(_l(
                "For personal use, at most %(max)d of “%(name)s” can be bought in one order.",
                max=product.max_per_order, name=localized(product, "name")))


def _new_number(session: Session, now: datetime, tz: ZoneInfo) -> str:
    """GB + date + six random digits, e.g. GB261129048213: easy to read out on the phone."""
    day = now.astimezone(tz).strftime("%y%m%d")
    while True:
        number = f"GB{day}{secrets.randbelow(10**6):06d}"
        if session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


@dataclass
class Placement:
    """An order written but holding no stock yet (new_order), and what reserve_stock needs to finish it."""

    order: Order
    items: list[tuple[Product, int]]  # in the order their stock rows are locked
    cutoff: date  # lots with an earlier best-before date are not sold
    annual_used: Decimal  # this buyer's annual quota used before this order

    @property
    def annual_remaining(self) -> Decimal:
        """What remains of the annual limit with this order counted."""
        return rules.annual_verdict(self.annual_used + self.order.duty_paid_value, ZERO).remaining


def place_order(
    session: Session, *, user: User, items: list[tuple[Product, int]], buyer: Buyer, consignee: Consignee,
    freight_rule: FreightRule, now: datetime, near_expiry_days: int, reservation_minutes: int, tz: ZoneInfo,
    locale: str = "zh_CN",
) -> Order:
    """Turn items into an order awaiting payment — only if customs would accept it — and reserve its stock."""
    placement = new_order(session, user=user, items=items, buyer=buyer, consignee=consignee,
                          freight_rule=freight_rule, now=now, near_expiry_days=near_expiry_days,
                          reservation_minutes=reservation_minutes, tz=tz, locale=locale)
    return reserve_stock(session, placement)


def new_order(
    session: Session, *, user: User, items: list[tuple[Product, int]], buyer: Buyer, consignee: Consignee,
    freight_rule: FreightRule, now: datetime, near_expiry_days: int, reservation_minutes: int, tz: ZoneInfo,
    locale: str = "zh_CN",
) -> Placement:
    """The first half of place_order: every check customs makes, then the order written (awaiting payment)
    without touching the stock or any other order. Between the two halves the transaction holds no row lock
    another order waits for (on SQLite it holds the database's write lock, as every writing transaction does):
    the place for slow work that must succeed for the order to stand (opening its PaymentIntent)."""
    today = now.astimezone(tz).date()
    id_number = validate_buyer(buyer, today)
    expire_before_placing(session, now=now)
    _check_items(items)
    items = sorted(items, key=lambda pair: pair[0].id)  # a fixed lock order for the stock rows
    quote = build_quote([QuoteItem.for_product(p, q) for p, q in items], freight_rule)
    if not quote.limit.allowed:
        raise SingleOrderLimitExceeded(_l(
            "This order's duty-paid value of %(value)s is over the %(limit)s single-order limit by %(over)s. "
            "Please remove goods worth at least %(over)s, or split them into separate orders.",
            value=format_cny(quote.duty_paid_value), limit=format_cny(rules.SINGLE_ORDER_LIMIT),
            over=format_cny(quote.limit.over_by)))
    id_digest = security.digest(id_number)
    used = annual_used(session, id_digest, now=now, tz=tz)
    annual = rules.annual_verdict(used, quote.duty_paid_value)
    if not annual.allowed:
        raise AnnualLimitExceeded(_l(
            "This order would cross the %(limit)s annual limit for this ID number by %(over)s: %(used)s is "
            "already used this year and %(remaining)s remains.",
            limit=format_cny(rules.ANNUAL_LIMIT), over=format_cny(annual.over_by), used=format_cny(annual.used),
            remaining=format_cny(annual.remaining)))

    reserved_until = now + timedelta(minutes=reservation_minutes)
    order = Order(
        number=_new_number(session, now, tz), user_id=user.id, status=OrderStatus.AWAITING_PAYMENT, locale=locale,
        buyer_name=buyer.name.strip(), buyer_id_encrypted=security.encrypt(id_number), buyer_id_digest=id_digest,
        buyer_id_masked=rules.mask_id_number(id_number), buyer_phone_encrypted=security.encrypt(buyer.phone),
        buyer_phone_masked=rules.mask_phone(buyer.phone), buyer_is_payer_confirmed_at=now,
        consignee_name=consignee.name.strip(), consignee_phone_encrypted=security.encrypt(consignee.phone),
        consignee_phone_masked=rules.mask_phone(consignee.phone), consignee_division_code=consignee.division_code,
        consignee_address=consignee.address,
        goods_value=quote.goods_value, freight=quote.freight, insurance=quote.insurance, discount=quote.discount,
        duty_paid_value=quote.duty_paid_value, customs_duty=quote.customs_duty, vat=quote.vat,
        consumption_tax=quote.consumption_tax, tax_total=quote.tax, actual_paid=quote.total,
        full_tax=quote.limit.full_tax_single_item, created_at=now, reserved_until=reserved_until,
    )
    for gnum, ((product, _qty), line) in enumerate(zip(items, quote.lines, strict=True), start=1):
        order.lines.append(_snapshot(gnum, product, line))
    order.events.append(OrderEvent(from_status=None, to_status=OrderStatus.AWAITING_PAYMENT, actor_id=user.id,
                                   source="shopper", reason="order placed", created_at=now))
    session.add(order)
    session.flush()
    return Placement(order, items, sale_cutoff(today, near_expiry_days), used)


def reserve_stock(session: Session, placement: Placement) -> Order:
    """The second half of place_order: the order's units reserved from its goods' lots, first expiry first out,
    each lot row locked until the transaction ends (OutOfStock when a product has too few)."""
    order = placement.order
    for (product, quantity), line in zip(placement.items, order.lines, strict=True):
        try:
            reservations.reserve(session, line_id=line.id, product_id=product.id, quantity=quantity,
                                 cutoff=placement.cutoff, expires_at=order.reserved_until)
        except reservations.NotEnoughStock as exc:
            raise OutOfStock(_l("Only %(n)d of “%(name)s” left in stock.", n=exc.available,
                                name=localized(product, "name"))) from exc
    return order


def _snapshot(gnum: int, product: Product, line) -> OrderLine:
    return OrderLine(
        gnum=gnum, product_id=product.id, sku=product.sku, name_zh=product.name_zh, name_en=product.name_en,
        brand=product.brand.name, barcode=product.barcode, hs_code=product.hs_code,
        legal_unit1=product.legal_unit1, legal_unit2=product.legal_unit2, unit_code=product.unit_code,
        origin_code=product.origin_code, item_record_no=product.item_record_no, net_content=product.net_content,
        net_content_unit=product.net_content_unit, net_weight_kg=product.net_weight_kg,
        gross_weight_kg=product.gross_weight_kg, quantity=line.item.quantity, unit_price=product.price,
        goods_value=line.goods_value, freight_share=line.freight_share, duty_paid_value=line.duty_paid_value,
        vat_rate=product.vat_rate, consumption_tax_category=product.consumption_tax_category,
        consumption_tax_rate=line.consumption_tax_rate, tariff_rate=product.tariff_rate,
        customs_duty=line.customs_duty, vat=line.vat, consumption_tax=line.consumption_tax,
    )


def change_status(session: Session, order: Order, target: OrderStatus, *, now: datetime | None = None,
                  actor_id: int | None = None, source: str = "shop", reason: str = "") -> bool:
    """Move an order through the transition table, writing its event. A repeat is a no-op (False)."""
    if not transitions.check(order.status, target):
        return False
    now = now or utcnow()
    session.add(OrderEvent(order=order, from_status=order.status, to_status=target, actor_id=actor_id,
                           source=source, reason=reason[:300], created_at=now))
    order.status = target
    if target is OrderStatus.PAID:
        order.paid_at = now
        order.reserved_until = None
    elif target is OrderStatus.RELEASED:
        order.released_at = now
    elif target in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED, OrderStatus.DELIVERED):
        order.closed_at = now
    session.flush()
    return True


def order_reservations(session: Session, order: Order) -> list[StockReservation]:
    return list(session.scalars(
        select(StockReservation).join(OrderLine).where(OrderLine.order_id == order.id)
        .order_by(StockReservation.lot_id)
    ))


def lock_order(session: Session, order_id: int) -> Order:
    """The order, locked against concurrent changes until the transaction ends (a no-op lock on SQLite,
    where the transaction already holds the database's write lock)."""
    return session.scalars(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).one()


def release_stock(session: Session, order: Order) -> None:
    reservations.release(session, order_reservations(session, order))


def _expired(now: datetime) -> list:
    """Unpaid orders whose reservation time is over (ix_orders_status_reserved_until)."""
    return [Order.status == OrderStatus.AWAITING_PAYMENT, Order.reserved_until <= now]


def expire_unpaid_orders(session: Session, *, now: datetime, limit: int = 500) -> list[Order]:
    """Cancel unpaid orders whose reservation time is over, giving their stock back.

    The orders are locked together, skipping any that another transaction holds (expiring it, or completing
    its payment, which wins), and all their units go back to the lots in one pass in the lots' lock order: two
    transactions expiring at once never wait on each other in a circle."""
    expired = list(session.scalars(
        select(Order).where(*_expired(now))
        .order_by(Order.reserved_until).limit(literal_int(limit))  # the oldest first, in ix_orders_status_reserved_until's order
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)
    ))
    if not expired:
        return []
    reservations.release(session, list(session.scalars(
        select(StockReservation).join(OrderLine).where(OrderLine.order_id.in_([o.id for o in expired])))))
    for order in expired:
        change_status(session, order, OrderStatus.CANCELLED, now=now, source="system",
                      reason="not paid within the reservation time")
    return expired


def expire_before_placing(session: Session, *, now: datetime) -> None:
    """Before an order reserves stock: unpaid orders whose time is over give their units back, in a transaction
    of their own committed at once. Were it the placing transaction's, it would hold those lots' locks while
    taking its own, and two placements could wait on each other in a circle. On SQLite, where one transaction
    writes at a time (and a second connection would wait for the caller's), in the caller's.

    On PostgreSQL a plain look in the caller's transaction comes first: when no order has expired, which is
    nearly always, no second connection is taken (a check-out with its ping, BEGIN and COMMIT: about 1 ms).
    When some have, the request holds two connections for a moment: a process serving N requests at once
    needs a pool of 2 × N (gunicorn's sync workers serve one each)."""
    if session.get_bind().dialect.name == "sqlite":
        expire_unpaid_orders(session, now=now)
        return
    if session.scalar(select(Order.id).where(*_expired(now)).limit(literal_int(1))) is None:
        return  # the usual case: one indexed look, no second connection
    apart = db.side_session()
    try:
        expire_unpaid_orders(apart, now=now)
        apart.commit()
    finally:
        apart.close()


def shopper_orders(session: Session, user_id: int) -> list[Order]:
    return list(session.scalars(
        select(Order).where(Order.user_id == user_id).order_by(Order.created_at.desc(), Order.id.desc())
        .options(selectinload(Order.lines))
    ))


def find_shopper_order(session: Session, user_id: int, number: str) -> Order | None:
    return session.scalar(
        select(Order).where(Order.user_id == user_id, Order.number == number)
        .options(selectinload(Order.lines), selectinload(Order.events))
    )
