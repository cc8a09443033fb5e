"""The cart page and its actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop import clock, security, settings
from shop.accounts import services as accounts
from shop.cart import services
from shop.cart.forms import AddToCartForm, RemoveItemForm, UpdateItemForm
from shop.catalog.models import Product
from shop.db import db
from shop.domain import DomainError
from shop.orders import services as orders
from shop.urls import safe_next

bp = Blueprint("cart", __name__, url_prefix="/cart")


def _product(sku: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.sku == sku))


def _render_cart(status: int = 200, forms: dict | None = None):
    view = services.view_cart(db.session, services.current_cart(), rule=services.freight_rule(),
                              today=clock.today(), near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))
    return render_template("cart/cart.html", view=view, forms=forms or {}, remove_form=RemoveItemForm(),
                           annual_remaining=_annual_remaining()), status


def _annual_remaining() -> tuple[str, object] | None:
    """The signed-in shopper's usual buyer (the latest saved) and what remains of their annual quota."""
    if not current_user.is_authenticated:
        return None
    identities = accounts.identities_of(db.session, current_user.id)
    if not identities:
        return None
    latest = identities[0]
    remaining = orders.annual_remaining_for(db.session, security.decrypt(latest.id_number_encrypted),
                                            now=clock.now(), tz=clock.shop_timezone())
    return latest.name, remaining


@bp.get("/")
def show():
    return _render_cart()


@bp.post("/add")
def add():
    form = AddToCartForm()
    back = safe_next(request.form.get("next"))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    product = _product(form.sku.data)
    if product is None:
        flash(_("This product is not on sale."), "error")
        return redirect(back)
    cart = services.current_cart(create=True)
    try:
        services.set_quantity(db.session, cart, product, form.quantity.data, add=True, today=clock.today(),
                              near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    flash(_("Added to your cart."), "success")
    return redirect(url_for("cart.show") if request.form.get("go") == "cart" else back)


@bp.post("/update")
def update():
    form = UpdateItemForm()
    product = _product(form.sku.data or "")
    cart = services.current_cart()
    if not form.validate() or product is None or cart is None:
        return _render_cart(400, {form.sku.data: form})
    try:
        services.set_quantity(db.session, cart, product, form.quantity.data, add=False, today=clock.today(),
                              near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))
    except DomainError as exc:
        db.session.rollback()
        form.quantity.errors = [exc.message]
        return _render_cart(400, {form.sku.data: form})
    flash(_("Your cart has been updated."), "success")
    return redirect(url_for("cart.show"))


@bp.post("/remove")
def remove():
    form = RemoveItemForm()
    cart = services.current_cart()
    product = _product(form.sku.data or "") if form.validate() else None
    if cart is not None and product is not None:
        services.remove_item(db.session, cart, product.id)
        flash(_("Removed from your cart."), "success")
    return redirect(url_for("cart.show"))
