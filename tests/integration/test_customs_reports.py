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


# --- Streamed message exports: 100 declarations (one message) at a time --------------------------------


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    from shop.customs.signing import generate_dev_keypair

    key_path, cert_path = generate_dev_keypair(tmp_path_factory.mktemp("keys"))
    return key_path.read_bytes(), cert_path.read_bytes()


def _copies(session, order, count: int) -> list[str]:
    """`count` more orders like `order` (its lines, payment and declaration), inserted as plain rows: placing
    250 orders through the services would test the services, not the export, and take much longer."""
    from sqlalchemy import insert, select

    from shop.orders.models import Order, OrderLine
    from shop.payments.models import Payment

    def rows(model, where):
        return [{k: v for k, v in row.items() if k != "id"}
                for row in session.execute(select(model.__table__).where(where)).mappings()]

    (head,) = rows(Order, Order.id == order.id)
    lines = rows(OrderLine, OrderLine.order_id == order.id)
    (payment,) = rows(Payment, Payment.order_id == order.id)
    (declaration,) = rows(Declaration, Declaration.order_id == order.id)
    numbers = []
    for i in range(count):
        number = f"{order.number}{i:03d}"
        order_id = session.execute(insert(Order.__table__).values(
            {**head, "number": number, "waybill_no": f"YT{number}"})).inserted_primary_key[0]
        session.execute(insert(OrderLine.__table__), [{**line, "order_id": order_id} for line in lines])
        session.execute(insert(Payment.__table__).values({**payment, "order_id": order_id, "intent_id": f"pi_{number}"}))
        session.execute(insert(Declaration.__table__).values({**declaration, "order_id": order_id, "cop_no": number}))
        numbers.append(number)
    return numbers


@pytest.fixture
def many_declared(session, app) -> list[str]:
    """250 paid orders with waybills and declarations (order numbers, oldest first); the session left empty."""
    milk = ordering.stocked(session, item_record_no="IR-MILK-7", barcode="9421902960017")
    with app.test_request_context():
        order = ordering.place(session, factories.user(session), [(milk, 2)])
    ordering.mark_paid(session, order)
    order.waybill_no = f"YT{order.number}"
    _paid_with_record(session, order)
    session.add(Declaration(order_id=order.id, cop_no=order.number, status=DeclarationStatus.RELEASED))
    session.flush()
    numbers = [order.number, *_copies(session, order, 249)]
    session.expunge_all()  # what the export loads is then all the identity map holds
    return numbers


def _blank_item_record_no(session, numbers) -> None:
    """Break the snapshot of these orders' lines: 1210 lists need the account-book item number."""
    from sqlalchemy import select, update

    from shop.orders.models import Order, OrderLine

    session.execute(update(OrderLine).where(OrderLine.order_id.in_(select(Order.id).where(Order.number.in_(numbers))))
                    .values(item_record_no=None))


def test_ceb621_export_streams_one_signed_message_per_hundred_declarations(session, app, many_declared, tmp_path,
                                                                           keypair, count_queries):
    from lxml import etree

    from shop.customs.messages import CustomsCodes
    from shop.customs.signing import RsaSha1Signer, verify
    from shop.customs.xsd import CEB_NS, validate

    baseline = len(session.identity_map)
    progress = []
    with app.app_context(), count_queries() as counter:
        paths = reports.export_messages(
            session, "ceb621", _period(), tmp_path, codes=CustomsCodes.from_config(app.config),
            signer=RsaSha1Signer(*keypair), progress=lambda done: progress.append((done, len(session.identity_map))))

    # Read in chunks (one query for the declarations of each), and only one chunk in the session at a time:
    # 100 declarations, their orders, lines and payments, expunged before the next chunk is read.
    assert [done for done, _ in progress] == [100, 200, 250]
    assert sum("FROM declarations" in statement for statement in counter.statements) == 3
    assert max(size for _, size in progress) <= baseline + 4 * 100
    assert len(session.identity_map) == baseline
    # Every message validates and is signed; no temporary file is left beside them.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    listed = []
    for path in paths:
        data = path.read_bytes()
        root = etree.fromstring(data)
        assert validate(root) == [] and verify(data, keypair[1]), path.name
        listed.append(root.xpath("ceb:Inventory/ceb:InventoryHead/ceb:orderNo/text()", namespaces={"ceb": CEB_NS}))
    assert [len(numbers) for numbers in listed] == [100, 100, 50]
    assert [number for numbers in listed for number in numbers] == many_declared


def test_one_invalid_order_among_many_writes_nothing_and_every_bad_order_is_named(session, app, many_declared,
                                                                                 tmp_path, keypair):
    from shop.customs.messages import CustomsCodes, MessageValidationError
    from shop.customs.signing import RsaSha1Signer

    bad = [many_declared[5], many_declared[230]]  # in the first message and in the last
    _blank_item_record_no(session, bad)
    with app.app_context(), pytest.raises(MessageValidationError) as caught:
        reports.export_messages(session, "ceb621", _period(), tmp_path, codes=CustomsCodes.from_config(app.config),
                                signer=RsaSha1Signer(*keypair))

    assert [(p.order_no, p.field) for p in caught.value.problems] == [(number, "itemRecordNo") for number in bad]
    assert f"order {bad[0]}, field itemRecordNo" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # not even the temporary files of the good messages


def test_cli_message_export_and_a_capped_problem_list(session, app, many_declared, tmp_path, monkeypatch):
    from shop.customs import messages

    monkeypatch.setitem(app.config, "CUSTOMS_KEYS_DIR", str(tmp_path / "keys"))
    today = ordering.shop_today().isoformat()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["customs", "export", "--format", "ceb311", "--from", today, "--to", today,
                                 "--status", "released", "--out", str(tmp_path / "ceb311")])
    assert result.exit_code == 0, result.output
    assert "3 messages written" in result.output
    assert len(list((tmp_path / "ceb311").glob("CEB311Message_*.xml"))) == 3

    _blank_item_record_no(session, many_declared)
    monkeypatch.setattr(messages, "MAX_PROBLEMS", 100)
    result = runner.invoke(args=["customs", "export", "--format", "ceb621", "--from", today, "--to", today,
                                 "--out", str(tmp_path / "ceb621")])
    assert result.exit_code == 1
    assert "Nothing was written: 100 problem(s)" in result.output
    assert "150 more problems not listed" in result.output
    assert list((tmp_path / "ceb621").iterdir()) == []
