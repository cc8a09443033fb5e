"""The official import XSD (202205 edition), loaded once, and validation errors mapped back to orders.

lxml reports each error with an XPath (`/ceb:CEB311Message/ceb:Order[3]/ceb:OrderHead/ceb:consigneeAddress`);
the clerk needs "order GB…, field consigneeAddress" instead, so every error is resolved to the document
(Order, Payment, Inventory …) it sits in, that document's orderNo, and the element it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from shop.customs.codes import DATA_DIR

XSD_PATH: Path = DATA_DIR / "xsd" / "ceb_import_202205.xsd"
CEB_NS = "http://www.chinaport.gov.cn/ceb"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NSMAP = {"ceb": CEB_NS, "ds": DS_NS}

# The messages whose XSD requires a ds:Signature (CBEC-RULES §7).
SIGNED_KINDS = frozenset({"CEB621Message", "CEB623Message", "CEB625Message", "CEB711Message"})

_EXPECTED = re.compile(r"Expected is (?:one of )?\( \{[^}]*\}(\w+)")


@dataclass(frozen=True)
class Problem:
    """One reason a message cannot be sent, located as the clerk thinks of it."""

    message_kind: str  # CEB311Message …
    order_no: str | None  # None for message-level parts (BaseTransfer, the root attributes)
    field: str  # the element (or attribute) at fault
    detail: str

    def __str__(self) -> str:
        where = f"order {self.order_no}" if self.order_no else "the message itself"
        return f"{self.message_kind}: {where}, field {self.field}: {self.detail}"


class MessageValidationError(ValueError):
    """Messages that fail the XSD (or a 1210 rule): nothing was written. `problems` says where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the customs messages; nothing was written:\n{lines}")


@cache
def schema() -> etree.XMLSchema:
    """Parsed once per process; the import of xmldsig-core-schema.xsd resolves beside the file."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def validate(tree: etree._ElementTree | etree._Element, *, unsigned: bool = False) -> list[Problem]:
    """Every XSD error in one message, as Problems; [] when it validates.

    `unsigned=True` checks a message that is still to be signed: the one error saying its required
    ds:Signature is missing is expected then, and only that one is let through.
    """
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    # Validate a parsed copy: a parsed tree gives every error a line and a path even for built trees.
    parsed = etree.fromstring(etree.tostring(root))
    checker = schema()
    if checker.validate(parsed):
        return []
    kind = etree.QName(parsed).localname
    problems = []
    for entry in checker.error_log:
        if unsigned and _only_signature_missing(entry, parsed):
            continue
        problems.append(_locate(entry, parsed, kind))
    return problems


def _only_signature_missing(entry, root: etree._Element) -> bool:
    at_root = (entry.path or "").count("/") == 1
    return (at_root and "Missing child element" in entry.message and f"{{{DS_NS}}}Signature" in entry.message
            and root.find(f"{{{DS_NS}}}Signature") is None)


def _locate(entry, root: etree._Element, kind: str) -> Problem:
    element = _element_at(entry, root)
    detail = entry.message
    if element is None:
        return Problem(kind, None, "?", detail)
    field = etree.QName(element).localname
    expected = _EXPECTED.search(detail)
    if expected and ("Missing child" in detail or "not expected" in detail):
        # The element named is the parent (or a neighbour) of the one missing: name the missing one.
        field = expected.group(1)
    if "attribute" in detail:
        attribute = re.search(r"attribute '(\w+)'", detail)
        field = attribute.group(1) if attribute else field
    return Problem(kind, order_number_of(element), field, detail)


def _element_at(entry, root: etree._Element) -> etree._Element | None:
    if entry.path:
        try:
            found = root.getroottree().xpath(entry.path, namespaces=NSMAP)
        except etree.XPathError:
            found = []
        if found and isinstance(found[0], etree._Element):
            return found[0]
    for element in root.iter():  # no usable path: fall back to the source line
        if element.sourceline == entry.line:
            return element
    return None


def document_of(element: etree._Element) -> etree._Element | None:
    """The message's child (Order, Payment, Logistics, Inventory, InvtCancel, InvtRefund) holding `element`."""
    node = element
    while node is not None and node.getparent() is not None:
        if node.getparent().getparent() is None:
            return node
        node = node.getparent()
    return None


def order_number_of(element: etree._Element) -> str | None:
    document = document_of(element)
    if document is None or etree.QName(document).localname == "BaseTransfer":
        return None
    found = document.find(f".//{{{CEB_NS}}}orderNo")
    return found.text if found is not None and found.text else None
