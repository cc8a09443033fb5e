"""Customs messages for bonded import (mode 1210): CEB311 order, CEB411 payment, CEB511 waybill,
CEB621 inventory list, CEB623 cancel and CEB625 return.

Every document is built from the order's purchase-time snapshot (OrderLine), never from today's catalogue,
and the three-document rules of CBEC-RULES §6 hold by construction: the order, payment, waybill and list of
one order take their shared fields from the same values. The official XSD decides element order; each
builder below lists its fields in that order. Enterprise codes come from configuration (CustomsCodes).

Flow: `build_batches` (≤100 documents of ≤99 lines per message) → `write_messages` (XSD-validates every
file, signs those that must be signed, validates again, and only then writes anything). `stream_messages`
does the same for orders read in chunks, one message in memory at a time (`MessageWriter`).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from shop import security
from shop.catalog.models import NetContentUnit
from shop.customs.xsd import (
    CEB_NS,
    SIGNED_KINDS,
    MessageValidationError,
    Problem,
    validate,
)
from shop.money import to_cents
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment

MAX_DOCUMENTS = 100  # orders (lists, …) per message
MAX_LINES = 99  # lines per document
SHOP_TZ = ZoneInfo("Asia/Shanghai")
CNY = "142"
ID_CARD = "1"  # buyerIdType: resident ID card, the only type allowed
IMPORT = "I"
BONDED_IMPORT = "1210"
BONDED_HEAD_COUNTRY = "142"  # 1210 lists carry China as the head country (goods come from the zone)
APP_TYPE_NEW = "1"
APP_STATUS_DECLARE = "2"
NO_BARCODE = "无"  # the CEB621 rule for goods without a bar code

# Message kind -> the element holding one order's document in it.
DOCUMENT_ELEMENT: dict[str, str] = {
    "CEB311Message": "Order",
    "CEB411Message": "Payment",
    "CEB511Message": "Logistics",
    "CEB621Message": "Inventory",
    "CEB623Message": "InvtCancel",
    "CEB625Message": "InvtRefund",
}
# The element of each kind that repeats per line (only those kinds have lines).
LINE_ELEMENT: dict[str, str] = {
    "CEB311Message": "OrderList",
    "CEB621Message": "InventoryList",
    "CEB625Message": "InvtRefundList",
}


def message_kind(kind: str) -> str:
    """'311', 'CEB311' or 'CEB311Message' -> 'CEB311Message'."""
    digits = kind.upper().removeprefix("CEB").removesuffix("MESSAGE")
    name = f"CEB{digits}Message"
    if name not in DOCUMENT_ELEMENT:
        raise ValueError(f"unknown customs message kind {kind!r}: one of {', '.join(DOCUMENT_ELEMENT)}")
    return name


# --- Inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomsCodes:
    """The operator's registered codes (CBEC-RULES §8): never hard-coded, always from configuration."""

    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    agent_code: str
    agent_name: str
    area_code: str
    area_name: str
    logistics_code: str
    logistics_name: str
    pay_code: str
    pay_name: str
    assure_code: str
    ems_no: str
    customs_code: str
    port_code: str
    traf_mode: str
    cop_code: str
    cop_name: str
    dxp_id: str

    @classmethod
    def from_config(cls, config: Mapping) -> CustomsCodes:
        """From the app's CUSTOMS_* settings (shop/config.py `_customs_settings`)."""
        return cls(**{name: str(config.get(f"CUSTOMS_{name.upper()}", "") or "").strip()
                      for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Stamp:
    """When the messages are produced, in the shop's time zone (appTime, declTime)."""

    at: datetime
    tz: ZoneInfo = SHOP_TZ

    @classmethod
    def now(cls, tz: ZoneInfo = SHOP_TZ) -> Stamp:
        return cls(datetime.now(tz), tz)

    @property
    def app_time(self) -> str:
        return local_time(self.at, self.tz)

    @property
    def decl_date(self) -> str:
        return self.at.astimezone(self.tz).strftime("%Y%m%d")


@dataclass(frozen=True)
class OrderDocs:
    """One order and what its documents need beyond the order: payment, waybill, customs numbers."""

    order: Order
    payment: Payment | None = None
    logistics_no: str | None = None  # the carrier's waybill number; the order's own when not given
    cop_no: str | None = None  # the shop's number for the list (Declaration.cop_no); the order number
    pre_no: str | None = None  # from the e-port's receipt
    invt_no: str | None = None  # from customs' receipt: needed to cancel (623) or return (625)
    reason: str = ""  # why a list is cancelled or goods returned
    returned: tuple[tuple[OrderLine, int], ...] | None = None  # (line, units) for a partial return

    @classmethod
    def from_declaration(cls, declaration, **kw) -> OrderDocs:
        """From a shop.customs.models.Declaration: its order and the numbers the receipts gave it."""
        numbers = {"cop_no": declaration.cop_no, "pre_no": declaration.pre_no, "invt_no": declaration.invt_no}
        return cls(order=declaration.order, **{**numbers, **kw})


class DocumentError(ValueError):
    """An order whose document cannot be built (missing payment, waybill number, 1210 field …)."""

    def __init__(self, order_no: str | None, field: str, detail: str):
        super().__init__(f"order {order_no}, field {field}: {detail}")
        self.order_no, self.field, self.detail = order_no, field, detail


class LegalQuantityError(DocumentError):
    """A line whose quantity in its HS code's legal unit cannot be worked out from the snapshot."""


@dataclass(frozen=True)
class Revealed:
    """The personal data a customs document carries in full (CBEC-RULES §9: only here)."""

    buyer_id_number: str
    buyer_phone: str
    consignee_phone: str


def reveal(order: Order) -> Revealed:
    return Revealed(buyer_id_number=security.decrypt(order.buyer_id_encrypted),
                    buyer_phone=security.decrypt(order.buyer_phone_encrypted),
                    consignee_phone=security.decrypt(order.consignee_phone_encrypted))


# --- Formats (CBEC-RULES §7) --------------------------------------------------------------------------


def local_time(at: datetime, tz: ZoneInfo = SHOP_TZ) -> str:
    """YYYYMMDDhhmmss in the shop's time zone (naive datetimes are taken as UTC, as the database keeps them)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    return at.astimezone(tz).strftime("%Y%m%d%H%M%S")


def money(amount: Decimal) -> str:
    """A plain decimal with two places: 1234.50."""
    return format(to_cents(amount), "f")


_QTY_PLACES = Decimal("0.00001")  # the XSD's fractionDigits=5


def quantity(value: Decimal | int) -> str:
    """A plain decimal of at most five places, no trailing zeros, never an exponent: 2, 1.6, 0.75."""
    rounded = Decimal(value).quantize(_QTY_PLACES, rounding=ROUND_HALF_UP)
    return format(rounded.normalize(), "f")


def new_guid() -> str:
    """36 characters, upper case (the XSD's guid)."""
    return str(uuid.uuid4()).upper()


# --- Legal quantities (CEB621 qty1/qty2) --------------------------------------------------------------

# JGS-20 units measured by weight or volume, and how many of them one kilogram / one millilitre makes.
PER_KILOGRAM = {"035": Decimal(1), "036": Decimal(1000), "070": Decimal("0.001")}  # 千克, 克, 吨
PER_MILLILITRE = {"095": Decimal("0.001"), "096": Decimal(1)}  # 升, 毫升
# Length, area, energy, imperial measures …: no parcel line's count, weight or volume gives them.
UNCOMPUTABLE_UNITS = frozenset({
    "030", "032", "033", "047", "060", "061", "062", "063", "067", "071", "072", "073", "074", "075", "076",
    "077", "078", "079", "080", "081", "083", "084", "085", "086", "088", "089", "097", "098", "099", "101",
    "110", "111", "112", "115", "116", "147", "148", "149",
})


def legal_quantity(line: OrderLine, unit: str, *, field_name: str = "qty1", order_no: str | None = None) -> Decimal:
    """The line's quantity in a legal unit: kilograms = units × net weight; litres = units × net content
    in ml / 1000; pieces and other count units = units."""
    units = Decimal(line.quantity)
    if unit in PER_KILOGRAM:
        if not line.net_weight_kg or line.net_weight_kg <= 0:
            raise LegalQuantityError(order_no, field_name, f"line {line.gnum} has no net weight for unit {unit}")
        return units * Decimal(line.net_weight_kg) * PER_KILOGRAM[unit]
    if unit in PER_MILLILITRE:
        if NetContentUnit(line.net_content_unit) is not NetContentUnit.ML or not line.net_content:
            raise LegalQuantityError(order_no, field_name, (
                f"line {line.gnum}: unit {unit} is a volume, but the net content is "
                f"{line.net_content} {NetContentUnit(line.net_content_unit).value}, not millilitres"))
        return units * Decimal(line.net_content) * PER_MILLILITRE[unit]
    if unit in UNCOMPUTABLE_UNITS:
        raise LegalQuantityError(order_no, field_name,
                                 f"line {line.gnum}: legal unit {unit} cannot be derived from the snapshot")
    return units


# --- Element helpers ----------------------------------------------------------------------------------


def _ceb(name: str) -> str:
    return f"{{{CEB_NS}}}{name}"


Fields = Iterable[tuple[str, str | None]]


def _append(parent: etree._Element, fields: Fields) -> etree._Element:
    """Child elements in the given (XSD) order; None leaves an optional element out, "" writes it empty."""
    for name, value in fields:
        if value is None:
            continue
        etree.SubElement(parent, _ceb(name)).text = value
    return parent


def _element(name: str, fields: Fields) -> etree._Element:
    return _append(etree.Element(_ceb(name), nsmap={"ceb": CEB_NS}), fields)


def _required(order: Order, field_name: str, value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise DocumentError(order.number, field_name, f"{what} is missing")
    return str(value).strip()


def _gmodel(line: OrderLine) -> str:
    """Brand, name and net content: what customs classifies and values the goods by."""
    symbol = {"ml": "ml", "g": "g", "piece": "片"}[NetContentUnit(line.net_content_unit).value]
    return f"{line.brand} {line.name_zh} {quantity(line.net_content)}{symbol}".strip()


def gross_weight(order: Order) -> Decimal:
    """The parcel's weight as packed when known, else the lines' gross weights."""
    if order.package_weight_kg:
        return Decimal(order.package_weight_kg)
    return sum((Decimal(line.gross_weight_kg) * line.quantity for line in order.lines), Decimal(0))


def net_weight(order: Order) -> Decimal:
    return sum((Decimal(line.net_weight_kg) * line.quantity for line in order.lines), Decimal(0))


def _goods_info(order: Order) -> str:
    text = "、".join(f"{line.name_zh}×{line.quantity}" for line in order.lines)
    return text if len(text) <= 200 else text[:199] + "…"


def _succeeded(order: Order, payment: Payment | None) -> Payment:
    if payment is None or payment.succeeded_at is None:
        raise DocumentError(order.number, "payTransactionId", "the order has no succeeded payment")
    if payment.order_id is not None and order.id is not None and payment.order_id != order.id:
        raise DocumentError(order.number, "payTransactionId", f"payment {payment.intent_id} is another order's")
    return payment


# --- Documents, one builder per message type ----------------------------------------------------------


def order_document(order: Order, codes: CustomsCodes, stamp: Stamp, payment: Payment | None = None) -> etree._Element:
    """CEB311 <Order>: head and one OrderList per line. acturalPaid = goods + freight + tax − discount."""
    paid = order.goods_value + order.freight + order.tax_total - order.discount
    if to_cents(paid) != to_cents(order.actual_paid):
        raise DocumentError(order.number, "acturalPaid",
                            f"the order's total {order.actual_paid} is not goods + freight + tax − discount = {paid}")
    person = reveal(order)
    pay_id = payment.intent_id if payment is not None and payment.succeeded_at is not None else None
    document = etree.Element(_ceb("Order"), nsmap={"ceb": CEB_NS})
    document.append(_element("OrderHead", [
        ("guid", new_guid()), ("appType", APP_TYPE_NEW), ("appTime", stamp.app_time),
        ("appStatus", APP_STATUS_DECLARE), ("orderType", IMPORT), ("orderNo", order.number),
        ("ebpCode", codes.ebp_code), ("ebpName", codes.ebp_name),
        ("ebcCode", codes.ebc_code), ("ebcName", codes.ebc_name),
        ("goodsValue", money(order.goods_value)), ("freight", money(order.freight)),
        ("discount", money(order.discount)), ("taxTotal", money(order.tax_total)),
        ("acturalPaid", money(order.actual_paid)), ("currency", CNY),
        # The buyer's registration number on the platform: the shop's account id.
        ("buyerRegNo", str(order.user_id)), ("buyerName", order.buyer_name),
        ("buyerTelephone", person.buyer_phone), ("buyerIdType", ID_CARD),
        ("buyerIdNumber", person.buyer_id_number),
        ("payCode", codes.pay_code if pay_id else None), ("payName", codes.pay_name if pay_id else None),
        ("payTransactionId", pay_id),
        ("consignee", order.consignee_name), ("consigneeTelephone", person.consignee_phone),
        ("consigneeAddress", order.consignee_address), ("consigneeDistrict", order.consignee_division_code or None),
    ]))
    for line in order.lines:
        document.append(_element("OrderList", [
            ("gnum", str(line.gnum)), ("itemNo", line.sku), ("itemName", line.name_zh), ("gmodel", _gmodel(line)),
            ("barCode", line.barcode or None), ("unit", line.unit_code), ("qty", quantity(line.quantity)),
            ("price", money(line.unit_price)), ("totalPrice", money(line.goods_value)), ("currency", CNY),
            ("country", line.origin_code),
        ]))
    return document


def payment_document(order: Order, payment: Payment | None, codes: CustomsCodes, stamp: Stamp) -> etree._Element:
    """CEB411 <Payment> from the Stripe record: intent id, amount, payer, time of success.

    The payer must be the buyer (house rule): the payment keeps the payer's name and masked ID, the order the
    full ID, so the full ID is the order's once the masks agree.
    """
    payment = _succeeded(order, payment)
    person = reveal(order)
    if payment.payer_id_masked != order.buyer_id_masked:
        raise DocumentError(order.number, "payerIdNumber", "the payer's ID is not the buyer's")
    if payment.currency.upper() != "CNY":
        raise DocumentError(order.number, "currency", f"the payment is in {payment.currency}, not CNY")
    return _wrap("Payment", _element("PaymentHead", [
        ("guid", new_guid()), ("appType", APP_TYPE_NEW), ("appTime", stamp.app_time),
        ("appStatus", APP_STATUS_DECLARE), ("payCode", codes.pay_code), ("payName", codes.pay_name),
        ("payTransactionId", payment.intent_id), ("orderNo", order.number),
        ("ebpCode", codes.ebp_code), ("ebpName", codes.ebp_name),
        ("payerIdType", ID_CARD), ("payerIdNumber", person.buyer_id_number), ("payerName", payment.payer_name),
        ("telephone", person.buyer_phone), ("amountPaid", money(payment.amount)), ("currency", CNY),
        ("payTime", local_time(payment.succeeded_at, stamp.tz)),
    ]))


def _wrap(name: str, *children: etree._Element) -> etree._Element:
    document = etree.Element(_ceb(name), nsmap={"ceb": CEB_NS})
    document.extend(children)
    return document


def _logistics_no(order: Order, logistics_no: str | None) -> str:
    return _required(order, "logisticsNo", logistics_no or order.waybill_no, "the waybill number")


def waybill_document(order: Order, logistics_no: str | None, codes: CustomsCodes, stamp: Stamp) -> etree._Element:
    """CEB511 <Logistics>: one parcel (packNo 1) to the order's consignee, exactly as on the order."""
    person = reveal(order)
    return _wrap("Logistics", _element("LogisticsHead", [
        ("guid", new_guid()), ("appType", APP_TYPE_NEW), ("appTime", stamp.app_time),
        ("appStatus", APP_STATUS_DECLARE), ("logisticsCode", codes.logistics_code),
        ("logisticsName", codes.logistics_name), ("logisticsNo", _logistics_no(order, logistics_no)),
        ("orderNo", order.number), ("freight", money(order.freight)), ("insuredFee", money(order.insurance)),
        ("currency", CNY), ("weight", quantity(gross_weight(order))), ("packNo", "1"),
        ("goodsInfo", _goods_info(order)), ("consignee", order.consignee_name),
        ("consigneeAddress", order.consignee_address), ("consigneeTelephone", person.consignee_phone),
    ]))


def _bonded_codes(order: Order, codes: CustomsCodes) -> None:
    """The 1210 fields the XSD leaves optional but bonded lists must carry (CBEC-RULES §7)."""
    for name, value, setting in (("emsNo", codes.ems_no, "CUSTOMS_EMS_NO"),
                                 ("areaCode", codes.area_code, "CUSTOMS_AREA_CODE"),
                                 ("areaName", codes.area_name, "CUSTOMS_AREA_NAME")):
        if not value:
            raise DocumentError(order.number, name, f"required for bonded import (1210): set {setting}")


def inventory_line(order: Order, line: OrderLine) -> etree._Element:
    """One CEB621 line: qty, unit, qty1, unit1[, qty2, unit2] in XSD order, legal quantities from the snapshot."""
    record_no = _required(order, "itemRecordNo", line.item_record_no,
                          f"line {line.gnum}'s account-book item number (required for 1210)")
    qty1 = legal_quantity(line, line.legal_unit1, field_name="qty1", order_no=order.number)
    unit2 = line.legal_unit2 or None
    qty2 = legal_quantity(line, unit2, field_name="qty2", order_no=order.number) if unit2 else None
    return _element("InventoryList", [
        ("gnum", str(line.gnum)), ("itemRecordNo", record_no), ("itemNo", line.sku), ("itemName", line.name_zh),
        ("gcode", line.hs_code), ("gname", line.name_zh), ("gmodel", _gmodel(line)),
        ("barCode", line.barcode or NO_BARCODE), ("country", line.origin_code), ("currency", CNY),
        ("qty", quantity(line.quantity)), ("unit", line.unit_code),
        ("qty1", quantity(qty1)), ("unit1", line.legal_unit1),
        # Both present or both absent.
        ("qty2", quantity(qty2) if unit2 else None), ("unit2", unit2),
        ("price", money(line.unit_price)), ("totalPrice", money(line.goods_value)),
    ])


def inventory_document(order: Order, logistics_no: str | None, codes: CustomsCodes, stamp: Stamp,
                       cop_no: str | None = None) -> etree._Element:
    """CEB621 <Inventory> for bonded import: tradeMode 1210, head country 142, emsNo/areaCode/areaName,
    trafNo/voyageNo/billNo empty, packNo 1; order fields as on CEB311, waybill fields as on CEB511."""
    _bonded_codes(order, codes)
    person = reveal(order)
    document = etree.Element(_ceb("Inventory"), nsmap={"ceb": CEB_NS})
    document.append(_element("InventoryHead", [
        ("guid", new_guid()), ("appType", APP_TYPE_NEW), ("appTime", stamp.app_time),
        ("appStatus", APP_STATUS_DECLARE), ("orderNo", order.number),
        ("ebpCode", codes.ebp_code), ("ebpName", codes.ebp_name),
        ("ebcCode", codes.ebc_code), ("ebcName", codes.ebc_name),
        ("logisticsNo", _logistics_no(order, logistics_no)), ("logisticsCode", codes.logistics_code),
        ("logisticsName", codes.logistics_name), ("copNo", cop_no or order.number),
        ("assureCode", codes.assure_code), ("emsNo", codes.ems_no), ("ieFlag", IMPORT),
        ("declTime", stamp.decl_date), ("customsCode", codes.customs_code), ("portCode", codes.port_code),
        ("buyerIdType", ID_CARD), ("buyerIdNumber", person.buyer_id_number), ("buyerName", order.buyer_name),
        ("buyerTelephone", person.buyer_phone), ("consigneeAddress", order.consignee_address),
        ("agentCode", codes.agent_code), ("agentName", codes.agent_name),
        ("areaCode", codes.area_code), ("areaName", codes.area_name),
        ("tradeMode", BONDED_IMPORT), ("trafMode", codes.traf_mode),
        # Bonded goods leave the zone, not a ship or a plane: no transport, voyage or bill of lading.
        ("trafNo", ""), ("voyageNo", ""), ("billNo", ""),
        ("country", BONDED_HEAD_COUNTRY), ("freight", money(order.freight)), ("insuredFee", money(order.insurance)),
        ("currency", CNY), ("packNo", "1"),
        ("grossWeight", quantity(gross_weight(order))), ("netWeight", quantity(net_weight(order))),
    ]))
    document.extend(inventory_line(order, line) for line in order.lines)
    return document


def _withdrawal_head(order: Order, docs: OrderDocs, codes: CustomsCodes, stamp: Stamp) -> Fields:
    """The head fields CEB623 and CEB625 share, up to the buyer and the agent (XSD order)."""
    person = reveal(order)
    return [
        ("guid", new_guid()), ("appType", APP_TYPE_NEW), ("appTime", stamp.app_time),
        ("appStatus", APP_STATUS_DECLARE), ("customsCode", codes.customs_code), ("orderNo", order.number),
        ("ebpCode", codes.ebp_code), ("ebpName", codes.ebp_name), ("ebcCode", codes.ebc_code),
        ("ebcName", codes.ebc_name), ("logisticsNo", _logistics_no(order, docs.logistics_no)),
        ("logisticsCode", codes.logistics_code), ("logisticsName", codes.logistics_name),
        ("copNo", docs.cop_no or order.number), ("preNo", docs.pre_no or None),
        ("invtNo", _required(order, "invtNo", docs.invt_no, "the list number customs gave the declaration")),
        ("buyerIdType", ID_CARD), ("buyerIdNumber", person.buyer_id_number), ("buyerName", order.buyer_name),
        ("buyerTelephone", person.buyer_phone), ("agentCode", codes.agent_code), ("agentName", codes.agent_name),
        ("reason", _required(order, "reason", docs.reason, "the reason")),
    ]


def cancel_document(docs: OrderDocs, codes: CustomsCodes, stamp: Stamp) -> etree._Element:
    """CEB623 <InvtCancel>: withdraw a declared list before release (then refund)."""
    return _element("InvtCancel", _withdrawal_head(docs.order, docs, codes, stamp))


def refund_document(docs: OrderDocs, codes: CustomsCodes, stamp: Stamp) -> etree._Element:
    """CEB625 <InvtRefund>: goods returned after release; every line in full unless `returned` says which."""
    order = docs.order
    returned = docs.returned if docs.returned is not None else tuple((line, line.quantity) for line in order.lines)
    if not returned:
        raise DocumentError(order.number, "InvtRefundList", "no line is being returned")
    document = _wrap("InvtRefund", _element("InvtRefundHead", _withdrawal_head(order, docs, codes, stamp)))
    for line, units in returned:
        if not 1 <= units <= line.quantity:
            raise DocumentError(order.number, "qty", f"line {line.gnum}: {units} returned of {line.quantity} bought")
        document.append(_element("InvtRefundList", [
            ("gnum", str(line.gnum)), ("gcode", line.hs_code), ("gname", line.name_zh),
            ("qty", quantity(units)), ("unit", line.unit_code),
        ]))
    return document


_BUILDERS: dict[str, Callable[[OrderDocs, CustomsCodes, Stamp], etree._Element]] = {
    "CEB311Message": lambda d, c, s: order_document(d.order, c, s, d.payment),
    "CEB411Message": lambda d, c, s: payment_document(d.order, d.payment, c, s),
    "CEB511Message": lambda d, c, s: waybill_document(d.order, d.logistics_no, c, s),
    "CEB621Message": lambda d, c, s: inventory_document(d.order, d.logistics_no, c, s, d.cop_no),
    "CEB623Message": cancel_document,
    "CEB625Message": refund_document,
}


def build_document(kind: str, docs: OrderDocs | Order, codes: CustomsCodes, stamp: Stamp) -> etree._Element:
    """One order's document of the given kind."""
    docs = docs if isinstance(docs, OrderDocs) else OrderDocs(order=docs)
    return _BUILDERS[message_kind(kind)](docs, codes, stamp)


# --- Messages -----------------------------------------------------------------------------------------


def message(kind: str, documents: Sequence[etree._Element], codes: CustomsCodes) -> etree._ElementTree:
    """The message root (guid, version 1.0) around up to 100 documents, then BaseTransfer."""
    kind = message_kind(kind)
    if not 1 <= len(documents) <= MAX_DOCUMENTS:
        raise ValueError(f"a {kind} holds 1 to {MAX_DOCUMENTS} documents, not {len(documents)}")
    root = etree.Element(_ceb(kind), nsmap={"ceb": CEB_NS}, guid=new_guid(), version="1.0")
    root.extend(documents)
    root.append(_element("BaseTransfer", [
        ("copCode", codes.cop_code), ("copName", codes.cop_name), ("dxpMode", "DXP"), ("dxpId", codes.dxp_id),
    ]))
    return etree.ElementTree(root)


@dataclass
class Batch:
    """One message file: its kind, tree and the orders in it (in document order)."""

    kind: str
    tree: etree._ElementTree
    order_numbers: tuple[str, ...]
    signed: bytes | None = dataclass_field(default=None, repr=False)  # set by MessageWriter once signed

    @property
    def guid(self) -> str:
        return self.tree.getroot().get("guid")

    @property
    def filename(self) -> str:
        return f"{self.kind}_{self.guid}.xml"

    @property
    def needs_signature(self) -> bool:
        return self.kind in SIGNED_KINDS

    def to_bytes(self) -> bytes:
        """The unsigned message, indented for people; once signed, never re-indented."""
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line_count(kind: str, docs: OrderDocs) -> int:
    if kind == "CEB625Message" and docs.returned is not None:
        return len(docs.returned)
    return len(docs.order.lines)


def build_batches(kind: str, orders: Sequence[OrderDocs | Order], codes: CustomsCodes,
                  stamp: Stamp | None = None) -> list[Batch]:
    """Messages of one kind for these orders, at most 100 documents each, in the orders' order.

    Refuses (MessageValidationError naming each order and field) an order of more than 99 lines or one whose
    document cannot be built; every order is tried, so the clerk sees all problems at once.
    """
    kind = message_kind(kind)
    stamp = stamp or Stamp.now()
    items = [o if isinstance(o, OrderDocs) else OrderDocs(order=o) for o in orders]
    documents: list[tuple[str, etree._Element]] = []
    problems: list[Problem] = []
    for docs in items:
        number = docs.order.number
        if kind in LINE_ELEMENT and _line_count(kind, docs) > MAX_LINES:
            problems.append(Problem(kind, number, LINE_ELEMENT[kind], (
                f"{_line_count(kind, docs)} lines; a customs document holds at most {MAX_LINES}: "
                "split the order")))
            continue
        try:
            documents.append((number, build_document(kind, docs, codes, stamp)))
        except DocumentError as exc:
            problems.append(Problem(kind, exc.order_no or number, exc.field, exc.detail))
    if problems:
        raise MessageValidationError(problems)
    batches = []
    for start in range(0, len(documents), MAX_DOCUMENTS):
        chunk = documents[start:start + MAX_DOCUMENTS]
        batches.append(Batch(kind, message(kind, [doc for _, doc in chunk], codes),
                             tuple(number for number, _ in chunk)))
    return batches


# --- Writing ------------------------------------------------------------------------------------------

MAX_PROBLEMS = 1000  # problems listed for the clerk; any beyond are only counted


class MessageWriter:
    """Writes messages all or none while holding only the one being added.

    Each message added is validated against the XSD, signed if its kind must be (only once it validates: an
    invalid document never reaches the signing key), validated again, and written to a hidden `.part` file
    in `out_dir`, so the caller can let go of it. `commit()` renames every part to its final name; when any
    message had a problem it deletes them instead and raises MessageValidationError with the problems found
    (the first MAX_PROBLEMS; the error's `omitted` counts the rest). After a problem, later messages are
    still validated, so that the clerk sees all problems in one go, but no longer signed or written.
    Leaving the `with` block without committing (an error, a signer failing) deletes the parts too.
    """

    def __init__(self, out_dir: str | Path, signer=None, *, max_problems: int | None = None):
        self.out_dir = Path(out_dir)
        self.signer = signer
        self.max_problems = MAX_PROBLEMS if max_problems is None else max_problems
        self.problems: list[Problem] = []
        self.omitted = 0
        self._parts: list[tuple[Path, Path]] = []  # (temporary, final)

    def __enter__(self) -> MessageWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()  # nothing left to discard after commit()

    def add(self, batch: Batch) -> None:
        if batch.needs_signature and self.signer is None:
            raise ValueError(f"{batch.kind} must be signed: pass a signer (shop.customs.signing)")
        self.report(validate(batch.tree, unsigned=batch.needs_signature))
        if self.problems:
            return
        data = batch.to_bytes()
        if batch.needs_signature:
            data = batch.signed = self.signer.sign(data)
            self.report(validate(etree.fromstring(data)))
            if self.problems:
                return
        self._write_part(batch.filename, data)

    def report(self, problems: Sequence[Problem]) -> None:
        """Problems found outside `add` (building the documents) count like validation problems."""
        room = max(self.max_problems - len(self.problems), 0)
        self.problems.extend(problems[:room])
        self.omitted += max(len(problems) - room, 0)

    def commit(self) -> list[Path]:
        """The final paths, in the order the messages were added; or MessageValidationError, nothing written."""
        if self.problems:
            self.discard()
            error = MessageValidationError(self.problems)
            error.omitted = self.omitted
            raise error
        self.out_dir.mkdir(parents=True, exist_ok=True)  # there even when there was nothing to write
        for temporary, final in self._parts:
            os.replace(temporary, final)
        finals = [final for _, final in self._parts]
        self._parts = []
        return finals

    def discard(self) -> None:
        for temporary, _ in self._parts:
            temporary.unlink(missing_ok=True)
        self._parts = []

    def _write_part(self, name: str, data: bytes) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.out_dir, prefix=".", suffix=".part")
        self._parts.append((Path(temporary), self.out_dir / name))  # listed first: a failed write is cleaned up
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)


def write_messages(batches: Sequence[Batch], out_dir: str | Path, signer=None) -> list[Path]:
    """Validate every message against the XSD, sign those that must be signed, validate them again, and only
    then write them all to `out_dir`. Any failure raises MessageValidationError naming the order and the
    field, and writes nothing. Signed files are written byte for byte as signed.
    """
    with MessageWriter(out_dir, signer) as writer:
        for batch in batches:
            writer.add(batch)
        return writer.commit()


def stream_messages(kind: str, chunks: Iterable[Sequence[OrderDocs | Order]], out_dir: str | Path,
                    codes: CustomsCodes, *, signer=None, stamp: Stamp | None = None,
                    progress: Callable[[int], None] | None = None) -> list[Path]:
    """Messages of one kind for orders that arrive in chunks (of MAX_DOCUMENTS: one message each), with the
    guarantees of `write_messages` but one chunk in memory at a time, so an export of any size runs in
    bounded memory. Every chunk is checked even after a problem, to report all of them at once.
    `progress(done)` is called after each chunk with the number of orders handled so far.
    """
    stamp = stamp or Stamp.now()  # one appTime and declTime for the whole export
    done = 0
    with MessageWriter(out_dir, signer) as writer:
        for orders in chunks:
            try:
                batches = build_batches(kind, orders, codes, stamp)
            except MessageValidationError as exc:
                writer.report(exc.problems)
                batches = []
            for batch in batches:
                writer.add(batch)
            done += len(orders)
            if progress is not None:
                progress(done)
        return writer.commit()


# --- The three-document check (CBEC-RULES §6) ---------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One §6 rule broken: which field of which documents, and the two values."""

    field: str  # e.g. "CEB311 acturalPaid = CEB411 amountPaid"
    left: str | None
    right: str | None

    def __str__(self) -> str:
        return f"{self.field}: {self.left!r} ≠ {self.right!r}"


def _element_of(doc) -> etree._Element:
    if isinstance(doc, bytes | str):
        doc = etree.fromstring(doc.encode() if isinstance(doc, str) else doc)
    if isinstance(doc, etree._ElementTree):
        doc = doc.getroot()
    return doc


def _document(doc) -> etree._Element:
    """A document element from an element, a tree or bytes; a message of exactly one document gives that one."""
    doc = _element_of(doc)
    kind = etree.QName(doc).localname
    if kind in DOCUMENT_ELEMENT:
        documents = doc.findall(_ceb(DOCUMENT_ELEMENT[kind]))
        if len(documents) != 1:
            raise ValueError(f"this {kind} holds {len(documents)} documents: pass one order's document")
        doc = documents[0]
    return doc


def _value(doc: etree._Element, name: str) -> str | None:
    """A field of a document (its head, or itself for the flat ones), by namespace URI, not prefix."""
    for head in (doc, *doc):
        found = head.find(_ceb(name))
        if found is not None:
            return (found.text or "").strip()
    return None


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text not in (None, "") else None
    except ArithmeticError:
        return None


def _lines(doc: etree._Element, element: str) -> dict[str, etree._Element]:
    return {(line.findtext(_ceb("gnum")) or "").strip(): line for line in doc.iter(_ceb(element))}


def three_document_check(order_doc, payment_doc, waybill_doc, inventory_doc) -> list[Mismatch]:
    """Compare one order's CEB311, CEB411, CEB511 and CEB621 documents field by field.

    Takes the parsed documents (the <Order>, <Payment>, <Logistics>, <Inventory> elements, or bytes);
    returns every mismatch, each naming its fields, or [] when they agree (what customs' 三单对碰 checks).
    """
    o, p, w, i = (_document(d) for d in (order_doc, payment_doc, waybill_doc, inventory_doc))
    out: list[Mismatch] = []

    def same(left_doc, left_name, right_doc, right_name, left_label, right_label, numeric=False) -> None:
        a, b = _value(left_doc, left_name), _value(right_doc, right_name)
        if not _equal(a, b, numeric):
            out.append(Mismatch(f"{left_label} {left_name} = {right_label} {right_name}", a, b))

    # Amounts: the order's own sum, and the payment.
    mismatch = _paid_mismatch(o)
    if mismatch:
        out.append(mismatch)
    same(o, "acturalPaid", p, "amountPaid", "CEB311", "CEB411", numeric=True)
    # Links between the documents.
    for name in ("orderNo", "ebpCode"):
        same(o, name, p, name, "CEB311", "CEB411")
    if _value(o, "payTransactionId") is not None:
        same(o, "payTransactionId", p, "payTransactionId", "CEB311", "CEB411")
    same(o, "orderNo", w, "orderNo", "CEB311", "CEB511")
    for name in ("consignee", "consigneeTelephone", "consigneeAddress"):
        same(o, name, w, name, "CEB311", "CEB511")
    for name in ("orderNo", "ebpCode", "ebcCode"):
        same(o, name, i, name, "CEB311", "CEB621")
    for name in ("logisticsNo", "logisticsCode"):
        same(w, name, i, name, "CEB511", "CEB621")
    # The buyer: the same on the order and the list, and the payer of the payment.
    for label, doc in (("CEB311", o), ("CEB621", i)):
        if _value(doc, "buyerIdType") != ID_CARD:
            out.append(Mismatch(f"{label} buyerIdType = {ID_CARD}", _value(doc, "buyerIdType"), ID_CARD))
    for name in ("buyerIdNumber", "buyerName"):
        same(o, name, i, name, "CEB311", "CEB621")
    same(o, "buyerIdNumber", p, "payerIdNumber", "CEB311", "CEB411")
    same(o, "buyerName", p, "payerName", "CEB311", "CEB411")
    same(o, "buyerIdType", p, "payerIdType", "CEB311", "CEB411")
    out.extend(_line_mismatches(o, i))
    return out


def _equal(a: str | None, b: str | None, numeric: bool) -> bool:
    """Text compares exactly (what customs compares); amounts as numbers (19050 = 19050.00). A field missing
    from either document is a mismatch, even from both: the rule cannot be shown to hold."""
    if a is None or b is None:
        return False
    if numeric:
        return _decimal(a) is not None and _decimal(a) == _decimal(b)
    return a == b


def _paid_mismatch(order_doc: etree._Element) -> Mismatch | None:
    """CEB311 acturalPaid must be goodsValue + freight + taxTotal − discount."""
    goods, freight, tax, discount = (_decimal(_value(order_doc, n))
                                     for n in ("goodsValue", "freight", "taxTotal", "discount"))
    paid = _value(order_doc, "acturalPaid")
    expected = None if None in (goods, freight, tax, discount) else goods + freight + tax - discount
    if expected is not None and _decimal(paid) == expected:
        return None
    return Mismatch("CEB311 acturalPaid = goodsValue + freight + taxTotal − discount", paid,
                    None if expected is None else str(expected))


def _line_mismatches(order_doc: etree._Element, inventory_doc: etree._Element) -> list[Mismatch]:
    """621 lines one-to-one with 311 lines by gnum; the same goods, quantity and value on each."""
    ordered, listed = _lines(order_doc, "OrderList"), _lines(inventory_doc, "InventoryList")
    out = []
    if set(ordered) != set(listed):
        out.append(Mismatch("CEB311 gnum = CEB621 gnum", ",".join(sorted(ordered, key=_gnum_key)),
                            ",".join(sorted(listed, key=_gnum_key))))
    pairs = (("itemName", "gname"), ("qty", "qty"), ("unit", "unit"), ("price", "price"),
             ("totalPrice", "totalPrice"))
    for gnum in sorted(set(ordered) & set(listed), key=_gnum_key):
        for left, right in pairs:
            a, b = ordered[gnum].findtext(_ceb(left)), listed[gnum].findtext(_ceb(right))
            if not _equal(a, b, numeric=left in ("qty", "price", "totalPrice")):
                out.append(Mismatch(f"line {gnum}: CEB311 {left} = CEB621 {right}", a, b))
    return out


def _gnum_key(gnum: str) -> tuple[int, str]:
    return (int(gnum), "") if gnum.isdigit() else (0, gnum)


def documents_by_order(message_tree) -> dict[str, etree._Element]:
    """A message's documents keyed by orderNo, for pairing the four documents of one order."""
    root = _element_of(message_tree)
    kind = etree.QName(root).localname
    element = DOCUMENT_ELEMENT.get(kind)
    if element is None:
        raise ValueError(f"not a message this module builds: {kind}")
    return {_value(doc, "orderNo"): doc for doc in root.iter(_ceb(element))}
