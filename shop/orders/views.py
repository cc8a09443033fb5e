"""Checkout, payment, and the shopper's orders."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop import clock, security, settings
from shop.accounts import divisions
from shop.accounts import services as accounts
from shop.cart import services as carts
from shop.db import db, utcnow
from shop.domain import DomainError
from shop.orders import services
from shop.orders.forms import NEW, CheckoutForm
from shop.orders.models import OrderStatus
from shop.orders.status import CANCELLABLE
from shop.payments import services as payments
from shop.payments.gateway import PaymentUnavailable, gateway
from shop.templating import is_zh

bp = Blueprint("orders", __name__)


def _tz() -> ZoneInfo:
    return clock.shop_timezone()


def _today() -> date:
    return clock.today()


def _cart_view():
    return carts.view_cart(db.session, carts.current_cart(), rule=carts.freight_rule(), today=_today(),
                           near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))


@bp.get("/checkout/divisions/<code>")
def division_children(code: str):
    """Cities of a province, or districts of a city (for the address form)."""
    children = divisions.cities(code) or divisions.districts(code)
    return jsonify([{"code": d.code, "name": d.name} for d in children])


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    view = _cart_view()
    if not view.items:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("cart.show"))
    identities = accounts.identities_of(db.session, current_user.id)
    addresses = accounts.addresses_of(db.session, current_user.id)
    form = CheckoutForm(identities=identities, addresses=addresses, today=_today())
    error = None
    if form.validate_on_submit():
        try:
            order = _place(form, view, identities, addresses)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            return redirect(url_for("orders.pay", number=order.number))
    remaining = {i.id: services.annual_remaining_for(db.session, security.decrypt(i.id_number_encrypted),
                                                     now=utcnow(), tz=_tz()) for i in identities}
    status = 400 if (form.errors or error) else 200
    return render_template("orders/checkout.html", form=form, view=view, error=error, remaining=remaining,
                           identities=identities), status


def _place(form: CheckoutForm, view, identities, addresses):
    now = utcnow()
    if form.identity.data == NEW:
        buyer = services.Buyer(form.buyer_name.data, form.buyer_id_number.data, form.buyer_phone.data.strip())
    else:
        saved = next(i for i in identities if i.id == form.identity.data)
        buyer = services.Buyer(saved.name, security.decrypt(saved.id_number_encrypted),
                               security.decrypt(saved.phone_encrypted))
    if form.address.data == NEW:
        place = divisions.district(form.district.data)
        consignee = services.Consignee(form.consignee_name.data, form.consignee_phone.data.strip(), place.code,
                                       place.province, place.city, place.district, form.street.data)
    else:
        saved = next(a for a in addresses if a.id == form.address.data)
        consignee = services.Consignee(saved.consignee, security.decrypt(saved.phone_encrypted),
                                       saved.division_code, saved.province, saved.city, saved.district,
                                       saved.street)
    items = [(item.product, item.quantity) for item in view.items]
    order = services.place_order(
        db.session, user=current_user, items=items, buyer=buyer, consignee=consignee,
        freight_rule=carts.freight_rule(), now=now, near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"),
        reservation_minutes=settings.value("RESERVATION_MINUTES"), tz=_tz(),
        locale="zh_CN" if is_zh() else "en")
    if form.identity.data == NEW and form.save_identity.data:
        accounts.save_identity(db.session, current_user.id, name=buyer.name,
                               id_number=services.validate_buyer(buyer, now.date()), phone=buyer.phone)
    if form.address.data == NEW and form.save_address.data:
        accounts.save_address(db.session, current_user.id, consignee=consignee.name, phone=consignee.phone,
                              division_code=consignee.division_code, province=consignee.province,
                              city=consignee.city, district=consignee.district, street=consignee.street)
    for item in list(view.items):
        db.session.delete(item)
    return order


def _own_order(number: str):
    order = services.find_shopper_order(db.session, current_user.id, number)
    if order is None:
        abort(404)
    return order


@bp.get("/orders/<number>/pay")
@login_required
def pay(number: str):
    order = _own_order(number)
    if order.status is OrderStatus.AWAITING_PAYMENT and order.reserved_until and order.reserved_until <= utcnow():
        services.expire_unpaid_orders(db.session, now=utcnow())
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("orders.detail", number=number))
    return render_template("orders/pay.html", order=order)


@bp.post("/orders/<number>/pay")
@login_required
def pay_submit(number: str):
    """Charge the card (a Stripe.js token's card id) and tell the page what to do next, as JSON."""
    order = _own_order(number)
    payload = request.get_json(silent=True)
    card = payload.get("card", "") if isinstance(payload, dict) else ""
    if not isinstance(card, str) or not card.startswith(("card_", "pm_", "tok_")) or len(card) > 255:
        return jsonify(error=_("The card details could not be read. Please enter them again.")), 400
    try:
        intent = payments.pay_with_card(db.session, order, card=card, gateway=gateway(), now=utcnow())
    except DomainError as exc:
        # A declined card is an ordinary answer (200): the failed attempt stays on record, the order payable.
        return jsonify(declined=True, error=str(exc.message))
    except PaymentUnavailable:
        db.session.rollback()
        return jsonify(error=_("Payments are not available just now. No money was taken. Please try again "
                               "in a few minutes.")), 503
    return_url = url_for("orders.payment_return", number=number, payment_intent=intent.id)
    return jsonify(status=intent.status, client_secret=intent.client_secret, return_url=return_url)


@bp.get("/orders/<number>/return")
@login_required
def payment_return(number: str):
    """Where the browser lands after paying (and after 3-D Secure): complete the order if Stripe says paid."""
    order = _own_order(number)
    intent_id = request.args.get("payment_intent", "")
    known = {p for p in payments.intent_ids(db.session, order)}
    if intent_id not in known:
        abort(404)
    try:
        intent = gateway().retrieve(intent_id)
    except PaymentUnavailable:
        flash(_("We could not confirm your payment just now. If it went through, the order will update "
                "within minutes."), "info")
        return redirect(url_for("orders.detail", number=number))
    payments.complete_payment(db.session, intent, source="shop")
    if intent.status == "succeeded" and order.status is OrderStatus.CANCELLED:
        # Paid after the order expired or was cancelled: complete_payment refunded it.
        flash(_("The order is cancelled. Any payment is refunded to your card."), "info")
        return redirect(url_for("orders.detail", number=number))
    if intent.status == "succeeded":
        flash(_("Thank you! Your payment is received and the order is on its way to customs."), "success")
        return redirect(url_for("orders.detail", number=number))
    payments.record_failure(db.session, intent, "authentication failed or abandoned")
    flash(_("The payment was not completed: the card's authentication failed or was cancelled. No money was "
            "taken. Please try again."), "error")
    return redirect(url_for("orders.pay", number=number))


@bp.get("/orders")
@login_required
def list_orders():
    return render_template("orders/list.html", orders=services.shopper_orders(db.session, current_user.id))


@bp.get("/orders/<number>")
@login_required
def detail(number: str):
    order = _own_order(number)
    return render_template("orders/detail.html", order=order, cancellable=order.status in CANCELLABLE)


@bp.post("/orders/<number>/cancel")
@login_required
def cancel(number: str):
    order = _own_order(number)
    try:
        payments.cancel_order(db.session, order, actor_id=current_user.id, source="shopper",
                              reason="cancelled by the shopper")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except PaymentUnavailable:
        db.session.rollback()
        flash(_("The refund could not be started just now, so the order was not cancelled. Please try again "
                "in a few minutes."), "error")
    else:
        flash(_("The order is cancelled. Any payment is refunded to your card."), "success")
    return redirect(url_for("orders.detail", number=number))
