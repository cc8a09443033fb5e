"""Importing customs receipts: declarations follow CEB622 receipts, orders are released or rejected and
refunded, tax bills are recorded, and nothing happens twice."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop.customs.models import Declaration, DeclarationReceipt
from shop.customs.models import DeclarationStatus as D
from shop.customs.receipts import import_receipts
from shop.db import utcnow
from shop.inventory.models import Lot
from shop.money import to_fen
from shop.orders import services as orders
from shop.orders.fulfilment import release_queue
from shop.orders.models import Order, OrderEvent, OrderStatus, ReservationState
from shop.payments import services as payments
from shop.payments.gateway import gateway
from shop.payments.models import Payment, Refund
from tests import factories
from tests.customs_receipts import SAMPLES, ceb622, ceb816, write
from tests.localstripe import CARD_OK, LocalStripe
from tests.ordering import mark_paid, place, stocked

S = OrderStatus
T120 = "20261129100000000"
T300 = "20261129100500000"
T399 = "20261129101000000"
T500 = "20261129102000000"
T800 = "20261129110000000"


def declared(session, *, cop_no: str | None = None) -> Declaration:
    """A paid order (without Stripe) and its declaration, waiting for customs."""
    product = stocked(session, 10)
    order = place(session, factories.user(session), [(product, 1)])
    mark_paid(session, order)
    declaration = Declaration(order_id=order.id, cop_no=cop_no or order.number, status=D.DECLARED)
    session.add(declaration)
    session.flush()
    return declaration


def history(session, declaration: Declaration) -> list[DeclarationReceipt]:
    return list(session.scalars(select(DeclarationReceipt).where(DeclarationReceipt.declaration_id == declaration.id)
                                .order_by(DeclarationReceipt.id)))


def events(session, order: Order) -> list[tuple[S, S, str]]:
    return [(e.from_status, e.to_status, e.source) for e in session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))]


def test_release_moves_the_order_on_and_into_the_fulfilment_queue(session, tmp_path):
    declaration = declared(session)
    cop = declaration.cop_no
    first = write(tmp_path, "a.xml", ceb622((cop, 120, T120, "入库", "150120261000000001")))
    second = write(tmp_path, "b.xml", ceb622((cop, 800, T800, "放行")))

    report = import_receipts(session, [first, second])

    assert declaration.status is D.RELEASED
    assert (declaration.return_status, declaration.return_info) == ("800", "放行")
    assert declaration.invt_no == "150120261000000001" and declaration.pre_no == "B20261129000000001"
    assert declaration.last_receipt_at.isoformat() == "2026-11-29T03:00:00+00:00"
    order = declaration.order
    assert order.status is S.RELEASED and order.released_at is not None
    assert order in release_queue(session)
    assert events(session, order)[-2:] == [(S.PAID, S.DECLARED, "customs"), (S.DECLARED, S.RELEASED, "customs")]
    a, b = report.files
    assert a.moved == [f"{cop}: declared -> accepted"] and a.released == []
    assert b.moved == [f"{cop}: accepted -> released"] and b.released == [order.number]
    assert [(r.message_type, r.return_status, r.applied, r.source_file) for r in history(session, declaration)] == [
        ("CEB622", "120", True, "a.xml"), ("CEB622", "800", True, "b.xml")]


def test_a_release_for_a_paid_order_declares_it_first(session, tmp_path):
    declaration = declared(session)

    import_receipts(session, [write(tmp_path, "r.xml", ceb622((declaration.cop_no, 800, T800)))])

    assert declaration.status is D.RELEASED
    assert events(session, declaration.order)[-2:] == [(S.PAID, S.DECLARED, "customs"),
                                                       (S.DECLARED, S.RELEASED, "customs")]


def test_an_older_receipt_arriving_after_release_changes_nothing(session, tmp_path):
    declaration = declared(session)
    cop = declaration.cop_no

    import_receipts(session, [write(tmp_path, "800.xml", ceb622((cop, 800, T800)))])
    report = import_receipts(session, [write(tmp_path, "120.xml", ceb622((cop, 120, T120)))])

    assert declaration.status is D.RELEASED and declaration.return_status == "800"
    assert declaration.order.status is S.RELEASED
    assert [(r.return_status, r.applied) for r in history(session, declaration)] == [("800", True), ("120", False)]
    assert report.files[0].moved == [] and "not applied" in report.files[0].notes[0]


def test_the_same_receipt_twice_records_one_history_row(session, tmp_path):
    declaration = declared(session)
    receipt = (declaration.cop_no, 120, T120, "入库")
    path = write(tmp_path, "twice.xml", ceb622(receipt, receipt))

    first = import_receipts(session, [path])
    again = import_receipts(session, [path])

    assert len(history(session, declaration)) == 1
    assert declaration.status is D.ACCEPTED
    assert (first.files[0].recorded, len(first.files[0].duplicates)) == (1, 1)
    assert (again.files[0].recorded, len(again.files[0].duplicates), again.files[0].moved) == (0, 2, [])
    assert events(session, declaration.order).count((S.PAID, S.DECLARED, "customs")) == 1


@pytest.mark.parametrize("order_of_arrival", [("399", "500"), ("500", "399")])
def test_inspection_ranks_above_conclusion_whatever_the_order_of_arrival(session, tmp_path, order_of_arrival):
    declaration = declared(session)
    times = {"399": T399, "500": T500}
    files = [write(tmp_path, f"{code}.xml", ceb622((declaration.cop_no, int(code), times[code])))
             for code in order_of_arrival]

    import_receipts(session, files)

    assert declaration.status is D.INSPECTION and declaration.return_status == "500"
    assert declaration.order.status is S.DECLARED


def test_review_then_detention_then_release(session, tmp_path):
    declaration = declared(session)
    cop = declaration.cop_no
    path = write(tmp_path, "all.xml", ceb622((cop, 300, T300), (cop, 502, T500, "扣留移送缉私"), (cop, 800, T800)))

    report = import_receipts(session, [path])

    assert report.files[0].moved == [f"{cop}: declared -> review", f"{cop}: review -> detained",
                                     f"{cop}: detained -> released"]
    assert declaration.order.status is S.RELEASED


def test_an_error_keeps_its_code_and_a_newer_receipt_moves_it_on(session, tmp_path):
    declaration = declared(session)
    cop = declaration.cop_no

    import_receipts(session, [write(tmp_path, "e.xml", ceb622((cop, -621001, T120, "订购人身份信息校验不通过")))])
    assert (declaration.status, declaration.return_status, declaration.return_info) == (
        D.ERROR, "-621001", "订购人身份信息校验不通过")
    assert declaration.order.status is S.PAID

    import_receipts(session, [write(tmp_path, "ok.xml", ceb622((cop, 120, T399)))])
    assert declaration.status is D.ACCEPTED and declaration.order.status is S.DECLARED


def test_unknown_orders_and_message_types_are_listed(session, tmp_path):
    write(tmp_path, "a.xml", ceb622(("GB-NO-SUCH-ORDER", 120, T120)))
    write(tmp_path, "b.xml", b'<CEB999Message xmlns="http://www.chinaport.gov.cn/ceb" guid="X" version="1.0"/>')
    write(tmp_path, "c.xml", b"not xml at all")

    report = import_receipts(session, [tmp_path])

    a, b, c = report.files
    assert a.unknown == ["no declaration for CEB622 copNo GB-NO-SUCH-ORDER status 120"]
    assert (b.message_type, b.unknown) == ("CEB999", ["unknown message type CEB999"])
    assert c.unknown[0].startswith("unreadable file: not XML")
    assert report.lines()[-1] == "3 files, 0 receipts recorded, 0 duplicates, 3 unknown."
    assert session.scalar(select(func.count()).select_from(DeclarationReceipt)) == 0


def test_the_official_samples_import_as_format_examples(session, tmp_path):
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    inventory = declared(session, cop_no="cop2016032211000")  # the numbers in CEB622Message.xml
    cancelled = declared(session, cop_no="cop2016032210052")  # CEB624Message.xml (its copNo ends in a tab)

    report = import_receipts(session, [folder])

    by_type = {f.message_type: f for f in report.files}
    assert set(by_type) == {"CEB312", "CEB412", "CEB512", "CEB622", "CEB624", "CEB626"}
    assert (by_type["CEB622"].recorded, len(by_type["CEB622"].duplicates)) == (1, 9)
    assert by_type["CEB622"].notes == ["cop2016032211000: code 1 recorded, no change of status"]
    assert (by_type["CEB624"].recorded, len(by_type["CEB624"].duplicates)) == (1, 9)
    for kind in ("CEB312", "CEB412", "CEB512", "CEB626"):
        assert len(by_type[kind].unknown) == 10 and by_type[kind].recorded == 0
    assert [r.return_status for r in history(session, inventory)] == ["1"]
    assert [(r.message_type, r.return_info) for r in history(session, cancelled)] == [("CEB624", "test")]
    assert inventory.status is D.DECLARED and inventory.pre_no == "B20160512000001882"


def test_a_tax_bill_records_its_totals_and_lines_once(session, tmp_path):
    declaration = declared(session)
    declaration.invt_no = "150120261000000001"
    bill = ceb816("150120261000000001", [("200.00000", "0", "18.20000", "0"), ("100.50000", "0", "9.14550", "0")],
                  prefixed=False)
    path = write(tmp_path, "tax.xml", bill)

    report = import_receipts(session, [path])
    again = import_receipts(session, [path])

    assert (declaration.tax_no, declaration.tax_price, declaration.customs_tax, declaration.value_added_tax,
            declaration.consumption_tax) == ("TAX2026112900001", Decimal("300.50000"), Decimal("0.00000"),
                                             Decimal("27.34550"), Decimal("0.00000"))
    assert declaration.tax_recorded_at is not None
    assert [(line.gnum, line.tax_price, line.value_added_tax) for line in declaration.tax_lines] == [
        (1, Decimal("200.00000"), Decimal("18.20000")), (2, Decimal("100.50000"), Decimal("9.14550"))]
    assert report.files[0].tax_bills[0].startswith("TAX2026112900001 for ")
    assert again.files[0].tax_bills == [] and len(again.files[0].duplicates) == 1
    assert [r.message_type for r in history(session, declaration)] == ["CEB816"]
    assert declaration.status is D.DECLARED  # a tax bill does not move the declaration


# --- rejection: stock back, money back ------------------------------------------------------------------


@pytest.fixture
def ls(localstripe: LocalStripe) -> LocalStripe:
    localstripe.reset()
    return localstripe


def paid_by_card(session, ls: LocalStripe) -> tuple[Order, Declaration]:
    product = stocked(session, 5, price=Decimal("300.00"))
    order = place(session, factories.user(session), [(product, 2)])
    session.commit()
    payments.pay_with_card(session, order, card=ls.payment_method(CARD_OK), gateway=gateway(), now=utcnow())
    session.commit()
    declaration = session.scalar(select(Declaration).where(Declaration.order_id == order.id))
    return order, declaration


def reserved(session, order: Order) -> int:
    product_id = order.lines[0].product_id
    return session.scalar(select(func.sum(Lot.reserved)).where(Lot.product_id == product_id))


@pytest.mark.parametrize(("code", "info"), [(100, "退单"), (-621018, "超过年度限值")])
def test_rejection_moves_the_order_to_refund(session, tmp_path, ls, in_request, code, info):
    order, declaration = paid_by_card(session, ls)
    assert reserved(session, order) == 2
    path = write(tmp_path, "reject.xml", ceb622((declaration.cop_no, 120, T120), (declaration.cop_no, code, T399,
                                                                                   info)))

    report = import_receipts(session, [path])
    session.commit()
    again = import_receipts(session, [path])

    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status is S.REJECTED and order.closed_at is not None
    assert declaration.status is D.REJECTED
    assert (declaration.return_status, declaration.return_info) == (str(code), info)
    assert reserved(session, order) == 0
    assert {r.state for r in orders.order_reservations(session, order)} == {ReservationState.RELEASED}
    (payment,) = session.scalars(select(Payment).where(Payment.order_id == order.id)).all()
    assert payment.refunded_amount == payment.amount == order.actual_paid
    (refund,) = session.scalars(select(Refund).where(Refund.payment_id == payment.id)).all()
    stripe_refund = ls.client.v1.refunds.retrieve(refund.refund_id)
    assert (stripe_refund.amount, stripe_refund.status) == (to_fen(order.actual_paid), "succeeded")
    changes = [e for e in events(session, order) if e[2] == "customs"]
    assert changes == [(S.PAID, S.DECLARED, "customs"), (S.DECLARED, S.REJECTED, "customs")]
    assert events(session, order)[-1] == (S.REJECTED, S.REJECTED, "stripe")  # the refund's note
    assert report.files[0].rejected == [order.number]
    assert again.files[0].rejected == [] and len(again.files[0].duplicates) == 2


def test_a_release_after_rejection_is_recorded_not_applied(session, tmp_path):
    declaration = declared(session)
    cop = declaration.cop_no
    import_receipts(session, [write(tmp_path, "100.xml", ceb622((cop, 100, T399)))])

    report = import_receipts(session, [write(tmp_path, "800.xml", ceb622((cop, 800, T800)))])

    assert declaration.status is D.REJECTED and declaration.order.status is S.REJECTED
    assert report.files[0].released == [] and report.files[0].recorded == 1


# --- the command ----------------------------------------------------------------------------------------


def test_the_cli_imports_a_folder_and_prints_the_report(app, session, tmp_path):
    declaration = declared(session)
    cop, number = declaration.cop_no, declaration.order.number
    write(tmp_path, "1.xml", ceb622((cop, 120, T120), prefixed=True))
    write(tmp_path, "2.xml", ceb622((cop, 800, T800)))
    write(tmp_path, "3.xml", ceb622(("GB-UNKNOWN", 800, T800)))
    session.commit()

    result = app.test_cli_runner().invoke(args=["customs", "import-receipts", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert f"  moved {cop}: accepted -> released" in result.output
    assert f"  order {number} released" in result.output
    assert "  unknown: no declaration for CEB622 copNo GB-UNKNOWN status 800" in result.output
    assert "3 files, 2 receipts recorded, 0 duplicates, 1 unknown." in result.output
    session.expire_all()
    assert session.get(Order, declaration.order_id).status is S.RELEASED

    again = app.test_cli_runner().invoke(args=["customs", "import-receipts", str(tmp_path)])
    assert "3 files, 0 receipts recorded, 2 duplicates, 1 unknown." in again.output


def test_order_payment_and_waybill_receipts_are_matched_and_recorded_only(session, tmp_path):
    declaration = declared(session)
    order = declaration.order
    order.waybill_no = "YT2026112900001"
    session.add(Payment(order_id=order.id, intent_id="pi_receipt_test", amount=order.actual_paid, currency="CNY", payer_name="张三",
                        payer_id_masked="3604**********0071", status="succeeded", succeeded_at=utcnow()))
    session.flush()
    ns = 'xmlns="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0"'
    tail = "<returnStatus>120</returnStatus><returnTime>20261129100000000</returnTime><returnInfo>ok</returnInfo>"
    files = [
        write(tmp_path, "312.xml", f"<CEB312Message {ns}><OrderReturn><orderNo>{order.number}</orderNo>{tail}"
                                   "</OrderReturn></CEB312Message>".encode()),
        write(tmp_path, "412.xml", f"<CEB412Message {ns}><PaymentReturn><payTransactionId>pi_receipt_test"
                                   f"</payTransactionId>{tail}</PaymentReturn></CEB412Message>".encode()),
        write(tmp_path, "512.xml", f"<CEB512Message {ns}><LogisticsReturn><logisticsNo>YT2026112900001"
                                   f"</logisticsNo>{tail}</LogisticsReturn></CEB512Message>".encode()),
    ]

    report = import_receipts(session, files)

    assert [f.recorded for f in report.files] == [1, 1, 1]
    assert [(r.message_type, r.applied) for r in history(session, declaration)] == [
        ("CEB312", False), ("CEB412", False), ("CEB512", False)]
    assert declaration.status is D.DECLARED and order.status is S.PAID


def test_declare_simulate_and_import_from_the_command_line(app, session, tmp_path, monkeypatch):
    from shop.payments.models import Payment as PaymentRecord

    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    monkeypatch.setitem(app.config, "CUSTOMS_OUTBOX", str(outbox))
    monkeypatch.setitem(app.config, "CUSTOMS_INBOX", str(inbox))
    declaration = declared(session)
    declaration.status = D.PENDING
    order = declaration.order
    order.lines[0].item_record_no = "IR-1"
    session.add(PaymentRecord(order_id=order.id, intent_id=f"pi_{order.number}", status="succeeded",
                              amount=order.actual_paid, payer_name=order.buyer_name,
                              payer_id_masked=order.buyer_id_masked, succeeded_at=utcnow()))
    session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["customs", "declare"])
    assert result.exit_code == 0, result.output
    assert "1 orders declared" in result.output and len(list(outbox.glob("*.xml"))) == 4

    result = runner.invoke(args=["customs", "simulate", "--status", "800", "--tax-bills"])
    assert result.exit_code == 0, result.output
    assert len(list(inbox.glob("*.xml"))) == 2

    result = runner.invoke(args=["customs", "import-receipts", str(inbox)])
    assert result.exit_code == 0, result.output
    assert f"  order {order.number} released" in result.output
    session.expire_all()
    found = session.get(Declaration, declaration.id)
    assert found.status is D.RELEASED and found.tax_no and found.value_added_tax == order.lines[0].vat
    assert "No declared lists" in runner.invoke(args=["customs", "simulate"]).output
