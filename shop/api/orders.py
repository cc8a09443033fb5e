"""Orders over the API: place one (real-name buyer, consignee) and get a PaymentIntent to confirm with Stripe's
SDK; list them, read one with its timeline, cancel one. The same services as the checkout and order pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop import clock, security, settings
from shop.accounts import services as accounts
from shop.api.accounts import AddressIn, IdentityIn, checked_district, checked_id_number
from shop.api.catalog import MAX_QUOTE_ITEMS, QuoteItemIn, QuoteLimits, QuoteLineOut, QuoteTax, products_for
from shop.api.core import SIGNED_IN, SIGNED_INT_MAX, ApiError, FieldError, Money, Query, Schema, operation
from shop.cart.quote import QuoteItem, build_quote
from shop.cart.services import freight_rule
from shop.catalog.forms import MAX_PAGE
from shop.customs import rules
from shop.db import db, utcnow
from shop.domain import DomainError, OutOfStock
from shop.labels import ORDER_PATH, ORDER_STATUS_EXPLAINED, ORDER_STATUSES
from shop.money import ZERO, to_cents
from shop.orders import services
from shop.orders.models import Order, OrderStatus
from shop.orders.status import CANCELLABLE
from shop.payments import services as payments
from shop.payments.gateway import PaymentUnavailable, gateway
from shop.payments.models import Payment
from shop.templating import is_zh

PAGE_SIZE = 20  # orders per page of GET /orders
NUMBER = {"type": "string", "maxLength": 20}  # an order number, e.g. GB261129048213
ENDED = (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED)  # off the normal path

# What placing an order can answer besides the problems `operation` declares itself (validation, body, token);
# each is checked by a test.
PLACE_ERRORS = ("not_for_sale", "invalid_quantity", "empty_order", "invalid_id_number",
                "single_order_limit_exceeded", "annual_limit_exceeded", "out_of_stock", "payment_unavailable")


def _order_limit() -> str:
    return current_app.config["API_ORDER_RATE_LIMIT"]


# --- Shapes ---------------------------------------------------------------------------------------------


class OrderRequest(Schema):
    items: list[QuoteItemIn] = Field(max_length=MAX_QUOTE_ITEMS, description="the goods; a SKU twice adds up")
    identity_id: int | None = Field(None, ge=1, le=SIGNED_INT_MAX, description="a saved buyer (GET /me/identities)")
    identity: IdentityIn | None = Field(None, description="a new buyer; send this or `identity_id`")
    consignee_id: int | None = Field(None, ge=1, le=SIGNED_INT_MAX, description="a saved address (GET /me/addresses)")
    consignee: AddressIn | None = Field(None, description="a new address; send this or `consignee_id`")
    save_identity: bool = Field(False, description="keep the new buyer on the account")
    save_address: bool = Field(False, description="keep the new address on the account")
    buyer_is_payer: bool = Field(description="the buyer confirms that they pay with their own card, as customs "
                                             "requires (the checkout page's tick box); must be true")


class OrderLineOut(QuoteLineOut):
    name: str = Field(description="in the language asked for, as sold (a snapshot)")
    hs_code: str
    origin_code: str


class Buyer(Schema):
    name: str
    id_number_masked: str
    phone_masked: str


class Consignee(Schema):
    name: str
    phone_masked: str
    division_code: str
    address: str


class TimelineStep(Schema):
    status: str
    label: str
    reached: bool
    current: bool
    at: datetime | None = Field(description="when the order reached this step (null: not yet)")
    explanation: str


class OrderSummary(Schema):
    number: str
    status: str
    status_label: str
    created_at: datetime
    currency: Literal["CNY"] = "CNY"
    total: Money
    quantity: int = Field(description="units in the order")
    names: list[str] = Field(description="the goods' names, in the language asked for")


class OrderList(Schema):
    items: list[OrderSummary]
    page: int
    page_size: int
    has_next: bool


class OrderDetail(Schema):
    number: str
    status: str
    status_label: str
    created_at: datetime
    reserved_until: datetime | None = Field(description="an unpaid order's goods are held until then")
    paid_at: datetime | None
    currency: Literal["CNY"] = "CNY"
    goods_value: Money
    freight: Money
    insurance: Money
    discount: Money
    duty_paid_value: Money
    lines: list[OrderLineOut]
    tax: QuoteTax
    total: Money = Field(description="what the buyer pays: goods + freight + tax − discount")
    refunded: Money
    limits: QuoteLimits
    buyer: Buyer
    consignee: Consignee
    cancellable: bool
    timeline: list[TimelineStep]


class PaymentOut(Schema):
    intent_id: str
    client_secret: str = Field(description="confirm the PaymentIntent with Stripe's SDK")
    publishable_key: str
    amount: Money
    currency: Literal["CNY"] = "CNY"


class OrderCreated(OrderDetail):
    payment: PaymentOut


class OrderPage(Query):
    page: int = Field(1, ge=1, le=MAX_PAGE)


# --- Building the answers -------------------------------------------------------------------------------


def _name(line) -> str:
    return line.name_zh if is_zh() else line.name_en


def _annual_remaining(order: Order) -> Decimal:
    used = services.annual_used(db.session, order.buyer_id_digest, now=utcnow(), tz=clock.shop_timezone())
    return rules.annual_verdict(used, ZERO).remaining


def _timeline(order: Order) -> list[TimelineStep]:
    """The steps of templates/orders/detail.html: the normal path, then how it ended if it left it."""
    first: dict[OrderStatus, datetime] = {}
    for event in order.events:  # the first event that reached each status (refund notes repeat the status)
        first.setdefault(event.to_status, event.created_at)
    steps = list(ORDER_PATH) + ([order.status] if order.status in ENDED else [])
    return [TimelineStep(status=step.value, label=str(ORDER_STATUSES[step]), reached=step in first,
                         current=order.status == step, at=first.get(step),
                         explanation=str(ORDER_STATUS_EXPLAINED[step])) for step in steps]


def _detail(order: Order, model=None, *, refunded: Decimal | None = None, annual_remaining: Decimal | None = None,
            **extra):
    if refunded is None:
        refunded = db.session.scalar(select(func.coalesce(func.sum(Payment.refunded_amount), 0))
                                     .where(Payment.order_id == order.id))
    if annual_remaining is None:
        annual_remaining = _annual_remaining(order)
    return (model or OrderDetail)(
        number=order.number, status=order.status.value, status_label=str(ORDER_STATUSES[order.status]),
        created_at=order.created_at, reserved_until=order.reserved_until, paid_at=order.paid_at,
        goods_value=order.goods_value, freight=order.freight, insurance=order.insurance, discount=order.discount,
        duty_paid_value=order.duty_paid_value,
        lines=[OrderLineOut(sku=line.sku, name=_name(line), hs_code=line.hs_code, origin_code=line.origin_code,
                            qty=line.quantity, unit_price=line.unit_price, goods_value=line.goods_value,
                            duty_paid_value=line.duty_paid_value, customs_duty=line.customs_duty, vat=line.vat,
                            consumption_tax=line.consumption_tax, tax=line.tax) for line in order.lines],
        tax=QuoteTax(customs_duty=order.customs_duty, vat=order.vat, consumption_tax=order.consumption_tax,
                     total=order.tax_total),
        total=order.actual_paid, refunded=to_cents(refunded or 0),
        limits=QuoteLimits(single_order_limit=rules.SINGLE_ORDER_LIMIT,
                           within_single_limit=order.duty_paid_value <= rules.SINGLE_ORDER_LIMIT,
                           full_tax_single_item=order.full_tax, annual_limit=rules.ANNUAL_LIMIT,
                           annual_remaining=annual_remaining),
        buyer=Buyer(name=order.buyer_name, id_number_masked=order.buyer_id_masked,
                    phone_masked=order.buyer_phone_masked),
        consignee=Consignee(name=order.consignee_name, phone_masked=order.consignee_phone_masked,
                            division_code=order.consignee_division_code, address=order.consignee_address),
        cancellable=order.status in CANCELLABLE, timeline=_timeline(order), **extra)


def _own_order(user, number: str) -> Order:
    """The user's order (another user's order is not found, as on the pages)."""
    order = services.find_shopper_order(db.session, user.id, number)
    if order is None:
        raise ApiError("not_found", f"order {number}")
    return order


# --- Placing an order -----------------------------------------------------------------------------------


def _exactly_one(body: OrderRequest, saved: str, new: str) -> None:
    if (getattr(body, saved) is None) == (getattr(body, new) is None):
        message = _l("Send exactly one of %(first)s and %(second)s.", first=saved, second=new)
        raise ApiError("validation_error", message, errors=[FieldError(new, message)])


def _not_blank(prefix: str, **values: str) -> None:
    blank = [FieldError(f"{prefix}.{name}", gettext("This field is required."))
             for name, value in values.items() if not value.strip()]
    if blank:
        raise ApiError("validation_error", errors=blank)


def _under(prefix: str, exc: ApiError) -> ApiError:
    """The same problem, its field errors named inside `prefix` (id_number -> identity.id_number)."""
    exc.errors = [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors]
    return exc


def _buyer(body: OrderRequest, user) -> services.Buyer:
    if body.identity is None:
        saved = next((i for i in accounts.identities_of(db.session, user.id) if i.id == body.identity_id), None)
        if saved is None:  # not one of this user's: never say whose it is
            message = _l("There is no saved buyer with this id on your account.")
            raise ApiError("validation_error", message, errors=[FieldError("identity_id", message)])
        return services.Buyer(saved.name, security.decrypt(saved.id_number_encrypted),
                              security.decrypt(saved.phone_encrypted))
    new = body.identity
    _not_blank("identity", name=new.name)
    try:
        number = checked_id_number(new.id_number)
    except ApiError as exc:
        raise _under("identity", exc) from None
    return services.Buyer(new.name.strip(), number, new.phone)


def _consignee(body: OrderRequest, user) -> services.Consignee:
    if body.consignee is None:
        saved = next((a for a in accounts.addresses_of(db.session, user.id) if a.id == body.consignee_id), None)
        if saved is None:
            message = _l("There is no saved address with this id on your account.")
            raise ApiError("validation_error", message, errors=[FieldError("consignee_id", message)])
        return services.Consignee(saved.consignee, security.decrypt(saved.phone_encrypted), saved.division_code,
                                  saved.province, saved.city, saved.district, saved.street)
    new = body.consignee
    _not_blank("consignee", consignee=new.consignee, street=new.street)
    try:
        place = checked_district(new.district_code)
    except ApiError as exc:
        raise _under("consignee", exc) from None
    return services.Consignee(new.consignee.strip(), new.phone, place.code, place.province, place.city,
                              place.district, new.street.strip())


def _with_figures(exc: DomainError, items, buyer: services.Buyer, rule, now: datetime) -> None:
    """The limit refusals carry their figures (the message says them in words), as problem members."""
    quote = build_quote([QuoteItem.for_product(p, q) for p, q in sorted(items, key=lambda pair: pair[0].id)], rule)
    if isinstance(exc, services.SingleOrderLimitExceeded):
        exc.details.update(duty_paid_value=quote.duty_paid_value, single_order_limit=rules.SINGLE_ORDER_LIMIT,
                           over_by=quote.limit.over_by)
    elif isinstance(exc, services.AnnualLimitExceeded):
        digest = security.digest(rules.check_id_number(buyer.id_number, now.astimezone(clock.shop_timezone()).date()))
        verdict = rules.annual_verdict(
            services.annual_used(db.session, digest, now=now, tz=clock.shop_timezone()), quote.duty_paid_value)
        exc.details.update(duty_paid_value=quote.duty_paid_value, annual_limit=rules.ANNUAL_LIMIT,
                           used=verdict.used, remaining=verdict.remaining, over_by=verdict.over_by)
    elif isinstance(exc, OutOfStock) and hasattr(exc.__cause__, "available"):
        exc.details.update(available=exc.__cause__.available)


@operation("POST", "/orders", summary="Place an order", tag="orders", auth=SIGNED_IN, body=OrderRequest,
           response=OrderCreated, status=201, errors=PLACE_ERRORS, limit=_order_limit)
def place_order(user, body: OrderRequest):
    """Place an order awaiting payment — only if customs would accept it (ID number, goods on sale, quantities,
    the ¥5,000 single-order and ¥26,000 annual limits, stock) — and open its PaymentIntent. Confirm the intent
    with Stripe's SDK using `payment.client_secret`; Stripe's webhook then marks the order paid. The goods are
    held until `reserved_until`. Each limit refusal carries its figures (`duty_paid_value`, `over_by`, and for
    the annual limit `used` and `remaining`)."""
    _exactly_one(body, "identity_id", "identity")
    _exactly_one(body, "consignee_id", "consignee")
    if not body.buyer_is_payer:
        message = _l("Customs requires the buyer to be the payer. Please confirm.")
        raise ApiError("validation_error", message, errors=[FieldError("buyer_is_payer", message)])
    buyer = _buyer(body, user)
    consignee = _consignee(body, user)
    items = products_for(body.items)
    rule, now = freight_rule(), utcnow()
    try:
        placement = services.new_order(
            db.session, user=user, items=items, buyer=buyer, consignee=consignee, freight_rule=rule, now=now,
            near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"),
            reservation_minutes=settings.value("RESERVATION_MINUTES"), tz=clock.shop_timezone(),
            locale="zh_CN" if is_zh() else "en")
        order = placement.order
        try:  # before the stock is reserved: no other order waits on these lots during the call to Stripe
            intent = payments.open_intent_for_new_order(db.session, order, gateway=gateway())
        except PaymentUnavailable:
            # The answer is an error, so nothing of this request is kept: no order holds stock without a way to pay.
            raise ApiError("payment_unavailable", _l("Payments are not available just now. No money was taken. "
                                                     "Please try again in a few minutes.")) from None
        services.reserve_stock(db.session, placement)
    except (services.SingleOrderLimitExceeded, services.AnnualLimitExceeded, OutOfStock) as exc:
        _with_figures(exc, items, buyer, rule, now)
        raise  # the blueprint's DomainError handler answers it, figures included
    payments.record_new_order_payment(db.session, order, intent)
    if body.identity is not None and body.save_identity:
        accounts.save_identity(db.session, user.id, name=buyer.name, id_number=buyer.id_number, phone=buyer.phone)
    if body.consignee is not None and body.save_address:
        accounts.save_address(db.session, user.id, consignee=consignee.name, phone=consignee.phone,
                              division_code=consignee.division_code, province=consignee.province,
                              city=consignee.city, district=consignee.district, street=consignee.street)
    payment = PaymentOut(intent_id=intent.id, client_secret=intent.client_secret or "",
                         publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"], amount=intent.amount)
    # A new order: nothing refunded, and its quota counted from what new_order read.
    return _detail(order, OrderCreated, refunded=ZERO, annual_remaining=placement.annual_remaining,
                   payment=payment)


# --- Reading and cancelling -----------------------------------------------------------------------------


@operation("GET", "/orders", summary="My orders", tag="orders", auth=SIGNED_IN, query=OrderPage, response=OrderList)
def list_orders(user, query: OrderPage):
    """The signed-in user's orders, newest first, `PAGE_SIZE` (20) a page; `has_next` says whether more follow."""
    # One row more than the page tells whether a next page exists, without counting (as the listing pages do).
    found = list(db.session.scalars(
        select(Order).where(Order.user_id == user.id).order_by(Order.created_at.desc(), Order.id.desc())
        .offset((query.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).options(selectinload(Order.lines))))
    return OrderList(
        items=[OrderSummary(number=o.number, status=o.status.value, status_label=str(ORDER_STATUSES[o.status]),
                            created_at=o.created_at, total=o.actual_paid,
                            quantity=sum(line.quantity for line in o.lines),
                            names=[_name(line) for line in o.lines]) for o in found[:PAGE_SIZE]],
        page=query.page, page_size=PAGE_SIZE, has_next=len(found) > PAGE_SIZE)


@operation("GET", "/orders/{number}", summary="One of my orders", tag="orders", auth=SIGNED_IN,
           response=OrderDetail, errors=("not_found",), path_params={"number": NUMBER})
def order_detail(user, number: str):
    """Figures, lines, buyer (ID masked), consignee (phone masked), status and the timeline of the order page."""
    order = _own_order(user, number)
    if order.status is OrderStatus.AWAITING_PAYMENT and order.reserved_until and order.reserved_until <= utcnow():
        # Its time to pay is over: say so now rather than when the expiry job next runs (as the pay page does).
        services.expire_unpaid_orders(db.session, now=utcnow())
    return _detail(order)


@operation("POST", "/orders/{number}/cancel", summary="Cancel one of my orders", tag="orders", auth=SIGNED_IN,
           response=OrderDetail, errors=("not_found", "not_cancellable", "payment_unavailable"),
           path_params={"number": NUMBER})
def cancel_order(user, number: str):
    """Cancel before customs releases the parcel: the goods go back on sale and any payment is refunded in full
    (an open PaymentIntent is cancelled with Stripe). Cancelling a cancelled order changes nothing."""
    order = _own_order(user, number)
    try:
        payments.cancel_order(db.session, order, actor_id=user.id, source="shopper",
                              reason="cancelled by the shopper")
    except PaymentUnavailable:
        raise ApiError("payment_unavailable", _l("The refund could not be started just now, so the order was not "
                                                 "cancelled. Please try again in a few minutes.")) from None
    return _detail(order)
