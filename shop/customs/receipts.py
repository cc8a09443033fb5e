"""Customs receipts: parse CEB312/412/512/622/624/626 receipts and CEB816 tax bills, and apply them.

Every receipt is kept as a `DeclarationReceipt` (the declaration's history); a receipt already imported (same
content digest) changes nothing. Only CEB622 inventory receipts move the declaration, and never backwards:

    pending 0 < declared 1 (2, 3) < accepted 2 (120) < review 3 (300) < concluded 4 (399)
      < inspection 5 (500) < detained 6 (501-599) < released 7 (800) < closed 8 (899)

Review (人工审核) happens before customs concludes the list (清单审结); inspection (查验) and detention follow
conclusion and come before release, so they rank above it: 399 then 500 is inspection, 500 then a late 399
stays inspection. A receipt of the same rank (e.g. 502 after 501) only updates the code and text when it is
newer by returnTime.

Rejection (100) and errors (negative codes) apply only before release, and only when the receipt is the newest
one seen by returnTime (an old rejection arriving late does not undo a later acceptance). Rejection is final:
the order is rejected, its stock released and its payment refunded; later receipts are recorded, not applied.
An error is not final (the clerk may correct and declare again): a newer progress receipt moves it on. The
errors that cannot be corrected (`FINAL_ERRORS`: over the single or annual limit) are handled as a rejection.
Cancelled declarations (the shopper cancelled) do not move either.

Codes 1 (draft), 4 (send failed) and 700 (returned abroad) are recorded with no change of status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.customs.models import Declaration, DeclarationReceipt, DeclarationStatus, DeclarationTaxLine
from shop.customs.xsd import CEB_NS
from shop.db import utcnow
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus
from shop.orders.status import IllegalTransition
from shop.payments.models import Payment

SHOP_TZ_NAME = "Asia/Shanghai"
D = DeclarationStatus

RANK: dict[DeclarationStatus, int] = {
    D.PENDING: 0, D.DECLARED: 1, D.ACCEPTED: 2, D.REVIEW: 3, D.CONCLUDED: 4, D.INSPECTION: 5, D.DETAINED: 6,
    D.RELEASED: 7, D.CLOSED: 8,
}
FINAL = frozenset({D.REJECTED, D.CANCELLED})
FINAL_ERRORS = frozenset({"-621005", "-621018"})  # over the single-order limit, over the annual limit

# The receipt element of each message type, and the field it is matched on.
RECEIPTS: dict[str, tuple[str, str]] = {
    "CEB312": ("OrderReturn", "orderNo"),
    "CEB412": ("PaymentReturn", "payTransactionId"),
    "CEB512": ("LogisticsReturn", "logisticsNo"),
    "CEB622": ("InventoryReturn", "copNo"),
    "CEB624": ("InvtCancelReturn", "copNo"),
    "CEB626": ("InvtRefundReturn", "copNo"),
}
TAX_BILL = "CEB816"


def status_for(code: str) -> DeclarationStatus | None:
    """The declaration status a CEB622 returnStatus stands for (None: recorded only)."""
    try:
        number = int(code)
    except ValueError:
        return None
    if number < 0:
        return D.ERROR
    if number in (2, 3):
        return D.DECLARED
    if 501 <= number <= 599:
        return D.DETAINED
    return {120: D.ACCEPTED, 300: D.REVIEW, 399: D.CONCLUDED, 500: D.INSPECTION, 800: D.RELEASED,
            899: D.CLOSED, 100: D.REJECTED}.get(number)


def should_apply(current: DeclarationStatus, last: datetime | None, new: DeclarationStatus,
                 at: datetime) -> bool:
    """Whether a receipt meaning `new` at `at` moves (or updates) a declaration now `current` (last receipt at
    `last`). See the module's doc for the rules."""
    newer = last is None or at > last
    if current in FINAL:
        return False
    if new in (D.REJECTED, D.ERROR):
        before_release = current is D.ERROR or RANK[current] < RANK[D.RELEASED]
        return before_release and newer
    if current is D.ERROR:
        return newer
    if RANK[new] > RANK[current]:
        return True
    return RANK[new] == RANK[current] and newer


# --- what an import reports -----------------------------------------------------------------------------


