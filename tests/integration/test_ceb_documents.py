"""Customs messages from real orders: placed through the order services, paid (the Stripe record), then
built, validated against the official XSD, signed and written (shop.customs.messages, .signing)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from shop.catalog.models import ConsumptionTaxCategory as CT
from shop.catalog.models import NetContentUnit
from shop.customs.messages import (
    CustomsCodes,
    OrderDocs,
    Stamp,
    build_batches,
    documents_by_order,
    three_document_check,
    write_messages,
)
from shop.customs.models import Declaration
from shop.customs.signing import RsaSha1Signer, generate_dev_keypair, verify
from shop.customs.xsd import CEB_NS, MessageValidationError, validate
from shop.db import utcnow
from shop.payments import services as payments
from shop.payments.gateway import Intent, gateway
from shop.payments.models import Payment
from tests import factories
from tests.localstripe import CARD_OK
from tests.ordering import ID_B, buyer, place, stocked

D = Decimal
NS = {"ceb": CEB_NS}
_numbers = itertools.count(1)
ALL_KINDS = ("CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message", "CEB623Message",
             "CEB625Message")


# --- Set-up: products, orders, payments ---------------------------------------------------------------


def milk(session, **kw):
    return stocked(session, item_record_no=f"IR-MILK-{next(_numbers)}", barcode="9421902960017", **kw)


def wine(session):
    return stocked(session, hs_code="2204210000", name_zh="测试干红葡萄酒", name_en="Test red wine", unit_code="142",
                   net_content=D("750"), net_content_unit=NetContentUnit.ML, net_weight_kg=D("0.78"),
                   gross_weight_kg=D("1.45"), price=D("299.00"), consumption_tax_category=CT.WINE,
                   tariff_rate=D("0.14"), origin_code="305", item_record_no="IR-WINE-1")


def serum(session):
    return stocked(session, hs_code="3304990039", name_zh="测试精华液", name_en="Test serum", unit_code="142",
                   net_content=D("50"), net_content_unit=NetContentUnit.ML, net_weight_kg=D("0.06"),
                   gross_weight_kg=D("0.2"), price=D("800.00"), consumption_tax_category=CT.COSMETICS,
                   tariff_rate=D("0.05"), origin_code="116", item_record_no="IR-SERUM-1")


def watch(session):
    return stocked(session, hs_code="9102110000", name_zh="测试腕表", name_en="Test watch", price=D("12000.00"),
                   consumption_tax_category=CT.WATCH, tariff_rate=D("0.10"), unit_code="011", net_content=D("1"),
                   net_content_unit=NetContentUnit.PIECE, net_weight_kg=D("0.1"), gross_weight_kg=D("0.3"),
                   max_per_order=2, origin_code="331", item_record_no="IR-WATCH-1")


def pay(session, order) -> Payment:
    """Complete the order as Stripe's payment_intent.succeeded webhook does."""
    intent = Intent(id=f"pi_test_{order.number}", status="succeeded", amount=order.actual_paid, currency="CNY",
                    client_secret=None, charge_id=f"ch_test_{order.number}", metadata={"order_number": order.number})
    assert payments.complete_payment(session, intent, source="stripe", now=utcnow())
    return session.scalar(select(Payment).where(Payment.order_id == order.id))


def parcel(session, order, payment, reason: str = "") -> OrderDocs:
    """The order as the clerk has it after customs accepted its list (which gave it a list number)."""
    declaration = session.scalar(select(Declaration).where(Declaration.order_id == order.id))
    declaration.invt_no = f"15102026I{order.id:09d}"
    return OrderDocs.from_declaration(declaration, payment=payment, logistics_no=f"YT{order.number[2:]}",
                                      reason=reason)


@pytest.fixture
def codes(app) -> CustomsCodes:
    return CustomsCodes.from_config(app.config)


@pytest.fixture
def stamp() -> Stamp:
    return Stamp(datetime(2026, 11, 29, 2, 30, 5, tzinfo=UTC))  # 10:30:05 in Changchun


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    key_path, cert_path = generate_dev_keypair(tmp_path_factory.mktemp("keys"))
    return key_path.read_bytes(), cert_path.read_bytes()


