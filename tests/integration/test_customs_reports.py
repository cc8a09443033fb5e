"""The declaration list a clerk hands on, as CSV and XLSX, read back with csv and openpyxl."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shop.customs import reports
from shop.customs.models import Declaration, DeclarationStatus
from tests import factories, ordering


@pytest.fixture
def declared(session, app):
    """Two paid orders with their declarations: milk powder (kg) and wine (litres, then kg)."""
    user = factories.user(session)
    milk = ordering.stocked(session, price=Decimal("300.00"))
    wine = ordering.stocked(session, hs_code="2204210000", name_zh="波尔多红葡萄酒", price=Decimal("299.00"),
                            net_content=Decimal("750"), net_content_unit="ml", net_weight_kg=Decimal("1.2"),
                            gross_weight_kg=Decimal("1.5"), unit_code="142", consumption_tax_category="wine")
    with app.test_request_context():
        first = ordering.place(session, user, [(milk, 2)])
        second = ordering.place(session, user, [(wine, 3)], who=ordering.buyer(ordering.ID_B, name="王小明"))
    for order in (first, second):
        ordering.mark_paid(session, order)
        session.add(Declaration(order_id=order.id, cop_no=order.number, status=DeclarationStatus.PENDING))
    session.flush()
    return first, second


def _period(days_back: int = 1) -> reports.Period:
    today = ordering.shop_today()
    return reports.Period(today - timedelta(days=days_back), today, ordering.tz())


def test_csv_has_a_bom_and_one_row_per_line(session, declared, tmp_path):
    first, second = declared
    path = tmp_path / "declarations.csv"
    count = reports.write_csv(reports.declaration_lines(session, _period()), path)

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert count == len(rows) == 2
    milk, wine = rows
    assert milk["order_no"] == first.number and wine["order_no"] == second.number
    assert milk["legal_qty"] == "1.6" and milk["legal_unit"] == "035"  # 2 × 0.8 kg
    assert wine["legal_qty"] == "2.25" and wine["legal_unit"] == "095"  # 3 × 750 ml in litres
    assert wine["buyer"] == "王*明" and wine["buyer_id"] == "1201**********8241"
    assert wine["goods_name"] == "波尔多红葡萄酒"
    assert Decimal(wine["duty_paid_value"]) == second.lines[0].duty_paid_value
    assert Decimal(wine["consumption_tax"]) == second.lines[0].consumption_tax > 0
    assert wine["status"] == "pending"


def test_xlsx_reads_back_with_numbers(session, declared, tmp_path):
    path = tmp_path / "declarations.xlsx"
    assert reports.write_xlsx(reports.declaration_lines(session, _period()), path) == 2
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(reports.HEADER)
    assert len(rows) == 2
    vat = rows[0][reports.HEADER.index("vat")]
    assert isinstance(vat, int | float) and vat > 0


def test_status_and_period_filter(session, declared, tmp_path):
    first, _ = declared
    declaration = session.query(Declaration).filter_by(order_id=first.id).one()
    declaration.status = DeclarationStatus.RELEASED
    session.flush()
    released = list(reports.declaration_lines(session, _period(), DeclarationStatus.RELEASED))
    assert [row[0] for row in released] == [first.number]
    tomorrow = ordering.shop_today() + timedelta(days=1)
    assert list(reports.declaration_lines(session, reports.Period(tomorrow, tomorrow, ordering.tz()))) == []


@pytest.mark.parametrize(("name", "masked"), [("张", "张"), ("王五", "王*"), ("欧阳小明", "欧**明")])
def test_mask_name(name, masked):
    assert reports.mask_name(name) == masked


def _paid_with_record(session, order):
    from shop.db import utcnow
    from shop.payments.models import Payment

    session.add(Payment(order_id=order.id, intent_id=f"pi_{order.number}", status="succeeded",
                        amount=order.actual_paid, payer_name=order.buyer_name, payer_id_masked=order.buyer_id_masked,
                        succeeded_at=utcnow()))
    session.flush()


def test_ceb311_export_validates_and_writes_one_message(session, declared, tmp_path, app):
    from lxml import etree

    from shop.customs.messages import CustomsCodes
    from shop.customs.xsd import validate

    for order in declared:
        _paid_with_record(session, order)
    with app.app_context():
        paths = reports.export_messages(session, "ceb311", _period(), tmp_path, codes=CustomsCodes.from_config(app.config),
                                        signer=None)
    assert len(paths) == 1
    tree = etree.parse(str(paths[0]))
    assert validate(tree.getroot()) == []
    numbers = tree.getroot().xpath("//ceb:orderNo/text()", namespaces={"ceb": "http://www.chinaport.gov.cn/ceb"})
    assert numbers == [o.number for o in declared]


def test_ceb621_without_a_waybill_names_the_order_and_field_and_writes_nothing(session, declared, tmp_path, app):
    from shop.customs.messages import CustomsCodes, MessageValidationError

    for order in declared:
        _paid_with_record(session, order)
    with pytest.raises(MessageValidationError) as caught:
        reports.export_messages(session, "ceb621", _period(), tmp_path, codes=CustomsCodes.from_config(app.config),
                                signer=None)
    assert declared[0].number in str(caught.value) and "logisticsNo" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_cli_export_csv_and_refusal(session, declared, tmp_path, app):
    today = ordering.shop_today().isoformat()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["customs", "export", "--format", "csv", "--from", today, "--to", today,
                                 "--out", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "2 lines written" in result.output
    result = runner.invoke(args=["customs", "export", "--format", "ceb621", "--from", today, "--to", today,
                                 "--out", str(tmp_path / "ceb")])
    assert result.exit_code == 1
    assert "Nothing was written" in result.output and "logisticsNo" in result.output
    assert list((tmp_path / "ceb").iterdir()) == []
    result = runner.invoke(args=["customs", "export", "--format", "csv", "--from", today, "--to", today,
                                 "--status", "bogus", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
