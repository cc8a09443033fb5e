"""Customs message building blocks on orders held in memory: formats, legal quantities, batching and the
99-line limit, XML-DSig signing and verifying (also by Debian's xmlsec1), the external signer, configuration.

Orders here are never stored; the app context is only for the encryption of the buyer's personal data.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from shop import config as settings
from shop import security
from shop.catalog.models import NetContentUnit
from shop.customs import codes as code_tables
from shop.customs.messages import (
    MAX_DOCUMENTS,
    CustomsCodes,
    LegalQuantityError,
    OrderDocs,
    Stamp,
    build_batches,
    build_document,
    documents_by_order,
    inventory_line,
    legal_quantity,
    local_time,
    message,
    message_kind,
    money,
    new_guid,
    quantity,
    three_document_check,
    write_messages,
)
from shop.customs.signing import (
    CERT_FILE,
    KEY_FILE,
    ExternalSigner,
    RsaSha1Signer,
    SigningError,
    generate_dev_keypair,
    main,
    signer_from_config,
    verify,
)
from shop.customs.xsd import CEB_NS, DS_NS, MessageValidationError, validate
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment

D = Decimal
NS = {"ceb": CEB_NS, "ds": DS_NS}
STAMP = Stamp(datetime(2026, 3, 1, 16, 30, tzinfo=UTC))  # 00:30 on 2 March in Changchun


# --- Orders in memory ---------------------------------------------------------------------------------


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def codes(app) -> CustomsCodes:
    return CustomsCodes.from_config(app.config)


def line(gnum: int = 1, *, hs: str = "1901101000", qty: int = 1, price: str = "300.00", unit: str = "122",
         content: str = "800", content_unit: NetContentUnit = NetContentUnit.G, net: str = "0.8",
         gross: str = "0.95", name: str | None = None) -> OrderLine:
    """A line snapshot (infant formula by default) with the legal units of its HS code."""
    table = code_tables.hs_code(hs)
    return OrderLine(
        gnum=gnum, sku=f"SKU-{gnum:03d}", name_zh=name or f"测试商品{gnum}", name_en=f"Item {gnum}", brand="Brand",
        barcode=None, hs_code=hs, legal_unit1=table.unit1, legal_unit2=table.unit2, unit_code=unit,
        origin_code="609", item_record_no=f"IR{gnum:05d}", net_content=D(content), net_content_unit=content_unit,
        net_weight_kg=D(net), gross_weight_kg=D(gross), quantity=qty, unit_price=D(price),
        goods_value=D(price) * qty, freight_share=D("0"), duty_paid_value=D(price) * qty,
    )


def milk_line(gnum: int = 1, qty: int = 2) -> OrderLine:
    return line(gnum, qty=qty)


def wine_line(gnum: int = 1, qty: int = 2) -> OrderLine:
    return line(gnum, hs="2204210000", qty=qty, price="299.00", unit="142", content="750",
                content_unit=NetContentUnit.ML, net="0.78", gross="1.45", name="测试干红葡萄酒")


def cosmetics_line(gnum: int = 1, qty: int = 3) -> OrderLine:
    return line(gnum, hs="3304990039", qty=qty, price="200.00", unit="142", content="50",
                content_unit=NetContentUnit.ML, net="0.06", gross="0.2", name="测试面霜")


def order(number: str, lines: list[OrderLine], *, address: str = "吉林省长春市南关区人民大街 1 号") -> Order:
    """An order as place_order stores it; needs an app context (the ID and phones are encrypted)."""
    goods = sum((ln.goods_value for ln in lines), D("0"))
    tax = D("12.34")
    return Order(
        number=number, user_id=7, buyer_name="张三", buyer_id_encrypted=security.encrypt("360426199101010071"),
        buyer_id_digest="x", buyer_id_masked="3604**********0071",
        buyer_phone_encrypted=security.encrypt("13812345678"), buyer_phone_masked="138****5678",
        consignee_name="李四", consignee_phone_encrypted=security.encrypt("13987654321"),
        consignee_phone_masked="139****4321", consignee_division_code="220102", consignee_address=address,
        goods_value=goods, freight=D("10.00"), insurance=D("0.00"), discount=D("0.00"), duty_paid_value=goods,
        customs_duty=D("0"), vat=tax, consumption_tax=D("0"), tax_total=tax, actual_paid=goods + D("10.00") + tax,
        lines=lines,
    )


def paid(an_order: Order) -> OrderDocs:
    payment = Payment(intent_id=f"pi_{an_order.number}", status="succeeded", amount=an_order.actual_paid,
                      currency="CNY", payer_name=an_order.buyer_name, payer_id_masked=an_order.buyer_id_masked,
                      succeeded_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    return OrderDocs(order=an_order, payment=payment, logistics_no=f"YT{an_order.number}",
                     invt_no="15102026I000000001", reason="买家申请")


# --- Formats ------------------------------------------------------------------------------------------


def test_formats_follow_the_message_rules():
    assert money(D("0")) == "0.00" and money(D("1234.5")) == "1234.50" and money(D("2.345")) == "2.35"
    assert quantity(2) == "2" and quantity(D("1.60")) == "1.6" and quantity(D("100.000")) == "100"
    assert quantity(D("0.000004")) == "0" and quantity(D("0.123456")) == "0.12346"
    assert local_time(datetime(2026, 3, 1, 16, 30, 5, tzinfo=UTC)) == "20260302003005"
    assert local_time(datetime(2026, 3, 1, 16, 30, 5)) == "20260302003005"  # naive = UTC, as stored
    assert STAMP.app_time == "20260302003000" and STAMP.decl_date == "20260302"
    assert Stamp(STAMP.at, ZoneInfo("UTC")).decl_date == "20260301"
    guid = new_guid()
    assert len(guid) == 36 and guid == guid.upper()


@pytest.mark.parametrize("kind", ["311", "CEB311", "ceb311message", "CEB311Message"])
def test_message_kinds_by_number_or_name(kind):
    assert message_kind(kind) == "CEB311Message"


def test_unknown_message_kind():
    with pytest.raises(ValueError, match="unknown customs message kind"):
        message_kind("CEB999")


# --- Legal quantities ---------------------------------------------------------------------------------


def test_milk_powder_in_kilograms():
    milk = milk_line(qty=2)
    assert (milk.legal_unit1, milk.legal_unit2) == ("035", None)
    assert legal_quantity(milk, "035") == D("1.6")


def test_wine_in_litres_then_kilograms():
    wine = wine_line(qty=2)
    assert (wine.legal_unit1, wine.legal_unit2) == ("095", "035")
    assert legal_quantity(wine, "095") == D("1.5")  # 2 × 750 ml
    assert legal_quantity(wine, "035") == D("1.56")  # 2 × 0.78 kg


def test_cosmetics_in_kilograms_then_pieces():
    cream = cosmetics_line(qty=3)
    assert (cream.legal_unit1, cream.legal_unit2) == ("035", "011")
    assert legal_quantity(cream, "035") == D("0.18")
    assert legal_quantity(cream, "011") == 3


def test_grams_and_millilitres():
    assert legal_quantity(milk_line(qty=2), "036") == D("1600")
    assert legal_quantity(wine_line(qty=1), "096") == D("750")


def test_a_volume_unit_needs_a_content_in_millilitres():
    with pytest.raises(LegalQuantityError, match="not millilitres") as caught:
        legal_quantity(milk_line(), "095", field_name="qty1", order_no="GB1")
    assert (caught.value.order_no, caught.value.field) == ("GB1", "qty1")


def test_a_unit_no_parcel_line_can_give_is_refused():
    with pytest.raises(LegalQuantityError, match="cannot be derived"):
        legal_quantity(milk_line(), "032")  # square metres


def _names(element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_list_lines_carry_the_legal_quantities_in_xsd_order(ctx):
    an_order = order("GB260301000001", [milk_line(1), wine_line(2), cosmetics_line(3)])
    milk, wine, cream = (inventory_line(an_order, ln) for ln in an_order.lines)
    assert _names(milk)[10:15] == ["qty", "unit", "qty1", "unit1", "price"]  # no qty2/unit2 at all
    assert _names(wine)[10:17] == ["qty", "unit", "qty1", "unit1", "qty2", "unit2", "price"]
    assert [wine.findtext(f"ceb:{n}", namespaces=NS) for n in ("qty1", "unit1", "qty2", "unit2")] == \
        ["1.5", "095", "1.56", "035"]
    assert [cream.findtext(f"ceb:{n}", namespaces=NS) for n in ("qty1", "unit1", "qty2", "unit2")] == \
        ["0.18", "035", "3", "011"]


# --- Batches ------------------------------------------------------------------------------------------


def test_250_orders_make_three_messages_of_at_most_100(ctx, codes):
    orders = [order(f"GB2603{n:08d}", [milk_line(qty=1)]) for n in range(250)]

    for kind in ("311", "621"):
        batches = build_batches(kind, [paid(o) for o in orders], codes, STAMP)

        assert [len(b.order_numbers) for b in batches] == [100, 100, 50]
        assert [n for b in batches for n in b.order_numbers] == [o.number for o in orders]
        assert len({b.guid for b in batches}) == 3
        for batch in batches:
            assert validate(batch.tree, unsigned=batch.needs_signature) == []
            assert list(documents_by_order(batch.tree)) == list(batch.order_numbers)


def test_a_message_holds_at_most_100_documents(ctx, codes):
    documents = [build_document("311", order(f"GB{n:012d}", [milk_line()]), codes, STAMP) for n in range(101)]
    with pytest.raises(ValueError, match=f"1 to {MAX_DOCUMENTS} documents"):
        message("311", documents, codes)


def test_99_lines_fit_in_a_document(ctx, codes):
    big = order("GB260301000099", [milk_line(gnum, qty=1) for gnum in range(1, 100)])
    for kind in ("311", "621", "625"):
        (batch,) = build_batches(kind, [paid(big)], codes, STAMP)
        assert validate(batch.tree, unsigned=True) == []


def test_an_order_of_more_than_99_lines_is_refused_with_a_clear_error(ctx, codes):
    big = order("GB260301000100", [milk_line(gnum, qty=1) for gnum in range(1, 101)])
    small = order("GB260301000001", [milk_line()])
    for kind, element in (("311", "OrderList"), ("621", "InventoryList"), ("625", "InvtRefundList")):
        with pytest.raises(MessageValidationError) as caught:
            build_batches(kind, [paid(small), paid(big)], codes, STAMP)
        (problem,) = caught.value.problems
        assert (problem.order_no, problem.field) == ("GB260301000100", element)
        assert "100 lines; a customs document holds at most 99" in str(caught.value)


def test_a_partial_return_lists_only_the_returned_units(ctx, codes):
    an_order = order("GB260301000002", [milk_line(1, qty=2), wine_line(2, qty=2)])
    docs = paid(an_order)
    partial = OrderDocs(order=an_order, logistics_no=docs.logistics_no, invt_no=docs.invt_no, reason="破损",
                        returned=((an_order.lines[1], 1),))
    (batch,) = build_batches("625", [partial], codes, STAMP)
    lines = batch.tree.getroot().findall(".//ceb:InvtRefundList", NS)
    assert [(ln.findtext("ceb:gnum", namespaces=NS), ln.findtext("ceb:qty", namespaces=NS)) for ln in lines] == \
        [("2", "1")]
    too_many = OrderDocs(order=an_order, logistics_no="YT1", invt_no="X", reason="r",
                         returned=((an_order.lines[0], 3),))
    with pytest.raises(MessageValidationError, match="field qty: line 1: 3 returned of 2 bought"):
        build_batches("625", [too_many], codes, STAMP)


def test_cancel_and_return_need_the_list_number_and_a_reason(ctx, codes):
    an_order = order("GB260301000003", [milk_line()])
    with pytest.raises(MessageValidationError) as caught:
        build_batches("623", [OrderDocs(order=an_order, logistics_no="YT1")], codes, STAMP)
    assert [p.field for p in caught.value.problems] == ["invtNo"]
    with pytest.raises(MessageValidationError, match="field reason"):
        build_batches("623", [OrderDocs(order=an_order, logistics_no="YT1", invt_no="15102026I000000009")],
                      codes, STAMP)


def test_three_document_check_names_lines_that_do_not_pair(ctx, codes):
    an_order = order("GB260301000004", [milk_line(1), wine_line(2)])
    docs = paid(an_order)
    four = [build_document(kind, docs, codes, STAMP) for kind in ("311", "411", "511", "621")]
    assert three_document_check(*four) == []
    four[3].remove(four[3].findall("ceb:InventoryList", NS)[1])
    four[3].find(".//ceb:ebcCode", NS).text = "OTHER"
    assert [m.field for m in three_document_check(*four)] == ["CEB311 ebcCode = CEB621 ebcCode",
                                                             "CEB311 gnum = CEB621 gnum"]


# --- Signing ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    key_path, cert_path = generate_dev_keypair(tmp_path_factory.mktemp("keys"))
    return key_path.read_bytes(), cert_path.read_bytes()


@pytest.fixture(scope="module")
def other_cert(tmp_path_factory) -> bytes:
    return generate_dev_keypair(tmp_path_factory.mktemp("other"))[1].read_bytes()


@pytest.fixture
def unsigned(ctx, codes) -> bytes:
    """A two-order inventory list, indented, as write_messages hands it to the signer."""
    orders = [paid(order("GB260301000011", [milk_line(1), wine_line(2)])),
              paid(order("GB260301000012", [cosmetics_line(1)]))]
    (batch,) = build_batches("621", orders, codes, STAMP)
    return batch.to_bytes()


def test_the_signature_verifies_and_is_the_last_child(keypair, unsigned):
    signed = RsaSha1Signer(*keypair).sign(unsigned)

    root = etree.fromstring(signed)
    assert root[-1].tag == f"{{{DS_NS}}}Signature"
    assert validate(root) == []
    assert verify(signed, keypair[1])
    signed_info = root[-1].find("ds:SignedInfo", NS)
    assert [e.get("Algorithm") for e in signed_info.iter() if e.get("Algorithm")] == [
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2000/09/xmldsig#sha1"]
    assert root[-1].find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text


def test_a_tampered_signed_file_fails_to_verify(keypair, other_cert, unsigned):
    signed = RsaSha1Signer(*keypair).sign(unsigned)
    assert verify(signed, keypair[1])

    assert not verify(signed.replace("张三".encode(), "张四".encode()), keypair[1])  # data
    assert not verify(signed.replace(b"<ceb:gnum>2</ceb:gnum>", b"<ceb:gnum>2</ceb:gnum> "), keypair[1])  # space
    assert not verify(signed.replace(b"<ds:DigestValue>", b"<ds:DigestValue>A"), keypair[1])  # the digest
    assert not verify(signed, other_cert)  # somebody else's key
    root = etree.fromstring(signed)
    root.remove(root[-1])
    assert not verify(etree.tostring(root), keypair[1])  # unsigned
    assert not verify(b"<not xml", keypair[1])


def test_signing_refuses_a_signed_document_and_a_mismatched_pair(keypair, other_cert, unsigned):
    signer = RsaSha1Signer(*keypair)
    with pytest.raises(SigningError, match="already signed"):
        signer.sign(signer.sign(unsigned))
    with pytest.raises(SigningError, match="not the signing key's"):
        RsaSha1Signer(keypair[0], other_cert)


@pytest.fixture
def xmlsec1() -> str:
    path = shutil.which("xmlsec1")
    if path is None:
        pytest.skip("Debian's xmlsec1 is not installed (apt-get install -y xmlsec1): no independent check")
    return path


def _xmlsec_verify(xmlsec1: str, document: bytes, cert: bytes, tmp_path) -> subprocess.CompletedProcess:
    (tmp_path / "doc.xml").write_bytes(document)
    (tmp_path / "cert.pem").write_bytes(cert)
    return subprocess.run([xmlsec1, "--verify", "--pubkey-cert-pem", str(tmp_path / "cert.pem"),
                           str(tmp_path / "doc.xml")], capture_output=True, text=True, timeout=60)


def test_xmlsec1_verifies_the_signature_independently(xmlsec1, keypair, other_cert, unsigned, tmp_path):
    signed = RsaSha1Signer(*keypair).sign(unsigned)

    result = _xmlsec_verify(xmlsec1, signed, keypair[1], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr

    tampered = signed.replace(b"<ceb:qty>2</ceb:qty>", b"<ceb:qty>3</ceb:qty>", 1)
    assert tampered != signed
    assert _xmlsec_verify(xmlsec1, tampered, keypair[1], tmp_path).returncode != 0
    assert _xmlsec_verify(xmlsec1, signed, other_cert, tmp_path).returncode != 0  # it checks with our key


def test_written_signed_files_are_the_signed_bytes(ctx, codes, keypair, tmp_path):
    batches = build_batches("623", [paid(order("GB260301000021", [milk_line()]))], codes, STAMP)
    (path,) = write_messages(batches, tmp_path, RsaSha1Signer(*keypair))
    assert path.read_bytes() == batches[0].signed and verify(path.read_bytes(), keypair[1])


# --- The external signer ------------------------------------------------------------------------------


class _SigningHost(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], body))
        status, answer = self.server.answer(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:  # quiet
        pass


@contextmanager
def signing_host(answer: Callable[[bytes], tuple[int, bytes]]) -> Iterator[tuple[str, list]]:
    """A signing host on a loopback port, in a thread, for the length of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SigningHost)
    server.answer, server.received = answer, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sign", server.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_external_signer_round_trips_through_a_signing_host(keypair, unsigned):
    behind = RsaSha1Signer(*keypair)
    with signing_host(lambda body: (200, behind.sign(body))) as (url, received):
        signed = ExternalSigner(url, timeout=10).sign(unsigned)

    assert received == [("application/xml; charset=utf-8", unsigned)]
    assert verify(signed, keypair[1])


