"""Staff over the API: receive a lot, adjust a lot's stock, the stock dashboard's low-stock and expiry lists.

The roles and the rules are the back office's (shop/admin/inventory.py): the same `STAFF` roles, the same
services in shop/inventory/stock.py, which write the ledger's movement rows and the audit log entries.
"""

from __future__ import annotations

import enum
import inspect
import re
from datetime import date, datetime
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, StringConstraints
from sqlalchemy import select

from shop import clock, labels, settings
from shop.admin.auth import STAFF
from shop.admin.inventory import MAX_UNITS
from shop.api.core import SIGNED_INT_MAX, ApiError, FieldError, Schema, operation
from shop.catalog.models import Product
from shop.db import db
from shop.inventory import stock
from shop.inventory.models import ArrivalChannel, Location, Lot, MovementReason, StockMovement, Warehouse
from shop.templating import localized

LOT_ID = {"type": "integer", "minimum": 1, "maximum": SIGNED_INT_MAX}

# The reasons staff may give for an adjustment: exactly the service's (receipts, sales and returns are not).
AdjustmentReason = enum.StrEnum("AdjustmentReason",
                                {reason.name: reason.value for reason in stock.ADJUSTMENT_REASONS})

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _iso_day(value):
    # pydantic would also read a number (or a string of digits) as a Unix time: 0 would be 1970-01-01.
    if not (isinstance(value, date) or (isinstance(value, str) and ISO_DAY.fullmatch(value))):
        raise ValueError("not a date as YYYY-MM-DD")
    return value


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A day written YYYY-MM-DD, and only that (the schema's `format: date`).
IsoDate = Annotated[date, BeforeValidator(_iso_day)]


class LotReceipt(Schema):
    sku: Annotated[Text, StringConstraints(max_length=32)] = Field(description="the product's SKU")
    warehouse: Annotated[Text, StringConstraints(max_length=32)] = Field(description="the warehouse's code")
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = Field(
        None, description="the code of a location in that warehouse (aisle, shelf, bin); optional")
    lot_no: Annotated[Text, StringConstraints(max_length=40)] = Field(description="the lot (batch) number")
    quantity: int = Field(ge=1, le=MAX_UNITS, description="units received")
    best_before: IsoDate = Field(description="YYYY-MM-DD; must be after today")
    arrival_channel: ArrivalChannel
    entry_declaration_no: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = Field(
        "", description="the entry declaration (进境备案清单) number, if any")
    arrived_on: IsoDate = Field(description="YYYY-MM-DD; not in the future")


class LotOut(Schema):
    id: int
    sku: str
    product_name: str = Field(description="in the language asked for")
    lot_no: str
    quantity_received: int
    on_hand: int = Field(description="units in the lot, as the ledger says")
    reserved: int = Field(description="units set aside for orders not yet shipped")
    free: int = Field(description="on_hand − reserved")
    best_before: date
    arrived_on: date
    warehouse: str = Field(description="the warehouse's code")
    location: str | None = Field(description="the location's code")
    arrival_channel: ArrivalChannel
    arrival_channel_label: str = Field(description="in the language asked for")
    entry_declaration_no: str | None


class Adjustment(Schema):
    quantity: int = Field(ge=-MAX_UNITS, le=MAX_UNITS, description=(
        "signed units: negative leaves the lot; damage and display_sample take only negative numbers"))
    reason: AdjustmentReason
    note: str = Field("", max_length=200)


class MovementOut(Schema):
    id: int
    quantity: int
    reason: str
    reason_label: str = Field(description="in the language asked for")
    note: str
    actor_id: int | None
    created_at: datetime


class AdjustmentOut(Schema):
    lot: LotOut = Field(description="the lot's figures after the adjustment")
    movement: MovementOut = Field(description="the ledger row the adjustment wrote")


class LowStockItem(Schema):
    sku: str
    name: str = Field(description="in the language asked for")
    sellable: int = Field(description="units that can be sold (lots not near expiry, less reserved units)")


class LowStock(Schema):
    threshold: int = Field(description="published products with fewer sellable units than this are listed")
    near_expiry_days: int = Field(description="lots this close to best-before are no longer sold")
    warning_days: int = Field(description="lots expiring within this many days are listed as near expiry")
    limit: int = Field(description="each list holds at most this many entries")
    items: list[LowStockItem] = Field(description="fewest sellable units first")
    near_expiry: list[LotOut] = Field(description="lots with stock expiring soon, first expiry first")
    expired: list[LotOut] = Field(description="lots past best-before that still hold units")


def _lot(lot: Lot, location_codes: dict[int, str] | None = None) -> LotOut:
    """The lot's figures; `location_codes` (id -> code), when given, saves loading each lot's location."""
    if location_codes is None:
        location = lot.location.code if lot.location else None
    else:
        location = location_codes.get(lot.location_id)
    return LotOut(
        id=lot.id, sku=lot.product.sku, product_name=localized(lot.product, "name"), lot_no=lot.lot_no,
        quantity_received=lot.quantity_received, on_hand=lot.on_hand, reserved=lot.reserved, free=lot.free,
        best_before=lot.best_before, arrived_on=lot.arrived_on, warehouse=lot.warehouse.code,
        location=location, arrival_channel=lot.arrival_channel,
        arrival_channel_label=str(labels.ARRIVAL_CHANNELS[lot.arrival_channel]),
        entry_declaration_no=lot.entry_declaration_no)


def _msgid(message) -> str:
    """The untranslated template of a lazy message (flask_babel's LazyString keeps it as its first argument)."""
    args = getattr(message, "_args", ())
    return args[0] if args and isinstance(args[0], str) else str(message)


# Which field each refusal of `stock.receive` is about, by its message. A refusal not listed names no field.
RECEIVE_FIELDS = {
    "The quantity must be a positive whole number.": "quantity",
    "This lot is already past its best-before date.": "best_before",
    "The arrival date cannot be in the future.": "arrived_on",
    "This product already has a lot numbered %(lot)s.": "lot_no",
}


def _refused(exc: stock.StockRefused, field: str | None) -> ApiError:
    field = exc.details.get("field") or field
    errors = [FieldError(field, exc.message)] if field else None
    return ApiError(exc.code, exc.message, errors=errors)


@operation("POST", "/staff/lots", summary="Receive a lot", tag="staff", auth=STAFF, body=LotReceipt,
           response=LotOut, status=201, errors=("stock_refused",))
def receive_lot(user, body: LotReceipt):
    """A lot enters the bonded zone: its receipt movement and an audit entry, as with the back office's
    receiving form. Unknown SKU, warehouse or location codes are `validation_error`s naming the field; the
    stock rules' refusals (best-before not after today, arrival in the future, a lot number the product has
    already) are `stock_refused`, with the field in `errors`."""
    errors: list[FieldError] = []
    product = db.session.scalar(select(Product).where(Product.sku == body.sku))
    if product is None:
        errors.append(FieldError("sku", _l("No product has this SKU.")))
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == body.warehouse))
    if warehouse is None:
        errors.append(FieldError("warehouse", _l("No warehouse has this code.")))
    location = None
    if body.location and warehouse is not None:
        location = db.session.scalar(select(Location).where(Location.warehouse_id == warehouse.id,
                                                            Location.code == body.location))
        if location is None:
            errors.append(FieldError("location", _l("This warehouse has no location with this code.")))
    if errors:
        raise ApiError("validation_error", errors=errors)
    try:
        lot = stock.receive(db.session, stock.Receipt(
            product=product, warehouse=warehouse, location=location, lot_no=body.lot_no, quantity=body.quantity,
            best_before=body.best_before, arrival_channel=body.arrival_channel, arrived_on=body.arrived_on,
            entry_declaration_no=body.entry_declaration_no), actor_id=user.id, today=clock.today())
    except stock.StockRefused as exc:  # the answer is an error: the request's transaction rolls back
        raise _refused(exc, RECEIVE_FIELDS.get(_msgid(exc.message))) from None
    return _lot(lot)


