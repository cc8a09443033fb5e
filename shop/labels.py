"""Names shown to people for the shop's enumerations, in both languages."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from shop.accounts.models import Role
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.customs.models import DeclarationStatus
from shop.inventory.models import ArrivalChannel, MovementReason
from shop.orders.models import OrderStatus

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


ORDER_STATUSES = {
    OrderStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.DECLARED: _l("Declared to customs"),
    OrderStatus.RELEASED: _l("Released by customs"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REJECTED: _l("Rejected by customs"),
    OrderStatus.RETURNED: _l("Returned"),
}

# What each step means, in plain words, for the shopper's timeline.
ORDER_STATUS_EXPLAINED = {
    OrderStatus.AWAITING_PAYMENT: _l("Your goods are reserved for you. Pay before the time runs out, or they "
                                     "go back on sale."),
    OrderStatus.PAID: _l("Payment received, including the cross-border tax the shop withholds for you. We are "
                         "preparing the customs declaration."),
    OrderStatus.DECLARED: _l("The parcel's inventory list has been declared to customs under your name and ID "
                             "number, matched with the order, the payment and the waybill."),
    OrderStatus.RELEASED: _l("Customs has released the parcel and collected the tax: it may now leave the "
                             "bonded zone."),
    OrderStatus.SHIPPED: _l("The parcel has left the bonded zone and is with the courier."),
    OrderStatus.DELIVERED: _l("The parcel has been delivered. Returns are possible within 30 days of release."),
    OrderStatus.CANCELLED: _l("The order is cancelled. Any payment is refunded in full to your card."),
    OrderStatus.REJECTED: _l("Customs did not accept the declaration. Your payment is refunded in full."),
    OrderStatus.RETURNED: _l("The goods were returned. The payment is refunded, the tax is not collected and "
                             "your annual quota is restored."),
}

# The normal path of an order, for the timeline.
ORDER_PATH = (OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.DECLARED, OrderStatus.RELEASED,
              OrderStatus.SHIPPED, OrderStatus.DELIVERED)

MOVEMENT_REASONS = {
    MovementReason.RECEIPT: _l("Received"),
    MovementReason.SALE: _l("Shipped with an order"),
    MovementReason.RETURN: _l("Returned by a shopper"),
    MovementReason.DAMAGE: _l("Damaged"),
    MovementReason.CORRECTION: _l("Count correction"),
    MovementReason.DISPLAY_SAMPLE: _l("Moved to display as a sample"),
}

DECLARATION_STATUSES = {
    DeclarationStatus.PENDING: _l("Not yet declared"),
    DeclarationStatus.DECLARED: _l("Declared"),
    DeclarationStatus.ACCEPTED: _l("Accepted"),
    DeclarationStatus.REVIEW: _l("Under manual review"),
    DeclarationStatus.CONCLUDED: _l("Review concluded"),
    DeclarationStatus.INSPECTION: _l("Under inspection"),
    DeclarationStatus.DETAINED: _l("Detained"),
    DeclarationStatus.RELEASED: _l("Released"),
    DeclarationStatus.CLOSED: _l("Closed"),
    DeclarationStatus.REJECTED: _l("Rejected"),
    DeclarationStatus.ERROR: _l("Error"),
    DeclarationStatus.CANCELLED: _l("Cancelled"),
}