def test_external_signer_is_a_signer_for_write_messages(ctx, codes, keypair, tmp_path):
    behind = RsaSha1Signer(*keypair)
    batches = build_batches("625", [paid(order("GB260301000031", [milk_line()]))], codes, STAMP)
    with signing_host(lambda body: (200, behind.sign(body))) as (url, _):
        (path,) = write_messages(batches, tmp_path, ExternalSigner(url, timeout=10))
    assert verify(path.read_bytes(), keypair[1])


def test_external_signer_refuses_a_changed_document(keypair, unsigned):
    behind = RsaSha1Signer(*keypair)

    def altering(body: bytes) -> tuple[int, bytes]:
        return 200, behind.sign(body.replace(b"<ceb:qty>2</ceb:qty>", b"<ceb:qty>20</ceb:qty>"))

    with signing_host(altering) as (url, _), pytest.raises(SigningError, match="changed the document"):
        ExternalSigner(url, timeout=10).sign(unsigned)


def test_external_signer_accepts_a_host_that_only_re_indents(keypair, unsigned):
    behind = RsaSha1Signer(*keypair)

    def re_indenting(body: bytes) -> tuple[int, bytes]:
        parser = etree.XMLParser(remove_blank_text=True)
        return 200, behind.sign(etree.tostring(etree.fromstring(body, parser)))

    with signing_host(re_indenting) as (url, _):
        assert verify(ExternalSigner(url, timeout=10).sign(unsigned), keypair[1])


