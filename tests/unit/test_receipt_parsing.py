"""Parsing customs receipts (official samples and generated ones) and the declaration's status rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

from shop.customs import receipts
from shop.customs.models import DeclarationStatus as D
from shop.customs.receipts import ReceiptError, parse, parse_time, should_apply, status_for
from shop.customs.xsd import validate
from tests.customs_receipts import SAMPLES, ceb622, ceb816

T1 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "key_field", "key", "status"), [
    ("CEB312", "orderNo", "order20160321116420545", "2"),
    ("CEB412", "payTransactionId", "P0321000433", "120"),
    ("CEB512", "logisticsNo", "L20160321114400001", "2"),
    ("CEB622", "copNo", "cop2016032211000", "1"),
    ("CEB624", "copNo", "cop2016032210052", "23"),
    ("CEB626", "copNo", "cop201604270088", "18"),
])
def test_the_official_samples_parse(kind, key_field, key, status):
    message_type, found = parse((SAMPLES / f"{kind}Message.xml").read_bytes())

    assert message_type == kind
    assert len(found) == 10  # each sample repeats one receipt ten times …
    assert len({r.digest for r in found}) == 1  # … with the same content, so the same digest
    first = found[0]
    assert (first.key_field, first.key, first.return_status) == (key_field, key, status)  # copNo tab stripped
    assert first.return_time.tzinfo is not None


def test_the_622_sample_keeps_its_pre_number_and_time():
    (first, *_) = parse((SAMPLES / "CEB622Message.xml").read_bytes())[1]
    assert first.pre_no == "B20160512000001882"
    assert first.return_info == "暂存"
    assert first.return_time == datetime(2016, 5, 12, 2, 26, 46, 1000, tzinfo=UTC)  # 10:26:46.001 China time


def test_return_time_is_china_time_with_milliseconds():
    assert parse_time("20261129093000250") == datetime(2026, 11, 29, 1, 30, 0, 250000, tzinfo=UTC)
    with pytest.raises(ReceiptError):
        parse_time("2026112909300025")


def test_prefixed_and_default_namespace_receipts_parse_alike():
    receipt = ("GB202611290001", 120, "20261129100000000", "入库")
    prefixed, default = ceb622(receipt, prefixed=True), ceb622(receipt, prefixed=False)
    assert b"<ceb:CEB622Message" in prefixed and b"<CEB622Message" in default

    (a,) = parse(prefixed)[1]
    (b,) = parse(default)[1]
    assert (a.key, a.return_status, a.return_time, a.return_info) == (b.key, b.return_status, b.return_time,
                                                                       b.return_info)
    assert a.return_status == "120"


def test_a_receipt_in_another_namespace_is_not_a_customs_message():
    with pytest.raises(ReceiptError, match="not a customs message"):
        parse(b'<CEB622Message xmlns="http://example.com/other"><InventoryReturn/></CEB622Message>')
    with pytest.raises(ReceiptError, match="not XML"):
        parse(b"this is not xml")


def test_an_unknown_message_type_gives_no_receipts():
    data = b'<CEB999Message xmlns="http://www.chinaport.gov.cn/ceb" guid="X" version="1.0"/>'
    assert parse(data) == ("CEB999", [])


def test_a_generated_tax_bill_is_valid_and_parses_with_its_lines():
    data = ceb816("150120261000000001", [("200.00000", "0", "23.60000", "0"), ("100.5", "0", "11.86", "0")])
    assert validate(etree.fromstring(data)) == []

    message_type, (bill,) = parse(data)
    assert message_type == "CEB816"
    assert (bill.key_field, bill.key, bill.tax_no, bill.return_status) == (
        "invtNo", "150120261000000001", "TAX2026112900001", "1")
    assert [(line.gnum, line.tax_price, line.value_added_tax) for line in bill.tax_lines] == [
        (1, Decimal("200.00000"), Decimal("23.60000")), (2, Decimal("100.5"), Decimal("11.86"))]


@pytest.mark.parametrize(("code", "status"), [
    ("2", D.DECLARED), ("3", D.DECLARED), ("120", D.ACCEPTED), ("300", D.REVIEW), ("399", D.CONCLUDED),
    ("500", D.INSPECTION), ("501", D.DETAINED), ("599", D.DETAINED), ("800", D.RELEASED), ("899", D.CLOSED),
    ("100", D.REJECTED), ("-621005", D.ERROR), ("-1", D.ERROR),
    ("1", None), ("4", None), ("700", None), ("", None), ("abc", None),
])
def test_return_status_codes(code, status):
    assert status_for(code) == status


@pytest.mark.parametrize(("current", "new", "at", "applies"), [
    (D.PENDING, D.ACCEPTED, T1, True),
    (D.ACCEPTED, D.RELEASED, T1, True),  # even when older: release is further on
    (D.RELEASED, D.ACCEPTED, T2, False),  # 800 then 120 stays released
    (D.CONCLUDED, D.INSPECTION, T2, True),  # inspection follows conclusion
    (D.INSPECTION, D.CONCLUDED, T2, False),
    (D.DETAINED, D.DETAINED, T2, True),  # same rank, newer: code and text updated
    (D.DETAINED, D.DETAINED, T1, False),
    (D.RELEASED, D.CLOSED, T1, True),
    (D.ACCEPTED, D.REJECTED, T2, True),
    (D.ACCEPTED, D.REJECTED, T1, False),  # an old rejection arriving late
    (D.RELEASED, D.REJECTED, T2, False),  # never after release
    (D.RELEASED, D.ERROR, T2, False),
    (D.DECLARED, D.ERROR, T2, True),
    (D.ERROR, D.ACCEPTED, T2, True),  # corrected and declared again
    (D.ERROR, D.ACCEPTED, T1, False),
    (D.REJECTED, D.RELEASED, T2, False),  # rejection is final
    (D.CANCELLED, D.RELEASED, T2, False),
])
def test_the_declaration_only_moves_forward(current, new, at, applies):
    assert should_apply(current, T1 if current is not D.PENDING else None, new, at) is applies


def test_every_progress_status_has_a_rank():
    assert set(receipts.RANK) | receipts.FINAL | {D.ERROR} == set(D)
