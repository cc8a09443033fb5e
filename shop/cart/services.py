"""Cart use cases: find or create the cart, add/change/remove items, merge on sign-in, quote."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_request_context
from flask import session as http_session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from shop.cart.models import Cart, CartItem
from shop.cart.quote import FreightRule, Quote, QuoteItem, build_quote
from shop.catalog.models import Product
from shop.db import db
from shop.domain import InvalidQuantity, NotForSale, OutOfStock
from shop.inventory import services as inventory

CART_TOKEN = "cart_token"
MAX_QUANTITY = 99


def find_cart(session: Session, *, user_id: int | None, token: str | None) -> Cart | None:
    """The signed-in shopper's cart, or the browser's anonymous one."""
    if user_id is not None:
        return session.scalar(select(Cart).where(Cart.user_id == user_id))
    if token:
        return session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))
    return None


def _load_items(session: Session, cart: Cart) -> list[CartItem]:
    return list(session.scalars(
        select(CartItem).where(CartItem.cart_id == cart.id).order_by(CartItem.id)
        .options(joinedload(CartItem.product).joinedload(Product.brand),
                 joinedload(CartItem.product).selectinload(Product.images))
    ).unique())


def _check_quantity(product: Product, quantity: int, available: int) -> None:
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise InvalidQuantity(_l("Please enter a quantity between 1 and %(max)d.", max=MAX_QUANTITY))
    if not product.on_sale:
        raise NotForSale(_l("This product is not on sale."))
    if quantity > product.max_per_order:
        raise InvalidQuantity(_l(
            "For personal use, at most %(max)d of this product can be bought in one order.",
            max=product.max_per_order))
    if quantity > available:
        if available == 0:
            raise OutOfStock(_l("Sorry, this product is out of stock."))
        raise OutOfStock(_l("Only %(n)d left in stock.", n=available))


def set_quantity(session: Session, cart: Cart, product: Product, quantity: int, *, add: bool,
                 today: date, near_expiry_days: int) -> CartItem:
    """Put `quantity` of `product` in the cart (or add it to what is there), within the rules."""
    item = session.scalar(select(CartItem).where(CartItem.cart_id == cart.id, CartItem.product_id == product.id))
    wanted = quantity + (item.quantity if (item and add) else 0)
    if add and quantity < 1:
        raise InvalidQuantity(_l("Please enter a quantity between 1 and %(max)d.", max=MAX_QUANTITY))
    cutoff = inventory.sale_cutoff(today, near_expiry_days)
    available = inventory.available_quantities(session, [product.id], cutoff)[product.id]
    _check_quantity(product, wanted, available)
    if item is None:
        item = CartItem(cart=cart, product=product, quantity=wanted)
        session.add(item)
    else:
        item.quantity = wanted
    session.flush()
    return item


def remove_item(session: Session, cart: Cart, product_id: int) -> None:
    """Remove a product from the cart (nothing happens if it is not there)."""
    item = session.scalar(select(CartItem).where(CartItem.cart_id == cart.id, CartItem.product_id == product_id))
    if item is not None:
        session.delete(item)
        session.flush()


def merge_into_user_cart(session: Session, *, user_id: int, token: str | None) -> Cart | None:
    """On sign-in, move the browser's cart into the shopper's own (quantities add, up to the limits)."""
    anonymous = find_cart(session, user_id=None, token=token)
    if anonymous is None:
        return None
    own = find_cart(session, user_id=user_id, token=None)
    if own is None:
        anonymous.user_id = user_id
        anonymous.token = None
        session.flush()
        return anonymous
    existing = {item.product_id: item for item in own.items}
    for item in list(anonymous.items):
        target = existing.get(item.product_id)
        if target is None:
            own.items.append(CartItem(product_id=item.product_id, quantity=item.quantity))
        else:
            target.quantity = min(target.quantity + item.quantity, MAX_QUANTITY, item.product.max_per_order)
    session.delete(anonymous)
    session.flush()
    return own


@dataclass
class CartView:
    cart: Cart | None
    items: list[CartItem]
    available: dict[int, int]
    quote: Quote

    @property
    def problems(self) -> dict[int, str]:
        """Items that can no longer be bought as they stand (withdrawn, sold out, over a limit)."""
        found = {}
        for item in self.items:
            try:
                _check_quantity(item.product, item.quantity, self.available.get(item.product_id, 0))
            except (InvalidQuantity, NotForSale, OutOfStock) as exc:
                found[item.product_id] = exc.message
        return found


def freight_rule() -> FreightRule:
    from shop import settings

    return FreightRule(fee=settings.value("FREIGHT_FEE"), free_over=settings.value("FREE_FREIGHT_OVER"),
                       insurance_rate=current_app.config["INSURANCE_RATE"])


def view_cart(session: Session, cart: Cart | None, *, rule: FreightRule, today: date,
              near_expiry_days: int) -> CartView:
    """The cart with its quote (goods, freight, tax per line and in total, limit verdict)."""
    items = _load_items(session, cart) if cart is not None else []
    cutoff = inventory.sale_cutoff(today, near_expiry_days)
    available = inventory.available_quantities(session, [i.product_id for i in items], cutoff)
    quote = build_quote([QuoteItem.for_product(i.product, i.quantity) for i in items], rule)
    return CartView(cart=cart, items=items, available=available, quote=quote)


# --- request helpers -------------------------------------------------------------------------------


def current_cart(*, create: bool = False) -> Cart | None:
    """The cart of this request's shopper (signed in or not); created on demand."""
    user_id = current_user.id if current_user.is_authenticated else None
    token = http_session.get(CART_TOKEN)
    cart = find_cart(db.session, user_id=user_id, token=token)
    if cart is None and create:
        if user_id is None:
            token = secrets.token_urlsafe(32)
            http_session[CART_TOKEN] = token
        cart = Cart(user_id=user_id, token=token if user_id is None else None)
        db.session.add(cart)
        db.session.flush()
    return cart


def item_count_for_request() -> int:
    """How many units are in this request's cart (for the header badge)."""
    if not has_request_context():
        return 0
    user_id = current_user.id if current_user.is_authenticated else None
    token = http_session.get(CART_TOKEN)
    if user_id is None and not token:
        return 0
    stmt = select(func.coalesce(func.sum(CartItem.quantity), 0)).join(Cart)
    stmt = stmt.where(Cart.user_id == user_id) if user_id is not None else stmt.where(
        Cart.token == token, Cart.user_id.is_(None))
    return int(db.session.scalar(stmt) or 0)


