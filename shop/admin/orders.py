"""Staff screens for orders: search, details, cancellation with refund, returns."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.admin.auth import STAFF, role_required
from shop.admin.views import bp
from shop.audit import record, snapshot
from shop.db import db
from shop.domain import DomainError
from shop.orders import fulfilment
from shop.orders.models import Order, OrderStatus, ReturnDisposition
from shop.orders.status import CANCELLABLE
from shop.payments import services as payments
from shop.payments.gateway import PaymentUnavailable
from shop.payments.models import Payment


@bp.get("/orders")
@role_required(*STAFF)
def orders():
    number = (request.args.get("number") or "").strip()[:20]
    status = request.args.get("status") or ""
    stmt = select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(200)
    if number:
        stmt = stmt.where(Order.number == number)
    if status in {s.value for s in OrderStatus}:
        stmt = stmt.where(Order.status == OrderStatus(status))
    return render_template("admin/orders.html", orders=list(db.session.scalars(stmt)), number=number,
                           status=status, statuses=list(OrderStatus))


@bp.get("/orders/<number>")
@role_required(*STAFF)
def order_detail(number: str):
    order = db.session.scalar(select(Order).where(Order.number == number)
                              .options(selectinload(Order.lines), selectinload(Order.events)))
    if order is None:
        abort(404)
    payment_rows = list(db.session.scalars(select(Payment).where(Payment.order_id == order.id)
                                           .options(selectinload(Payment.refunds))))
    return render_template("admin/order.html", order=order, payments=payment_rows,
                           cancellable=order.status in CANCELLABLE,
                           returned=fulfilment.returned_quantities(db.session, order),
                           dispositions=list(ReturnDisposition))


@bp.post("/orders/<number>/cancel")
@role_required(*STAFF)
def order_cancel(number: str):
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None:
        abort(404)
    reason = (request.form.get("reason") or "").strip()[:200] or "cancelled by staff"
    before = snapshot(order)
    try:
        cancelled = payments.cancel_order(db.session, order, actor_id=current_user.id, source="staff",
                                          reason=reason)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except PaymentUnavailable:
        db.session.rollback()
        flash(_("The refund could not be started just now, so the order was not cancelled."), "error")
    else:
        if cancelled:
            record(db.session, actor_id=current_user.id, action="order.cancel", obj=order, before=before,
                   summary=reason)
            flash(_("Order %(number)s is cancelled; any payment is refunded.", number=number), "success")
        else:
            flash(_("Order %(number)s was already cancelled.", number=number), "info")
    return redirect(url_for("admin.order_detail", number=number))


@bp.post("/orders/<number>/return")
@role_required(*STAFF)
def order_return(number: str):
    order = db.session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.lines)))
    if order is None:
        abort(404)
    quantities = {}
    for line in order.lines:
        raw = (request.form.get(f"qty-{line.id}") or "0").strip()
        try:  # (isdigit() would let "²" through to int(); int() refuses more than 4,300 digits)
            quantities[line.id] = int(raw) if raw.isdecimal() else None
        except ValueError:
            quantities[line.id] = None
        if quantities[line.id] is None:
            flash(_("Enter whole numbers of units to return."), "error")
            return redirect(url_for("admin.order_detail", number=number))
    try:
        disposition = ReturnDisposition(request.form.get("disposition", ""))
    except ValueError:
        flash(_("Choose whether the goods go back into stock or are written off."), "error")
        return redirect(url_for("admin.order_detail", number=number))
    try:
        refunded = fulfilment.accept_return(db.session, order, quantities, disposition=disposition,
                                            actor_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except PaymentUnavailable:
        db.session.rollback()
        flash(_("The refund could not be started just now, so the return was not recorded."), "error")
    else:
        from shop.money import format_cny

        flash(_("Return recorded; %(amount)s refunded.", amount=format_cny(refunded)), "success")
    return redirect(url_for("admin.order_detail", number=number))