@pytest.mark.parametrize(("answer", "error"), [
    (lambda body: (500, b"USB key not inserted"), "answered 500: USB key not inserted"),
    (lambda body: (200, body), "without a ds:Signature"),
    (lambda body: (200, b"<<<"), "no XML document"),
])
def test_external_signer_failures_are_signing_errors(unsigned, answer, error):
    with signing_host(answer) as (url, _), pytest.raises(SigningError, match=error):
        ExternalSigner(url, timeout=10).sign(unsigned)


def test_external_signer_unreachable(unsigned):
    with signing_host(lambda body: (200, body)) as (url, _):
        pass  # stopped: nothing listens on that port any more
    with pytest.raises(SigningError, match="could not be reached"):
        ExternalSigner(url, timeout=5).sign(unsigned)


# --- Configuration ------------------------------------------------------------------------------------


def test_development_generates_a_keypair_on_first_use(tmp_path, unsigned):
    config = {"ENV": "development", "CUSTOMS_SIGNER": "rsa", "CUSTOMS_KEYS_DIR": str(tmp_path / "keys")}
    signer = signer_from_config(config)
    cert = (tmp_path / "keys" / CERT_FILE).read_bytes()
    assert (tmp_path / "keys" / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert verify(signer.sign(unsigned), cert)
    signer_from_config(config)  # second use: the same pair
    assert (tmp_path / "keys" / CERT_FILE).read_bytes() == cert


def test_configured_key_and_certificate_paths(tmp_path, unsigned):
    key_path, cert_path = generate_dev_keypair(tmp_path)
    signer = signer_from_config({"ENV": "production", "CUSTOMS_SIGNER": "rsa",
                                 "CUSTOMS_SIGNING_KEY": str(key_path), "CUSTOMS_SIGNING_CERT": str(cert_path)})
    assert verify(signer.sign(unsigned), cert_path.read_bytes())


def test_signer_configuration_errors():
    with pytest.raises(SigningError, match="CUSTOMS_SIGNING_KEY"):
        signer_from_config({"ENV": "production", "CUSTOMS_SIGNER": "rsa"})
    with pytest.raises(SigningError, match="CUSTOMS_SIGNER_URL"):
        signer_from_config({"CUSTOMS_SIGNER": "external"})
    with pytest.raises(SigningError, match="'rsa' or 'external'"):
        signer_from_config({"CUSTOMS_SIGNER": "usb"})
    external = signer_from_config({"CUSTOMS_SIGNER": "external", "CUSTOMS_SIGNER_URL": "http://127.0.0.1:9/sign",
                                   "CUSTOMS_SIGNER_TIMEOUT": 4})
    assert isinstance(external, ExternalSigner) and external.timeout == 4


def test_generate_dev_keypair_from_the_command_line(tmp_path, capsys):
    main(["generate-dev-keypair", str(tmp_path)])
    assert (tmp_path / KEY_FILE).exists() and (tmp_path / CERT_FILE).exists()
    assert str(tmp_path / CERT_FILE) in capsys.readouterr().out


def test_enterprise_codes_come_from_configuration(codes, monkeypatch):
    for name in ("ebp_code", "ebc_code", "agent_code", "area_code", "logistics_code", "pay_code", "assure_code"):
        assert len(getattr(codes, name)) == 18, name
    assert (codes.customs_code, codes.port_code, codes.traf_mode) == ("1510", "1510", "4")
    assert codes.cop_code == codes.agent_code

    monkeypatch.setenv("CUSTOMS_EBP_CODE", "220196000A")
    monkeypatch.setenv("CUSTOMS_AGENT_CODE", "2201980B01")
    overridden = CustomsCodes.from_config(settings.from_environment())
    assert overridden.ebp_code == "220196000A"
    assert overridden.agent_code == overridden.cop_code == "2201980B01"


def test_three_document_check_takes_one_order_messages_and_flags_missing_fields(ctx, codes):
    docs = paid(order("GB260301000005", [milk_line()]))
    messages = [build_batches(kind, [docs], codes, STAMP)[0].to_bytes() for kind in ("311", "411", "511", "621")]
    assert three_document_check(*messages) == []

    waybill = etree.fromstring(messages[2])
    head = waybill.find(".//ceb:LogisticsHead", NS)
    head.remove(head.find("ceb:consignee", NS))
    assert [str(m) for m in three_document_check(messages[0], messages[1], waybill, messages[3])] == \
        ["CEB311 consignee = CEB511 consignee: '李四' ≠ None"]

    two = build_batches("311", [docs, paid(order("GB260301000006", [milk_line()]))], codes, STAMP)[0]
    with pytest.raises(ValueError, match="holds 2 documents"):
        three_document_check(two.tree, *messages[1:])
