"""The shop's clock: now in UTC, today in the shop's time zone (SHOP_TIMEZONE).

Best-before dates, the near-expiry window and the annual limit's calendar year are all days in the shop's
time zone, whatever zone the server runs in.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from shop.db import utcnow


def shop_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def now() -> datetime:
    return utcnow()


def today() -> date:
    return utcnow().astimezone(shop_timezone()).date()