@pytest.fixture
def signer(keypair) -> RsaSha1Signer:
    return RsaSha1Signer(*keypair)


@pytest.fixture
def shop_orders(session):
    """A multi-line order (milk ×2, wine ×2, high-end serum), a small one with freight, a full-tax watch."""
    user = factories.user(session)
    multi = place(session, user, [(milk(session), 2), (wine(session), 2), (serum(session), 1)])
    small = place(session, factories.user(session), [(milk(session), 1)], who=buyer(ID_B, name="王五"))
    single = place(session, factories.user(session), [(watch(session), 1)],
                   who=buyer("11010519491231002X", name="赵六"))
    assert single.full_tax and small.freight == D("10.00") and len(multi.lines) == 3
    return [parcel(session, o, pay(session, o), reason="买家申请")
            for o in (multi, small, single)]


def first(tree_or_bytes, xpath: str) -> str:
    root = tree_or_bytes if isinstance(tree_or_bytes, etree._Element) else etree.fromstring(tree_or_bytes)
    return root.xpath(xpath, namespaces=NS)[0].text


# --- Every kind validates ----------------------------------------------------------------------------


def test_every_kind_validates_is_signed_where_required_and_is_written(session, shop_orders, codes, stamp,
                                                                      signer, keypair, tmp_path):
    batches = [batch for kind in ALL_KINDS for batch in build_batches(kind, shop_orders, codes, stamp)]
    assert [b.kind for b in batches] == list(ALL_KINDS)

    paths = write_messages(batches, tmp_path, signer)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for batch, path in zip(batches, paths, strict=True):
        data = path.read_bytes()
        root = etree.fromstring(data)
        assert validate(root) == [], path.name
        assert etree.QName(root).localname == batch.kind and root.get("version") == "1.0"
        assert len(root.get("guid")) == 36 and root.get("guid") == root.get("guid").upper()
        assert root.prefix == "ceb"
        assert len(documents_by_order(root)) == 3
        signed = root[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
        assert signed == (batch.kind in ("CEB621Message", "CEB623Message", "CEB625Message"))
        if signed:
            assert data == batch.signed  # written byte for byte: never re-indented after signing
            assert verify(data, keypair[1])


def test_order_message_figures_come_from_the_snapshot(shop_orders, codes, stamp):
    multi = shop_orders[0].order
    (batch,) = build_batches("311", shop_orders, codes, stamp)
    doc = documents_by_order(batch.tree)[multi.number]
    head = "ceb:OrderHead/ceb:"
    assert first(doc, head + "appTime") == "20261129103005"  # Asia/Shanghai
    assert first(doc, head + "acturalPaid") == f"{multi.actual_paid:.2f}"
    assert D(first(doc, head + "acturalPaid")) == (D(first(doc, head + "goodsValue")) + D(first(doc, head + "freight"))
                                                 + D(first(doc, head + "taxTotal")) - D(first(doc, head + "discount")))
    assert first(doc, head + "buyerIdNumber") == "360426199101010071"  # decrypted only here
    assert first(doc, head + "ebpCode") == codes.ebp_code
    assert first(doc, head + "payTransactionId") == shop_orders[0].payment.intent_id
    assert [first(line, "ceb:itemName") for line in doc.iterfind("ceb:OrderList", NS)] == \
        [line.name_zh for line in multi.lines]


def test_full_tax_single_item_order(shop_orders, codes, stamp):
    watch_order = shop_orders[2].order
    (batch,) = build_batches("621", [shop_orders[2]], codes, stamp)
    doc = documents_by_order(batch.tree)[watch_order.number]
    assert watch_order.customs_duty == D("1200.00")
    assert first(doc, "ceb:InventoryList/ceb:totalPrice") == "12000.00"
    assert first(doc, "ceb:InventoryList/ceb:unit1") == "008" and first(doc, "ceb:InventoryList/ceb:qty1") == "1"
    (order_batch,) = build_batches("311", [shop_orders[2]], codes, stamp)
    assert first(order_batch.tree.getroot(), "//ceb:taxTotal") == f"{watch_order.tax_total:.2f}"


def test_bonded_list_fields(shop_orders, codes, stamp):
    (batch,) = build_batches("621", shop_orders, codes, stamp)
    head = documents_by_order(batch.tree)[shop_orders[1].order.number].find("ceb:InventoryHead", NS)
    value = {etree.QName(e).localname: e.text for e in head}
    assert value["tradeMode"] == "1210" and value["country"] == "142" and value["packNo"] == "1"
    assert value["emsNo"] == codes.ems_no and value["areaCode"] == codes.area_code
    assert value["customsCode"] == value["portCode"] == "1510"
    assert [value["trafNo"] or "", value["voyageNo"] or "", value["billNo"] or ""] == ["", "", ""]  # present, empty
    assert value["declTime"] == "20261129" and value["freight"] == "10.00"
    assert value["netWeight"] == "0.8" and value["grossWeight"] == "0.95"


# --- Legal quantities (qty1/qty2) ---------------------------------------------------------------------


def _quantities(line: etree._Element) -> list[tuple[str, str]]:
    """The list line's elements from qty up to price, in document order."""
    fields = [(etree.QName(e).localname, e.text) for e in line]
    names = [name for name, _ in fields]
    return fields[names.index("qty"):names.index("price")]


def test_legal_quantities_for_milk_powder_wine_and_cosmetics(shop_orders, codes, stamp):
    (batch,) = build_batches("621", [shop_orders[0]], codes, stamp)
    lines = {first(line, "ceb:gname"): _quantities(line)
             for line in batch.tree.getroot().iter(f"{{{CEB_NS}}}InventoryList")}
    assert lines == {
        # infant formula 1901101000, 2 × 0.8 kg: kilograms only (no qty2/unit2 at all)
        shop_orders[0].order.lines[0].name_zh: [("qty", "2"), ("unit", "122"), ("qty1", "1.6"), ("unit1", "035")],
        # wine 2204210000, 2 × 750 ml: litres, then kilograms (2 × 0.78)
        "测试干红葡萄酒": [("qty", "2"), ("unit", "142"), ("qty1", "1.5"), ("unit1", "095"), ("qty2", "1.56"),
                    ("unit2", "035")],
        # serum 3304990039, 1 × 0.06 kg: kilograms, then pieces
        "测试精华液": [("qty", "1"), ("unit", "142"), ("qty1", "0.06"), ("unit1", "035"), ("qty2", "1"),
                  ("unit2", "011")],
    }


# --- Failures name the order and the field, and write nothing -----------------------------------------


def test_consignee_address_over_200_characters_names_the_order_and_field(session, shop_orders, codes, stamp,
                                                                         tmp_path, signer):
    bad = shop_orders[1].order
    bad.consignee_address = "吉林省长春市南关区" + "人民大街" * 50  # 209 characters
    session.flush()
    batches = [b for kind in ("311", "511", "621") for b in build_batches(kind, shop_orders, codes, stamp)]

    with pytest.raises(MessageValidationError) as caught:
        write_messages(batches, tmp_path / "out", signer)

    assert {(p.message_kind, p.order_no, p.field) for p in caught.value.problems} == {
        ("CEB311Message", bad.number, "consigneeAddress"), ("CEB511Message", bad.number, "consigneeAddress"),
        ("CEB621Message", bad.number, "consigneeAddress")}
    assert f"order {bad.number}, field consigneeAddress" in str(caught.value)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_missing_enterprise_code_names_each_order_and_the_field(shop_orders, codes, stamp, tmp_path):
    from dataclasses import replace

    batches = build_batches("311", shop_orders, replace(codes, ebp_code=""), stamp)

    with pytest.raises(MessageValidationError) as caught:
        write_messages(batches, tmp_path)

    assert {(p.order_no, p.field) for p in caught.value.problems} == {(d.order.number, "ebpCode")
                                                                      for d in shop_orders}
    assert list(tmp_path.iterdir()) == []


def test_bonded_codes_the_xsd_leaves_optional_are_required_for_1210(shop_orders, codes, stamp):
    from dataclasses import replace

    with pytest.raises(MessageValidationError) as caught:
        build_batches("621", shop_orders[:1], replace(codes, ems_no=""), stamp)
    (problem,) = caught.value.problems
    assert (problem.order_no, problem.field) == (shop_orders[0].order.number, "emsNo")


def test_an_item_without_its_account_book_number_is_refused(session, shop_orders, codes, stamp):
    shop_orders[1].order.lines[0].item_record_no = None
    with pytest.raises(MessageValidationError, match=rf"order {shop_orders[1].order.number}, field itemRecordNo"):
        build_batches("621", shop_orders, codes, stamp)


def test_one_bad_file_among_many_writes_none(session, shop_orders, codes, stamp, tmp_path, signer):
    good = build_batches("311", shop_orders, codes, stamp)
    bad_root = build_batches("511", shop_orders, codes, stamp)
    bad_root[0].tree.getroot().find(".//ceb:LogisticsHead/ceb:packNo", NS).text = "one"
    with pytest.raises(MessageValidationError, match="field packNo"):
        write_messages(good + bad_root, tmp_path, signer)
    assert list(tmp_path.iterdir()) == []


def test_unpaid_order_has_no_payment_document(session, codes, stamp):
    order = place(session, factories.user(session), [(milk(session), 1)])
    with pytest.raises(MessageValidationError, match=rf"order {order.number}, field payTransactionId"):
        build_batches("411", [OrderDocs(order=order)], codes, stamp)


def test_signed_kinds_need_a_signer(shop_orders, codes, stamp, tmp_path):
    with pytest.raises(ValueError, match="must be signed"):
        write_messages(build_batches("621", shop_orders, codes, stamp), tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- The three-document check -------------------------------------------------------------------------


def _four(shop_orders, codes, stamp, number: str):
    return [documents_by_order(build_batches(kind, shop_orders, codes, stamp)[0].tree)[number]
            for kind in ("311", "411", "511", "621")]


def test_three_document_check_passes_for_generated_documents(shop_orders, codes, stamp):
    for docs in shop_orders:
        assert three_document_check(*_four(shop_orders, codes, stamp, docs.order.number)) == []


def test_three_document_check_names_an_altered_field(shop_orders, codes, stamp):
    number = shop_orders[0].order.number
    order_doc, payment_doc, waybill_doc, inventory_doc = _four(shop_orders, codes, stamp, number)
    waybill_doc.find(".//ceb:consigneeTelephone", NS).text = "13900000000"
    payment_doc.find(".//ceb:amountPaid", NS).text = "1.00"
    inventory_doc.findall(".//ceb:InventoryList/ceb:gname", NS)[1].text = "别的酒"

    mismatches = three_document_check(order_doc, payment_doc, waybill_doc, inventory_doc)

    assert [m.field for m in mismatches] == ["CEB311 acturalPaid = CEB411 amountPaid",
                                             "CEB311 consigneeTelephone = CEB511 consigneeTelephone",
                                             "line 2: CEB311 itemName = CEB621 gname"]
    assert mismatches[1].right == "13900000000"


def test_three_document_check_reads_serialized_documents(shop_orders, codes, stamp):
    docs = [etree.tostring(d) for d in _four(shop_orders, codes, stamp, shop_orders[1].order.number)]
    assert three_document_check(*docs) == []


# --- The payment document from a real Stripe (localstripe) payment ------------------------------------


def test_payment_document_from_a_card_payment(session, localstripe, codes, stamp):
    localstripe.reset()
    order = place(session, factories.user(session), [(milk(session), 1)])
    intent = payments.pay_with_card(session, order, card=localstripe.payment_method(CARD_OK), gateway=gateway(),
                                    now=utcnow())
    assert intent.status == "succeeded"
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))

    (batch,) = build_batches("411", [OrderDocs(order=order, payment=payment)], codes, stamp)

    root = batch.tree.getroot()
    assert validate(root, unsigned=True) == []
    assert first(root, "//ceb:payTransactionId") == intent.id
    assert first(root, "//ceb:amountPaid") == "338.21" == f"{order.actual_paid:.2f}"  # 300 + 10 + 28.21 tax
    assert first(root, "//ceb:payerName") == "张三" and first(root, "//ceb:payerIdNumber") == "360426199101010071"
    assert first(root, "//ceb:payTime") == payment.succeeded_at.astimezone(stamp.tz).strftime("%Y%m%d%H%M%S")
    assert first(root, "//ceb:payCode") == codes.pay_code
