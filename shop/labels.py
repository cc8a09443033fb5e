"""Names shown to people for the shop's enumerations, in both languages."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from shop.accounts.models import Role
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.inventory.models import ArrivalChannel

ARRIVAL_CHANNELS = {
    ArrivalChannel.RAIL_EUROPE: _l("China–Europe Railway Express"),
    ArrivalChannel.SEA_RAIL_DALIAN: _l("Sea–rail via Dalian"),
    ArrivalChannel.SEA_RAIL_YINGKOU: _l("Sea–rail via Yingkou"),
    ArrivalChannel.ROAD_TIR: _l("TIR road freight"),
    ArrivalChannel.AIR: _l("Air freight"),
}

ROLES = {
    Role.SHOPPER: _l("Shopper"),
    Role.STAFF: _l("Staff"),
    Role.CLERK: _l("Customs clerk"),
    Role.ADMIN: _l("Administrator"),
}

NET_CONTENT_UNITS = {
    NetContentUnit.ML: _l("ml"),
    NetContentUnit.G: _l("g"),
    NetContentUnit.PIECE: _l("pcs"),
}

CONSUMPTION_TAX_CATEGORIES = {
    ConsumptionTaxCategory.NONE: _l("None"),
    ConsumptionTaxCategory.COSMETICS: _l("High-end cosmetics"),
    ConsumptionTaxCategory.WATCH: _l("High-end watches"),
    ConsumptionTaxCategory.WINE: _l("Wine and fruit wine"),
    ConsumptionTaxCategory.JEWELLERY_5: _l("Gold and silver jewellery"),
    ConsumptionTaxCategory.JEWELLERY_10: _l("Other jewellery"),
    ConsumptionTaxCategory.GOLF: _l("Golf equipment"),
}


def net_content(amount: Decimal, unit: NetContentUnit) -> str:
    text = f"{amount.normalize():f}"
    return f"{text} {NET_CONTENT_UNITS[NetContentUnit(unit)]}"


def percent(rate: Decimal) -> str:
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"
