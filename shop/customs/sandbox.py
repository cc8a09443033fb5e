"""Customs' side, simulated: the receipts (CEB622) and tax bills (CEB816) customs would send back.

For the demo data, for trying the clerk's workflow on a development machine (`flask --app shop customs
simulate`), and for the tests. The files are what the import reads: they validate against the official XSD.
Nothing here runs in production; the real receipts come from customs through the transfer client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from shop.customs.messages import CustomsCodes, new_guid
from shop.customs.models import Declaration
from shop.customs.xsd import CEB_NS, MessageValidationError, validate

SHOP_TZ = ZoneInfo("Asia/Shanghai")

# What customs writes in returnInfo, per returnStatus.
INFO = {
    "2": "电子口岸申报中", "3": "发送海关成功", "120": "[Code:1800;Desc:海关入库成功]", "300": "人工审核",
    "399": "[Code:2600;Desc:审结]", "500": "查验", "800": "[Code:2600;Desc:放行]", "899": "结关",
    "100": "[Code:1300;Desc:退单] 订购人身份信息与支付人不一致", "-621001": "清单报文校验失败，[itemRecordNo]账册备案料号与商品编码不符",
    "-621005": "超过单次交易限值",
    "-621018": "超过年度交易限值",
}
# The way a list usually goes through customs, as receipts.
RELEASE_PATH = ("2", "3", "120", "399", "800")


def receipt_time(at: datetime) -> str:
    """YYYYMMDDhhmmssSSS in China time."""
    local = at.astimezone(SHOP_TZ)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def pre_no(declaration: Declaration, at: datetime) -> str:
    """The e-port's 18-character number for the list: B, the date, a nine-digit serial."""
    return f"B{at.astimezone(SHOP_TZ):%Y%m%d}{declaration.id % 10**9:09d}"


def invt_no(declaration: Declaration, at: datetime, customs_code: str) -> str:
    """Customs' list number: district (4), year (4), I for import, a nine-digit serial."""
    return f"{customs_code[:4]:0>4}{at.astimezone(SHOP_TZ):%Y}I{declaration.id % 10**9:09d}"


def _sub(parent, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{CEB_NS}}}{name}").text = text


@dataclass(frozen=True)
class Answer:
    """One receipt to send: the declaration, the returnStatus, and when customs answered."""

    declaration: Declaration
    status: str
    at: datetime
    info: str = ""


def _checked(root: etree._Element) -> bytes:
    problems = validate(root)
    if problems:
        raise MessageValidationError(problems)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def inventory_receipts(answers: Sequence[Answer], codes: CustomsCodes) -> bytes:
    """A CEB622 message with one InventoryReturn per answer (at most 100), in the default-namespace style."""
    if not 1 <= len(answers) <= 100:
        raise ValueError("a CEB622 message holds 1 to 100 receipts")
    root = etree.Element(f"{{{CEB_NS}}}CEB622Message", nsmap={None: CEB_NS}, guid=new_guid(), version="1.0")
    for answer in answers:
        d = answer.declaration
        element = etree.SubElement(root, f"{{{CEB_NS}}}InventoryReturn")
        _sub(element, "guid", new_guid())
        _sub(element, "customsCode", codes.customs_code)
        _sub(element, "ebpCode", codes.ebp_code)
        _sub(element, "ebcCode", codes.ebc_code)
        _sub(element, "agentCode", codes.agent_code)
        _sub(element, "copNo", d.cop_no)
        _sub(element, "preNo", d.pre_no or pre_no(d, answer.at))
        number = int(answer.status) if answer.status.lstrip("-").isdigit() else 0
        if number >= 120 or d.invt_no:  # customs numbers the list once it has taken it in
            _sub(element, "invtNo", d.invt_no or invt_no(d, answer.at, codes.customs_code))
        _sub(element, "returnStatus", answer.status)
        _sub(element, "returnTime", receipt_time(answer.at))
        _sub(element, "returnInfo", answer.info or INFO.get(answer.status, "回执"))
    return _checked(root)


def tax_bill(declaration: Declaration, at: datetime, codes: CustomsCodes, *,
             adjust: Decimal = Decimal(0)) -> bytes:
    """A CEB816 tax bill for a released list, with customs' figures equal to the shop's own (plus `adjust`
    on the first line's VAT, to show a difference)."""
    order = declaration.order
    number = declaration.invt_no or invt_no(declaration, at, codes.customs_code)
    root = etree.Element(f"{{{CEB_NS}}}CEB816Message", nsmap={"ceb": CEB_NS}, guid=new_guid(), version="1.0")
    tax = etree.SubElement(root, f"{{{CEB_NS}}}Tax")
    head = etree.SubElement(tax, f"{{{CEB_NS}}}TaxHeadRd")
    vat = sum((line.vat for line in order.lines), Decimal(0)) + adjust
    for name, value in (
        ("guid", new_guid()), ("returnTime", receipt_time(at)), ("invtNo", number),
        ("taxNo", f"{number}01"), ("customsTax", f"{sum((ln.customs_duty for ln in order.lines), Decimal(0)):.5f}"),
        ("valueAddedTax", f"{vat:.5f}"),
        ("consumptionTax", f"{sum((ln.consumption_tax for ln in order.lines), Decimal(0)):.5f}"),
        ("status", "1"), ("assureCode", codes.assure_code), ("ebcCode", codes.ebc_code),
        ("logisticsCode", codes.logistics_code), ("agentCode", codes.agent_code), ("customsCode", codes.customs_code),
    ):
        _sub(head, name, value)
    for index, line in enumerate(order.lines):
        row = etree.SubElement(tax, f"{{{CEB_NS}}}TaxListRd")
        _sub(row, "gnum", str(line.gnum))
        _sub(row, "gcode", line.hs_code)
        _sub(row, "taxPrice", f"{line.duty_paid_value:.5f}")
        _sub(row, "customsTax", f"{line.customs_duty:.5f}")
        _sub(row, "valueAddedTax", f"{line.vat + (adjust if index == 0 else 0):.5f}")
        _sub(row, "consumptionTax", f"{line.consumption_tax:.5f}")
    return _checked(root)
