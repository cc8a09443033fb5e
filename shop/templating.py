"""Template filters and globals: money, bilingual fields, customs code names."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from shop import labels, settings
from shop.customs import codes
from shop.money import format_cny

# English names for the JGS-20 unit codes the catalogue uses; the code table itself is Chinese only.
UNIT_NAMES_EN = {
    "001": "unit", "006": "set", "007": "piece", "008": "piece", "011": "item", "019": "pair",
    "025": "pair", "035": "kg", "036": "g", "095": "litre", "096": "ml", "120": "case", "122": "can",
    "125": "pack", "136": "bag", "140": "box", "142": "bottle", "163": "piece",
}


def locale_code() -> str:
    return str(get_locale() or "zh_CN")


def is_zh() -> bool:
    return locale_code().startswith("zh")


def localized(obj, field: str) -> str:
    """obj.<field>_zh or obj.<field>_en, by the current language."""
    return getattr(obj, f"{field}_zh" if is_zh() else f"{field}_en")


def country_name(code: str) -> str:
    country = codes.country(code)
    if country is None:
        return code
    return country.name_zh if is_zh() else country.name_en


def unit_name(code: str | None) -> str:
    if not code:
        return ""
    if is_zh():
        return codes.units().get(code, code)
    return UNIT_NAMES_EN.get(code, codes.units().get(code, code))


def page_url(page: int) -> str:
    """This page's URL with another page number, keeping the other query arguments.

    Built as a query string rather than through url_for: a user's ?endpoint= or ?_method= would clash with
    url_for's own keywords.
    """
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.path}?{urlencode([*args, ('page', page)])}"


def local_time(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC moment shown in the shop's time zone."""
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).strftime(fmt)


def said(line) -> str:
    """A report line (shop.customs.receipts.Said) in the reader's language; statuses by their names."""
    from flask_babel import gettext

    from shop.customs.models import DeclarationStatus
    from shop.orders.models import OrderStatus

    template = getattr(line, "template", None)
    if template is None:
        return str(line)

    def shown(value):
        if isinstance(value, DeclarationStatus):
            return str(labels.DECLARATION_STATUSES[value])
        if isinstance(value, OrderStatus):
            return str(labels.ORDER_STATUSES[value])
        return said(value)

    return gettext(template, **{key: shown(value) for key, value in line.params.items()})


def register(app) -> None:
    app.jinja_env.filters["money"] = format_cny
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["unit"] = unit_name
    app.jinja_env.filters["net_content"] = labels.net_content
    app.jinja_env.filters["percent"] = labels.percent
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["said"] = said
    app.jinja_env.globals.update(
        localized=localized, locale_code=locale_code, setting=settings.value, is_zh=is_zh, page_url=page_url,
        arrival_channels=labels.ARRIVAL_CHANNELS, consumption_tax_categories=labels.CONSUMPTION_TAX_CATEGORIES,
        role_names=labels.ROLES, order_statuses=labels.ORDER_STATUSES,
        declaration_statuses=labels.DECLARATION_STATUSES, movement_reasons=labels.MOVEMENT_REASONS,
        order_status_explained=labels.ORDER_STATUS_EXPLAINED, order_path=labels.ORDER_PATH,
    )

    @app.context_processor
    def _cart_count():
        from shop.cart.services import item_count_for_request

        return {"cart_count": item_count_for_request(), "current_user": current_user}