@operation("POST", "/staff/lots/{lot_id}/adjustments", summary="Adjust a lot's stock", tag="staff", auth=STAFF,
           body=Adjustment, response=AdjustmentOut, status=201, errors=("not_found", "stock_refused"),
           path_params={"lot_id": LOT_ID})
def adjust_lot(user, lot_id: int, body: Adjustment):
    """A signed movement with a reason (damage, count correction, display sample), as on the lot's page: never
    below the units reserved for orders (`stock_refused`). Answers the lot's new figures and the ledger row."""
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise ApiError("not_found", f"lot {lot_id}")
    try:
        movement: StockMovement = stock.adjust(db.session, lot, quantity=body.quantity,
                                               reason=MovementReason(body.reason.value), note=body.note,
                                               actor_id=user.id)
    except stock.StockRefused as exc:
        raise _refused(exc, "quantity") from None
    return AdjustmentOut(lot=_lot(lot), movement=MovementOut(
        id=movement.id, quantity=movement.quantity, reason=movement.reason.value,
        reason_label=str(labels.MOVEMENT_REASONS[movement.reason]), note=movement.note,
        actor_id=movement.actor_id, created_at=movement.created_at))


@operation("GET", "/staff/low-stock", summary="Low stock and lots near expiry", tag="staff", auth=STAFF,
           response=LowStock)
def low_stock(user):
    """The stock dashboard's lists, with the dashboard's settings (LOW_STOCK_THRESHOLD, NEAR_EXPIRY_DAYS,
    NEAR_EXPIRY_WARNING_DAYS): published products short of sellable units, lots expiring soon, expired lots
    still on hand."""
    threshold = settings.value("LOW_STOCK_THRESHOLD")
    near_days, warning_days = settings.value("NEAR_EXPIRY_DAYS"), settings.value("NEAR_EXPIRY_WARNING_DAYS")
    board = stock.dashboard(db.session, today=clock.today(), near_expiry_days=near_days, warning_days=warning_days,
                            low_stock_threshold=threshold)
    limit = inspect.signature(stock.dashboard).parameters["limit"].default  # the page's lists, as long
    # The dashboard loads the lots' products and warehouses, not their locations: their codes come from one
    # query here instead of one query per lot.
    ids = {lot.location_id for lot in board.near_expiry + board.expired if lot.location_id is not None}
    rows = db.session.execute(select(Location.id, Location.code).where(Location.id.in_(ids))) if ids else []
    codes = {location_id: code for location_id, code in rows}
    return LowStock(
        threshold=threshold, near_expiry_days=near_days, warning_days=warning_days, limit=limit,
        items=[LowStockItem(sku=p.sku, name=localized(p, "name"), sellable=q) for p, q in board.low_stock],
        near_expiry=[_lot(lot, codes) for lot in board.near_expiry],
        expired=[_lot(lot, codes) for lot in board.expired])
