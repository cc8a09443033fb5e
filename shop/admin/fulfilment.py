"""Staff screens for fulfilment: the released-orders queue, pick lists, packing and shipping, delivery."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.admin.auth import STAFF, role_required
from shop.admin.views import bp
from shop.db import db
from shop.domain import DomainError
from shop.orders import fulfilment
from shop.orders.models import Order


def _order(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number)
                              .options(selectinload(Order.lines), selectinload(Order.events)))
    if order is None:
        abort(404)
    return order


@bp.get("/fulfilment")
@role_required(*STAFF)
def fulfilment_queue():
    return render_template("admin/fulfilment.html", orders=fulfilment.release_queue(db.session))


@bp.get("/fulfilment/pick-list")
@role_required(*STAFF)
def pick_list():
    """A printable pick list for the chosen orders (or the whole queue), grouped by location."""
    numbers = request.args.getlist("order")
    queue = fulfilment.release_queue(db.session)
    chosen = [o for o in queue if not numbers or o.number in numbers]
    return render_template("admin/pick_list.html", orders=chosen,
                           places=fulfilment.pick_list(db.session, [o.id for o in chosen]))


@bp.get("/orders/<number>/packing-slip")
@role_required(*STAFF)
def packing_slip(number: str):
    return render_template("admin/packing_slip.html", order=_order(number))


@bp.post("/orders/<number>/ship")
@role_required(*STAFF)
def ship(number: str):
    order = _order(number)
    try:
        weight = Decimal((request.form.get("package_weight_kg") or "").strip())
    except InvalidOperation:
        weight = Decimal(0)
    try:
        fulfilment.ship(db.session, order, carrier=request.form.get("carrier", ""),
                        waybill_no=request.form.get("waybill_no", ""),
                        package_weight_kg=weight if weight.is_finite() else Decimal(0), actor_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("admin.order_detail", number=number))
    flash(_("Order %(number)s is shipped.", number=number), "success")
    return redirect(url_for("admin.fulfilment_queue"))


@bp.post("/orders/<number>/delivered")
@role_required(*STAFF)
def delivered(number: str):
    try:
        fulfilment.mark_delivered(db.session, _order(number), actor_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("Order %(number)s is delivered.", number=number), "success")
    return redirect(url_for("admin.order_detail", number=number))
