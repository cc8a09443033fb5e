"""Staff screens for bonded stock: warehouses and locations, lots, receiving, adjustments, dashboards."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop import clock, labels, settings
from shop.admin.auth import STAFF, role_required
from shop.admin.views import bp
from shop.catalog.models import Product
from shop.db import db
from shop.domain import DomainError
from shop.inventory import stock
from shop.inventory.models import ArrivalChannel, Location, Lot, MovementReason, StockMovement, Warehouse


def _today() -> date:
    return clock.today()


@bp.get("/stock")
@role_required(*STAFF)
def stock_dashboard():
    board = stock.dashboard(db.session, today=_today(), near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"),
                            warning_days=settings.value("NEAR_EXPIRY_WARNING_DAYS"),
                            low_stock_threshold=settings.value("LOW_STOCK_THRESHOLD"))
    return render_template("admin/stock.html", board=board, mismatches=stock.ledger_mismatches(db.session))


@bp.get("/lots")
@role_required(*STAFF)
def lots():
    sku = (request.args.get("sku") or "").strip()[:32]
    stmt = (select(Lot).options(joinedload(Lot.product), joinedload(Lot.warehouse), joinedload(Lot.location))
            .order_by(Lot.best_before, Lot.id).limit(300))
    if sku:
        stmt = stmt.join(Product).where(Product.sku == sku)
    return render_template("admin/lots.html", lots=list(db.session.scalars(stmt)), sku=sku, today=_today())


@bp.get("/lots/<int:lot_id>")
@role_required(*STAFF)
def lot_detail(lot_id: int):
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        abort(404)
    movements = list(db.session.scalars(select(StockMovement).where(StockMovement.lot_id == lot.id)
                                        .order_by(StockMovement.id)))
    return render_template("admin/lot.html", lot=lot, movements=movements, reasons=stock.ADJUSTMENT_REASONS)


# Units per receipt or adjustment: keeps every figure well inside the database's integers.
MAX_UNITS = 1_000_000


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    try:
        return int(raw)
    except ValueError:
        return None


def _id(name: str) -> int:
    """A row id from the form, 0 for none (a number too large for the database is none)."""
    value = _int(name)
    return value if value is not None and 0 < value < 2**31 else 0


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        return None


@bp.route("/lots/receive", methods=["GET", "POST"])
@role_required(*STAFF)
def lot_receive():
    warehouses = list(db.session.scalars(select(Warehouse).order_by(Warehouse.code)))
    locations = list(db.session.scalars(select(Location).order_by(Location.code)))
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        product = db.session.scalar(select(Product).where(Product.sku == (form.get("sku") or "").strip()))
        warehouse = db.session.get(Warehouse, _id("warehouse_id"))
        location = db.session.get(Location, _id("location_id")) if form.get("location_id") else None
        quantity, best_before, arrived_on = _int("quantity"), _date("best_before"), _date("arrived_on")
        lot_no = (form.get("lot_no") or "").strip()
        if product is None:
            errors["sku"] = _("No product has this SKU.")
        if warehouse is None:
            errors["warehouse_id"] = _("Choose a warehouse.")
        if location is not None and warehouse is not None and location.warehouse_id != warehouse.id:
            errors["location_id"] = _("This location is in another warehouse.")
        if not lot_no or len(lot_no) > 40:
            errors["lot_no"] = _("Enter the lot number (at most 40 characters).")
        if quantity is None or quantity <= 0:
            errors["quantity"] = _("The quantity must be a positive whole number.")
        elif quantity > MAX_UNITS:
            errors["quantity"] = _("Please enter a quantity between 1 and %(max)d.", max=MAX_UNITS)
        if best_before is None:
            errors["best_before"] = _("Enter a date as YYYY-MM-DD.")
        if arrived_on is None:
            errors["arrived_on"] = _("Enter a date as YYYY-MM-DD.")
        channel = form.get("arrival_channel")
        if channel not in {c.value for c in ArrivalChannel}:
            errors["arrival_channel"] = _("Choose how the lot arrived.")
        entry = (form.get("entry_declaration_no") or "").strip()
        if len(entry) > 32:
            errors["entry_declaration_no"] = _("At most 32 characters.")
        if not errors:
            try:
                lot = stock.receive(db.session, stock.Receipt(
                    product=product, warehouse=warehouse, location=location, lot_no=lot_no, quantity=quantity,
                    best_before=best_before, arrival_channel=ArrivalChannel(channel), arrived_on=arrived_on,
                    entry_declaration_no=entry), actor_id=current_user.id, today=_today())
            except DomainError as exc:
                db.session.rollback()
                errors["form"] = str(exc.message)
            else:
                flash(_("Lot %(lot)s received: %(n)d units.", lot=lot.lot_no, n=lot.quantity_received), "success")
                return redirect(url_for("admin.lot_detail", lot_id=lot.id))
    return render_template(
        "admin/lot_receive.html", errors=errors, form=form, today=_today(),
        warehouse_options=[(w.id, f"{w.code} {w.name_zh}") for w in warehouses],
        location_options=[(loc.id, f"{loc.warehouse.code} · {loc.code}") for loc in locations],
        channel_options=[(c.value, str(labels.ARRIVAL_CHANNELS[c])) for c in ArrivalChannel],
    ), 400 if errors else 200


@bp.post("/lots/<int:lot_id>/adjust")
@role_required(*STAFF)
def lot_adjust(lot_id: int):
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        abort(404)
    quantity = _int("quantity")
    try:
        reason = MovementReason(request.form.get("reason", ""))
    except ValueError:
        reason = None
    if quantity is None or abs(quantity) > MAX_UNITS or reason is None:
        flash(_("Enter a whole number of units and choose a reason."), "error")
        return redirect(url_for("admin.lot_detail", lot_id=lot.id))
    try:
        stock.adjust(db.session, lot, quantity=quantity, reason=reason, note=request.form.get("note", ""),
                     actor_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("The lot is adjusted."), "success")
    return redirect(url_for("admin.lot_detail", lot_id=lot.id))


@bp.route("/warehouses", methods=["GET", "POST"])
@role_required(*STAFF)
def warehouses():
    error = None
    if request.method == "POST":
        warehouse = db.session.get(Warehouse, _id("warehouse_id"))
        code = (request.form.get("code") or "").strip()[:32]
        name = (request.form.get("name") or "").strip()[:100]
        if warehouse is None or not code:
            error = _("Choose a warehouse and enter a location code.")
        elif db.session.scalar(select(Location.id).where(Location.warehouse_id == warehouse.id,
                                                         Location.code == code)):
            error = _("This warehouse already has location %(code)s.", code=code)
        else:
            from shop.audit import record

            location = Location(warehouse=warehouse, code=code, name=name or code)
            db.session.add(location)
            record(db.session, actor_id=current_user.id, action="location.create", obj=location, summary=code)
            flash(_("Location %(code)s added.", code=code), "success")
            return redirect(url_for("admin.warehouses"))
    rows = list(db.session.scalars(select(Warehouse).options(joinedload(Warehouse.locations)).order_by(Warehouse.code)).unique())
    return render_template("admin/warehouses.html", warehouses=rows, error=error), 400 if error else 200