def N_(template: str) -> str:  # noqa: N802 - the usual name of a marker for strings translated later
    """Marks a message for translation where it is shown, not where it is made."""
    return template


class Said(str):
    """A report line: the English text (for the command line and logs) that remembers its template and values,
    so that a page can show it in the reader's language (`shop.templating` filter `said`)."""

    template: str
    params: dict

    def __new__(cls, template: str, params: dict):
        text = super().__new__(cls, template % {k: getattr(v, "value", v) for k, v in params.items()})
        text.template, text.params = template, params
        return text


def say(template: str, **params) -> Said:
    return Said(template, params)


def _encoded(value):
    """A report line or value as plain JSON (a job keeps its report in the database)."""
    from shop.orders.models import OrderStatus

    if isinstance(value, Said):
        return {"template": value.template, "params": {k: _encoded(v) for k, v in value.params.items()}}
    if isinstance(value, DeclarationStatus):
        return {"declaration_status": value.value}
    if isinstance(value, OrderStatus):
        return {"order_status": value.value}
    return value if isinstance(value, int | float) else str(value)


def _decoded(value):
    from shop.orders.models import OrderStatus

    if isinstance(value, dict):
        if "declaration_status" in value:
            return DeclarationStatus(value["declaration_status"])
        if "order_status" in value:
            return OrderStatus(value["order_status"])
        return Said(value["template"], {k: _decoded(v) for k, v in value["params"].items()})
    return value


# --- parsing -------------------------------------------------------------------------------------------


@dataclass
class TaxLine:
    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal


@dataclass
class Receipt:
    message_type: str
    key_field: str  # copNo, orderNo, payTransactionId, logisticsNo or invtNo
    key: str
    return_status: str
    return_time: datetime
    return_info: str
    digest: str
    pre_no: str = ""
    invt_no: str = ""
    tax_no: str = ""
    tax_lines: list[TaxLine] = field(default_factory=list)


class ReceiptError(Exception):
    """A file that is not a receipt this shop can read."""


def _local(element) -> str:
    return etree.QName(element).localname


def _fields(element) -> dict[str, str]:
    return {_local(child): (child.text or "").strip() for child in element
            if isinstance(child.tag, str) and len(child) == 0}


