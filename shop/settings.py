"""Shop settings that administrators change at run time (freight, expiry windows, reservations, stock alerts).

Each has its default from the environment (shop/config.py); a saved value overrides it. Values are cached in the
process for a few seconds so that pages do not pay a query for them; a change is seen everywhere within that time
and at once in the process that made it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shop.db import Base, db, utcnow

CACHE_SECONDS = 10.0


class ShopSetting(Base):
    __tablename__ = "shop_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class Definition:
    key: str
    kind: type  # Decimal or int
    minimum: Decimal
    maximum: Decimal
    label: object
    help: object


DEFINITIONS = {d.key: d for d in (
    Definition("FREIGHT_FEE", Decimal, Decimal("0"), Decimal("1000"), _l("Freight per order (CNY)"),
               _l("Charged on orders below the free-freight threshold.")),
    Definition("FREE_FREIGHT_OVER", Decimal, Decimal("0"), Decimal("100000"), _l("Free freight from (CNY)"),
               _l("Goods value from which freight is free.")),
    Definition("RESERVATION_MINUTES", int, Decimal(5), Decimal(24 * 60), _l("Reservation time (minutes)"),
               _l("How long an unpaid order holds its stock.")),
    Definition("NEAR_EXPIRY_DAYS", int, Decimal(0), Decimal(365), _l("Stop selling before best-before (days)"),
               _l("Lots this close to their best-before date are not sold.")),
    Definition("NEAR_EXPIRY_WARNING_DAYS", int, Decimal(0), Decimal(730), _l("Near-expiry warning (days)"),
               _l("The stock dashboard lists lots this close to their best-before date.")),
    Definition("LOW_STOCK_THRESHOLD", int, Decimal(0), Decimal(100000), _l("Low-stock alert (units)"),
               _l("The stock dashboard lists published goods with fewer sellable units.")),
)}

_cache: dict[int, tuple[float, dict[str, str]]] = {}


def _overrides() -> dict[str, str]:
    app = current_app._get_current_object()
    found = _cache.get(id(app))
    if found is None or time.monotonic() - found[0] > CACHE_SECONDS:
        rows = db.session.execute(select(ShopSetting.key, ShopSetting.value))
        found = (time.monotonic(), {key: value for key, value in rows})
        _cache[id(app)] = found
    return found[1]


def value(key: str):
    """The setting's current value: the saved one, else the configured default."""
    definition = DEFINITIONS[key]
    saved = _overrides().get(key)
    if saved is None:
        return current_app.config[key]
    return definition.kind(saved)


def parse(key: str, text: str):
    """The typed value of `text` for a setting, or ValueError with a message for the form."""
    definition = DEFINITIONS[key]
    try:
        number = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(_l("Not a number.")) from exc
    if not number.is_finite() or not definition.minimum <= number <= definition.maximum:
        raise ValueError(_l("Must be between %(min)s and %(max)s.", min=definition.minimum, max=definition.maximum))
    if definition.kind is int:
        if number != number.to_integral_value():
            raise ValueError(_l("A whole number, please."))
        return int(number)
    return number.quantize(Decimal("0.01"))


def save(session: Session, key: str, new, *, actor_id: int | None) -> None:
    """Save a setting (the audit log keeps the old and new value)."""
    from shop.audit import record

    row = session.get(ShopSetting, key)
    before = {"key": key, "value": str(value(key))}
    if row is None:
        row = ShopSetting(key=key, value=str(new), updated_by=actor_id)
        session.add(row)
    else:
        row.value, row.updated_by = str(new), actor_id
    session.flush()
    record(session, actor_id=actor_id, action="setting.update", obj=row, before=before, summary=f"{key}={new}")
    _cache.pop(id(current_app._get_current_object()), None)
