"""Receipts for tests: CEB622 inventory receipts and CEB816 tax bills written as customs would send them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from lxml import etree

from shop.customs.xsd import CEB_NS

SAMPLES = Path(__file__).parent / "data" / "customs"


def _guid() -> str:
    return str(uuid.uuid4()).upper()


def _root(kind: str, prefixed: bool):
    nsmap = {"ceb": CEB_NS} if prefixed else {None: CEB_NS}
    return etree.Element(f"{{{CEB_NS}}}{kind}", nsmap=nsmap, guid=_guid(), version="1.0")


def _add(parent, name: str, fields: list[tuple[str, str]]):
    element = etree.SubElement(parent, f"{{{CEB_NS}}}{name}")
    for key, value in fields:
        etree.SubElement(element, f"{{{CEB_NS}}}{key}").text = value
    return element


def ceb622(*receipts: tuple, prefixed: bool = False) -> bytes:
    """A CEB622Message with one InventoryReturn per (copNo, returnStatus, returnTime[, returnInfo[, invtNo]])."""
    root = _root("CEB622Message", prefixed)
    for cop_no, status, time, *rest in receipts:
        info = rest[0] if rest else f"status {status}"
        invt_no = rest[1] if len(rest) > 1 else ""
        fields = [("guid", _guid()), ("customsCode", "1501"), ("ebpCode", "2201960001"), ("ebcCode", "2201960001"),
                  ("agentCode", "2201980001"), ("copNo", cop_no), ("preNo", "B20261129000000001")]
        if invt_no:
            fields.append(("invtNo", invt_no))
        fields += [("returnStatus", str(status)), ("returnTime", time), ("returnInfo", info)]
        _add(root, "InventoryReturn", fields)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def ceb816(invt_no: str, lines: list[tuple[str, str, str, str]], *, time: str = "20261129100000000",
           tax_no: str = "TAX2026112900001", status: str = "1", prefixed: bool = True) -> bytes:
    """A CEB816 tax bill for one list: lines of (taxPrice, customsTax, valueAddedTax, consumptionTax)."""
    root = _root("CEB816Message", prefixed)
    tax = etree.SubElement(root, f"{{{CEB_NS}}}Tax")
    totals = [sum((Decimal(line[i]) for line in lines), Decimal(0)) for i in (1, 2, 3)]
    _add(tax, "TaxHeadRd", [
        ("guid", _guid()), ("returnTime", time), ("invtNo", invt_no), ("taxNo", tax_no),
        ("customsTax", str(totals[0])), ("valueAddedTax", str(totals[1])), ("consumptionTax", str(totals[2])),
        ("status", status), ("entDutyNo", ""), ("note", ""), ("assureCode", "2201960001"),
        ("ebcCode", "2201960001"), ("logisticsCode", "2201980002"), ("agentCode", "2201980001"),
        ("customsCode", "1501"),
    ])
    for gnum, (price, duty, vat, consumption) in enumerate(lines, start=1):
        _add(tax, "TaxListRd", [("gnum", str(gnum)), ("gcode", "0402290000"), ("taxPrice", price),
                                ("customsTax", duty), ("valueAddedTax", vat), ("consumptionTax", consumption)])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path