def _digest(message_type: str, element) -> str:
    """What the receipt says, whatever its guid (a receipt sent again may carry a new one) or layout."""
    parts = [message_type]
    for node in element.iter():
        if isinstance(node.tag, str) and _local(node) != "guid":
            parts.append(f"{_local(node)}={(node.text or '').strip()}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def parse_time(value: str) -> datetime:
    """returnTime YYYYMMDDhhmmssSSS (China time) as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    value = value.strip()
    if len(value) != 17 or not value.isdigit():
        raise ReceiptError(f"returnTime {value!r} is not YYYYMMDDhhmmssSSS")
    local = datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(
        microsecond=int(value[14:]) * 1000, tzinfo=ZoneInfo(SHOP_TZ_NAME))
    return local.astimezone(ZoneInfo("UTC"))


def _decimal(fields: dict[str, str], name: str) -> Decimal:
    try:
        return Decimal(fields.get(name) or "0")
    except InvalidOperation:
        raise ReceiptError(f"{name} {fields.get(name)!r} is not a number") from None


def message_type_of(root) -> str:
    """CEB622 for a CEB622Message root in the customs namespace ('' when it is none of those)."""
    qname = etree.QName(root)
    if qname.namespace != CEB_NS or not qname.localname.endswith("Message"):
        return ""
    return qname.localname[: -len("Message")]


def parse(data: bytes) -> tuple[str, list[Receipt]]:
    """The message type and its receipts, whether the file uses the ceb: prefix or the default namespace.

    Raises ReceiptError for a file that is not XML or not a customs message; an unknown message type gives
    ("CEBnnn", []) so that the caller can list it.
    """
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise ReceiptError(f"not XML: {error}") from None
    message_type = message_type_of(root)
    if not message_type:
        raise ReceiptError(f"not a customs message: <{etree.QName(root).localname}>")
    if message_type == TAX_BILL:
        return message_type, [_tax_bill(tax) for tax in root.iterfind(f"{{{CEB_NS}}}Tax")]
    if message_type not in RECEIPTS:
        return message_type, []
    element_name, key_field = RECEIPTS[message_type]
    receipts = []
    for element in root.iterfind(f"{{{CEB_NS}}}{element_name}"):
        fields = _fields(element)
        receipts.append(Receipt(
            message_type=message_type, key_field=key_field, key=fields.get(key_field, ""),
            return_status=fields.get("returnStatus", ""), return_time=parse_time(fields.get("returnTime", "")),
            return_info=fields.get("returnInfo", "")[:1000], digest=_digest(message_type, element),
            pre_no=fields.get("preNo", ""), invt_no=fields.get("invtNo", ""),
        ))
    return message_type, receipts


def _tax_bill(tax) -> Receipt:
    head = tax.find(f"{{{CEB_NS}}}TaxHeadRd")
    if head is None:
        raise ReceiptError("a CEB816 Tax without TaxHeadRd")
    fields = _fields(head)
    lines = []
    for line in tax.iterfind(f"{{{CEB_NS}}}TaxListRd"):
        lf = _fields(line)
        lines.append(TaxLine(gnum=int(lf.get("gnum") or 0), gcode=lf.get("gcode", ""),
                             tax_price=_decimal(lf, "taxPrice"), customs_tax=_decimal(lf, "customsTax"),
                             value_added_tax=_decimal(lf, "valueAddedTax"),
                             consumption_tax=_decimal(lf, "consumptionTax")))
    return Receipt(
        message_type=TAX_BILL, key_field="invtNo", key=fields.get("invtNo", ""),
        return_status=fields.get("status", ""), return_time=parse_time(fields.get("returnTime", "")),
        return_info=fields.get("note", "")[:1000], digest=_digest(TAX_BILL, tax), invt_no=fields.get("invtNo", ""),
        tax_no=fields.get("taxNo", ""), tax_lines=lines,
    )


# --- applying ------------------------------------------------------------------------------------------


@dataclass
class FileReport:
    name: str
    message_type: str = ""
    recorded: int = 0
    moved: list[str] = field(default_factory=list)  # "cop_no: accepted -> released"
    released: list[str] = field(default_factory=list)  # order numbers
    rejected: list[str] = field(default_factory=list)
    tax_bills: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # unknown orders / message types, unreadable files
    notes: list[str] = field(default_factory=list)  # recorded but not applied, conflicts

    def as_json(self) -> dict:
        """Plain JSON, report lines keeping their templates (a job keeps its report in the database)."""
        return {f.name: [_encoded(v) for v in value] if isinstance(value := getattr(self, f.name), list) else value
                for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> FileReport:
        return cls(**{name: [_decoded(v) for v in value] if isinstance(value, list) else value
                      for name, value in data.items()})

    def lines(self) -> list[str]:
        out = [f"{self.name} ({self.message_type or '?'}): {self.recorded} receipts recorded, "
               f"{len(self.duplicates)} duplicates, {len(self.unknown)} unknown"]
        out += [f"  moved {m}" for m in self.moved]
        out += [f"  order {n} released" for n in self.released]
        out += [f"  order {n} rejected, stock released, refunded" for n in self.rejected]
        out += [f"  tax bill {t}" for t in self.tax_bills]
        out += [f"  unknown: {u}" for u in _counted(self.unknown)]
        out += [f"  duplicate: {d}" for d in _counted(self.duplicates)]
        out += [f"  note: {n}" for n in self.notes]
        return out


def _counted(items: list[str]) -> list[str]:
    """Each distinct item once, with how many times it came when more than once."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return [item if n == 1 else f"{item} (x{n})" for item, n in counts.items()]


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [line for f in self.files for line in f.lines()]
        total = sum(f.recorded for f in self.files)
        out.append(f"{len(self.files)} files, {total} receipts recorded, "
                   f"{sum(len(f.duplicates) for f in self.files)} duplicates, "
                   f"{sum(len(f.unknown) for f in self.files)} unknown.")
        return out


def find_declaration(session: Session, receipt: Receipt) -> Declaration | None:
    key = receipt.key
    if not key and not receipt.invt_no:
        return None
    if receipt.key_field == "copNo":
        found = session.scalar(select(Declaration).where(Declaration.cop_no == key)) if key else None
        if found is None and receipt.invt_no:
            found = session.scalar(select(Declaration).where(Declaration.invt_no == receipt.invt_no))
        return found
    if receipt.key_field == "invtNo":
        return session.scalar(select(Declaration).where(Declaration.invt_no == key))
    if receipt.key_field == "orderNo":
        return session.scalar(select(Declaration).join(Order, Declaration.order_id == Order.id)
                              .where(Order.number == key))
    if receipt.key_field == "payTransactionId":
        return session.scalar(select(Declaration).join(Payment, Payment.order_id == Declaration.order_id)
                              .where(Payment.intent_id == key))
    if receipt.key_field == "logisticsNo":
        return session.scalar(select(Declaration).join(Order, Declaration.order_id == Order.id)
                              .where(Order.waybill_no == key))
    return None


def import_file(session: Session, path: Path | str, *, now: datetime | None = None) -> FileReport:
    """Import one receipt file (flushes, does not commit)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        report = FileReport(name=path.name)
        report.unknown.append(say(N_("unreadable file: %(error)s"), error=str(error)))
        return report
    return import_data(session, path.name, data, now=now)


def import_data(session: Session, name: str, data: bytes, *, now: datetime | None = None) -> FileReport:
    """Import the receipts of one file's content, e.g. an upload (flushes, does not commit)."""
    report = FileReport(name=name)
    try:
        message_type, receipts = parse(data)
    except (ReceiptError, ValueError) as error:  # ValueError: a number field that is not a number
        report.unknown.append(say(N_("unreadable file: %(error)s"), error=str(error)))
        return report
    report.message_type = message_type
    if message_type not in RECEIPTS and message_type != TAX_BILL:
        report.unknown.append(say(N_("unknown message type %(type)s"), type=message_type))
        return report
    for receipt in receipts:
        apply_receipt(session, receipt, report, source_file=name, now=now or utcnow())
    return report


def apply_receipt(session: Session, receipt: Receipt, report: FileReport, *, source_file: str,
                  now: datetime) -> None:
    label = say(N_("%(type)s %(field)s %(key)s status %(code)s"), type=receipt.message_type, field=receipt.key_field,
                key=receipt.key, code=receipt.return_status)
    if session.scalar(select(DeclarationReceipt.id).where(DeclarationReceipt.digest == receipt.digest)):
        report.duplicates.append(label)
        return
    declaration = find_declaration(session, receipt)
    if declaration is None:
        report.unknown.append(say(N_("no declaration for %(receipt)s"), receipt=label))
        return
    history = DeclarationReceipt(
        declaration=declaration, message_type=receipt.message_type, return_status=receipt.return_status,
        return_time=receipt.return_time, return_info=receipt.return_info, digest=receipt.digest,
        source_file=source_file[:255], imported_at=now)
    session.add(history)
    report.recorded += 1
    if receipt.message_type == "CEB622":
        history.applied = _apply_inventory_receipt(session, declaration, receipt, report, now=now)
    elif receipt.message_type == TAX_BILL:
        history.applied = _apply_tax_bill(declaration, receipt, report, now=now)
    session.flush()


def _apply_tax_bill(declaration: Declaration, receipt: Receipt, report: FileReport, *, now: datetime) -> bool:
    if receipt.return_status == "3":  # 作废: a void bill
        report.notes.append(say(N_("tax bill %(bill)s for %(cop)s is void: recorded only"), bill=receipt.tax_no,
                                cop=declaration.cop_no))
        return False
    declaration.tax_no = receipt.tax_no
    declaration.tax_price = sum((line.tax_price for line in receipt.tax_lines), Decimal(0))
    declaration.customs_tax = sum((line.customs_tax for line in receipt.tax_lines), Decimal(0))
    declaration.value_added_tax = sum((line.value_added_tax for line in receipt.tax_lines), Decimal(0))
    declaration.consumption_tax = sum((line.consumption_tax for line in receipt.tax_lines), Decimal(0))
    declaration.tax_recorded_at = now
    declaration.tax_lines.clear()
    for line in receipt.tax_lines:
        declaration.tax_lines.append(DeclarationTaxLine(
            gnum=line.gnum, gcode=line.gcode, tax_price=line.tax_price, customs_tax=line.customs_tax,
            value_added_tax=line.value_added_tax, consumption_tax=line.consumption_tax))
    report.tax_bills.append(say(
        N_("%(bill)s for %(cop)s: duty-paid value %(value)s, customs tax %(duty)s, VAT %(vat)s, consumption tax "
           "%(ct)s"), bill=receipt.tax_no, cop=declaration.cop_no, value=declaration.tax_price,
        duty=declaration.customs_tax, vat=declaration.value_added_tax, ct=declaration.consumption_tax))
    return True


def _apply_inventory_receipt(session: Session, declaration: Declaration, receipt: Receipt, report: FileReport,
                             *, now: datetime) -> bool:
    if receipt.pre_no and not declaration.pre_no:
        declaration.pre_no = receipt.pre_no[:18]
    if receipt.invt_no and not declaration.invt_no:
        declaration.invt_no = receipt.invt_no[:18]
    new = status_for(receipt.return_status)
    if new is None:
        report.notes.append(say(N_("%(cop)s: code %(code)s recorded, no change of status"), cop=declaration.cop_no,
                                code=receipt.return_status))
        return False
    current = declaration.status
    if not should_apply(current, declaration.last_receipt_at, new, receipt.return_time):
        report.notes.append(say(N_("%(cop)s: %(new)s (%(code)s) not applied, declaration stays %(current)s"),
                                cop=declaration.cop_no, new=new, code=receipt.return_status, current=current))
        return False
    if new is D.ERROR and receipt.return_status in FINAL_ERRORS:
        new = D.REJECTED
    declaration.status = new
    declaration.return_status = receipt.return_status
    declaration.return_info = receipt.return_info
    declaration.last_receipt_at = receipt.return_time
    if new is not current:
        report.moved.append(say(N_("%(cop)s: %(old)s -> %(new)s"), cop=declaration.cop_no, old=current, new=new))
    _move_order(session, declaration, new, receipt, report, now=now)
    return True


def _move_order(session: Session, declaration: Declaration, new: DeclarationStatus, receipt: Receipt,
                report: FileReport, *, now: datetime) -> None:
    from shop.payments.services import refund_in_full

    order = orders.lock_order(session, declaration.order_id)
    reason = f"customs {receipt.message_type} {receipt.return_status}: {receipt.return_info}"
    try:
        if new is D.REJECTED:
            if order.status not in (OrderStatus.PAID, OrderStatus.DECLARED):
                report.notes.append(say(N_("order %(number)s is %(status)s: not rejected"), number=order.number,
                                        status=order.status))
                return
            if order.status is OrderStatus.PAID:  # the table wants DECLARED first
                orders.change_status(session, order, OrderStatus.DECLARED, now=now, source="customs",
                                     reason=reason)
            orders.change_status(session, order, OrderStatus.REJECTED, now=now, source="customs", reason=reason)
            orders.release_stock(session, order)
            refund_in_full(session, order, reason=f"rejected by customs ({receipt.return_status})")
            report.rejected.append(order.number)
            return
        if new is D.ERROR:
            return
        if order.status is OrderStatus.PAID:
            orders.change_status(session, order, OrderStatus.DECLARED, now=now, source="customs", reason=reason)
        if new in (D.RELEASED, D.CLOSED) and order.status is OrderStatus.DECLARED:
            orders.change_status(session, order, OrderStatus.RELEASED, now=now, source="customs", reason=reason)
            report.released.append(order.number)
    except IllegalTransition as error:
        report.notes.append(say(N_("order %(number)s: %(error)s"), number=order.number, error=str(error)))


def receipt_files(paths: Iterable[Path | str]) -> list[Path]:
    """The XML files among `paths`, folders expanded (sorted by name)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".xml"))
        else:
            files.append(path)
    return files


def import_receipts(session: Session, paths: Iterable[Path | str], *, now: datetime | None = None) -> ImportReport:
    """Import files and folders of receipts in one go (flushes; the caller commits)."""
    report = ImportReport()
    for path in receipt_files(paths):
        report.files.append(import_file(session, path, now=now))
    return report
