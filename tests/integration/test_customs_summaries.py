"""The clerk's reports with real figures: the month's tax against the CEB816 tax bills, annual quota per buyer,
and the bonded ledger against the released lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from shop import security
from shop.accounts.models import Role
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from shop.customs import summaries
from shop.customs.models import Declaration
from shop.customs.models import DeclarationStatus as DS
from shop.customs.receipts import import_receipts
from shop.customs.summaries import Month, TaxFigures
from shop.db import utcnow
from shop.inventory.models import Lot, MovementReason, StockMovement
from shop.orders import fulfilment
from shop.orders import services as orders
from shop.orders.models import Order, OrderLine, OrderStatus, ReturnDisposition
from tests import factories, ordering
from tests.customs_receipts import ceb816, write

D = Decimal
S = OrderStatus
MARCH = Month(2026, 3)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=ordering.tz())


def _wine(session, quantity: int = 20):
    return ordering.stocked(
        session, quantity, name_zh="波尔多红葡萄酒", name_en="Bordeaux red wine", hs_code="2204210000",
        origin_code="305", unit_code="142", price=D("299.00"), consumption_tax_category=ConsumptionTaxCategory.WINE,
        tariff_rate=D("0.14"), net_content=D("750"), net_content_unit=NetContentUnit.ML, net_weight_kg=D("1.2"),
        gross_weight_kg=D("1.4"))


def declared(session, user, items, *, status=DS.ACCEPTED, at: datetime | None = None, who=None,
             freight=ordering.FREIGHT, invt_no: str | None = None) -> Declaration:
    """A paid order and its declaration, created at `at`."""
    order = ordering.place(session, user, items, who=who, now=at, freight=freight)
    ordering.mark_paid(session, order)
    declaration = Declaration(order_id=order.id, cop_no=order.number, status=status, invt_no=invt_no,
                              created_at=at or utcnow())
    session.add(declaration)
    session.flush()
    return declaration


def release(session, order: Order) -> Order:
    """Customs releases the order (the declaration is set by the caller)."""
    orders.change_status(session, order, S.DECLARED, source="customs", reason="declared (test)")
    orders.change_status(session, order, S.RELEASED, source="customs", reason="800 (test)")
    return order


def ship(session, order: Order, actor) -> None:
    fulfilment.ship(session, order, carrier="SF Express", waybill_no=f"SF{order.number}",
                    package_weight_kg=D("1.200"), actor_id=actor.id)


# --- the month's tax summary -------------------------------------------------------------------------------


@pytest.fixture
def march(session, in_request, tmp_path):
    """Milk powder (300 + 10 freight: VAT 28.21) and wine (299, no freight: CT 23.26, VAT 30.23) in March 2026,
    two of them with a CEB816 tax bill — one of which differs by a fen — and declarations that do not count."""
    user = factories.user(session)
    milk = ordering.stocked(session, 50, price=D("300.00"))
    wine = _wine(session)
    first = declared(session, user, [(milk, 1)], at=shanghai(2026, 3, 1, 0, 30))  # 16:30 UTC on 28 February
    wine_list = declared(session, user, [(wine, 1)], status=DS.RELEASED, at=shanghai(2026, 3, 1, 12, 0),
                         freight=ordering.NO_FREIGHT, invt_no="150120260000000001")
    billed_wrong = declared(session, user, [(milk, 1)], status=DS.CLOSED, at=shanghai(2026, 3, 15, 10, 0),
                            invt_no="150120260000000002")
    declared(session, user, [(milk, 2)], status=DS.PENDING, at=shanghai(2026, 3, 15, 11, 0))
    declared(session, user, [(milk, 1)], status=DS.REJECTED, at=shanghai(2026, 3, 15, 12, 0))
    declared(session, user, [(milk, 1)], at=shanghai(2026, 4, 1, 0, 0))  # April in Shanghai
    declared(session, user, [(milk, 1)], at=shanghai(2026, 2, 28, 23, 59))  # February
    report = import_receipts(session, [
        write(tmp_path, "wine.xml", ceb816("150120260000000001", [("299.00000", "0", "30.23000", "23.26000")],
                                           tax_no="TAX-WINE")),
        write(tmp_path, "milk.xml", ceb816("150120260000000002", [("310.00", "0", "28.20", "0")],
                                           tax_no="TAX-MILK")),
    ])
    assert [len(f.tax_bills) for f in report.files] == [1, 1]
    return first, wine_list, billed_wrong


def test_the_figures_of_each_day_and_of_the_month(session, march):
    first, wine_list, billed_wrong = march
    assert (first.order.lines[0].duty_paid_value, first.order.lines[0].vat) == (D("310.00"), D("28.21"))
    assert (wine_list.order.lines[0].consumption_tax, wine_list.order.lines[0].vat) == (D("23.26"), D("30.23"))

    summary = summaries.tax_summary(session, MARCH, ordering.tz())

    assert [row.day for row in summary.days] == [date(2026, 3, d) for d in range(1, 32)]
    day1, day15 = summary.days[0], summary.days[14]
    assert (day1.declarations, day1.billed) == (2, 1)
    assert day1.shop == TaxFigures(D("609.00"), D("0.00"), D("58.44"), D("23.26"))
    assert day1.shop.total_tax == D("81.70")
    assert day1.customs == TaxFigures(D("299.00"), D("0"), D("30.23"), D("23.26"))
    assert day1.difference == TaxFigures(D("0"), D("0"), D("0"), D("0"))
    assert (day15.declarations, day15.billed) == (1, 1)  # the pending and the rejected lists do not count
    assert day15.shop == TaxFigures(D("310.00"), D("0.00"), D("28.21"), D("0.00"))
    assert day15.difference.vat == D("0.01") and day15.difference.total_tax == D("0.01")
    assert all(row.declarations == 0 and row.shop == TaxFigures() for i, row in enumerate(summary.days)
               if i not in (0, 14))

    total = summary.total
    assert total.day is None and (total.declarations, total.billed) == (3, 2)
    assert total.shop == TaxFigures(D("919.00"), D("0.00"), D("86.65"), D("23.26"))
    assert total.shop.total_tax == D("109.91")
    assert total.customs.vat == D("58.43") and total.difference.vat == D("0.01")
    assert summary.not_counted == {DS.PENDING: 1, DS.REJECTED: 1}


def test_the_day_rows_add_up_to_the_month_exactly(session, march):
    summary = summaries.tax_summary(session, MARCH, ordering.tz())

    for name in ("shop", "shop_billed", "customs", "difference"):
        for field in (*summaries.TAX_FIELDS, "total_tax"):
            figures = [getattr(row, name).value(field) for row in summary.days]
            assert all(isinstance(value, Decimal) for value in figures)
            assert sum(figures, D(0)) == getattr(summary.total, name).value(field), (name, field)
    assert sum(row.declarations for row in summary.days) == summary.total.declarations
    assert sum(row.billed for row in summary.days) == summary.total.billed
    # …and the month is what the order lines of the counted declarations say, summed in the database
    start, end = MARCH.period(ordering.tz()).bounds()
    vat = session.scalar(select(func.sum(OrderLine.vat)).join(Declaration, Declaration.order_id == OrderLine.order_id)
                         .where(Declaration.created_at >= start, Declaration.created_at < end,
                                Declaration.status.in_(summaries.TAX_STATUSES)))
    assert vat == summary.total.shop.vat == D("86.65")


def test_a_tax_bill_that_differs_is_listed_with_the_difference(session, march):
    _, _, billed_wrong = march

    summary = summaries.tax_summary(session, MARCH, ordering.tz())

    assert summary.mismatch_count == 1
    (mismatch,) = summary.mismatches
    assert (mismatch.order_no, mismatch.field, mismatch.tax_no) == (billed_wrong.order.number, "vat", "TAX-MILK")
    assert (mismatch.shop, mismatch.customs, mismatch.difference) == (D("28.21"), D("28.20"), D("0.01"))
    assert mismatch.day == date(2026, 3, 15) and mismatch.declaration_id == billed_wrong.id
    assert list(summaries.tax_mismatches(session, MARCH, ordering.tz())) == [mismatch]


def test_a_bill_recorded_on_the_declaration_itself_counts_too(session, march):
    first, _, _ = march
    first.tax_price, first.customs_tax, first.value_added_tax, first.consumption_tax = (
        D("310.00"), D("0"), D("28.22"), D("0"))  # a bill recorded on the declaration itself
    session.flush()

    summary = summaries.tax_summary(session, MARCH, ordering.tz())

    assert summary.days[0].billed == 2
    assert summary.days[0].difference.vat == D("-0.01")
    assert summary.total.difference.vat == D("0.00")  # −0.01 on the 1st, +0.01 on the 15th
    assert sorted((m.order_no, m.difference) for m in summary.mismatches) == sorted([
        (first.order.number, D("-0.01")), (march[2].order.number, D("0.01"))])


def test_february_ends_at_midnight_in_shanghai_and_an_empty_month_is_zero(session, march):
    summary = summaries.tax_summary(session, Month(2026, 2), ordering.tz())

    assert len(summary.days) == 28
    assert summary.total.declarations == 1  # only 28 February, 23:59 in Shanghai
    assert summaries.tax_summary(session, Month(2025, 7), ordering.tz()).total == summaries.TaxRow(None)


@pytest.mark.parametrize(("text", "month"), [("2026-03", Month(2026, 3)), (" 2024-12 ", Month(2024, 12))])
def test_months_parse(text, month):
    assert Month.parse(text) == month


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-3", "26-03", "2026/03", "march", "2026-03-01"])
def test_bad_months_are_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_which_months_and_years_can_be_reported():
    today = date(2026, 12, 1)
    assert summaries.reportable_month(Month(2026, 12), today) and summaries.reportable_month(Month(2016, 1), today)
    assert not summaries.reportable_month(Month(2027, 1), today)
    assert not summaries.reportable_month(Month(2015, 12), today)
    assert summaries.reportable_year(2016, today) and not summaries.reportable_year(2027, today)
    assert Month(2026, 1).previous == Month(2025, 12) and Month(2026, 12).next == Month(2027, 1)


# --- annual quota per buyer --------------------------------------------------------------------------------


@pytest.fixture
def staff(session):
    return factories.user(session, role=Role.STAFF)


def _this_year() -> int:
    return ordering.shop_today().year


def _paid(session, user, items, who, *, at=None) -> Order:
    return ordering.mark_paid(session, ordering.place(session, user, items, who=who, now=at))


def test_quota_per_id_number_across_accounts_and_returns(session, in_request, staff):
    first_account, second_account = factories.user(session), factories.user(session)
    bag = ordering.stocked(session, 20, price=D("4200.00"))
    milk = ordering.stocked(session, 50, price=D("300.00"))
    heavy = ordering.buyer(ordering.ID_B, name="王小明")
    for account in (first_account, first_account, first_account, second_account, second_account):
        _paid(session, account, [(bag, 1)], heavy)  # 5 × 4,200.00 = 21,000.00 of 26,000.00
    light = ordering.buyer(ordering.ID_C, name="欧阳小明")
    _paid(session, second_account, [(milk, 1)], light)  # 310.00
    returned_in_part = _paid(session, first_account, [(milk, 2)], light)  # 600.00 (free freight over 399)
    release(session, returned_in_part)
    ship(session, returned_in_part, staff)
    fulfilment.accept_return(session, returned_in_part, {returned_in_part.lines[0].id: 1},
                             disposition=ReturnDisposition.RESTOCK, actor_id=staff.id)
    assert returned_in_part.returned_value == D("300.00")
    # not counted: a full return, a cancelled order, an expired unpaid one, and last year's order
    returned = _paid(session, first_account, [(milk, 1)], ordering.buyer(ordering.ID_X, name="李四"))
    release(session, returned)
    ship(session, returned, staff)
    fulfilment.accept_return(session, returned, {returned.lines[0].id: 1}, disposition=ReturnDisposition.WRITE_OFF,
                             actor_id=staff.id)
    assert returned.status is S.RETURNED
    cancelled = _paid(session, second_account, [(milk, 1)], light)
    orders.change_status(session, cancelled, S.CANCELLED, source="shopper")
    ordering.place(session, second_account, [(milk, 1)], who=light, now=utcnow() - timedelta(hours=2))
    last_year = datetime(_this_year() - 1, 12, 31, 23, 30, tzinfo=ordering.tz())
    _paid(session, first_account, [(bag, 1)], heavy, at=last_year)

    now = utcnow()
    rows = summaries.quota_use(session, _this_year(), ordering.tz(), now=now)

    assert [(r.buyer_id_masked, r.buyer_name_masked, r.orders, r.used, r.remaining) for r in rows] == [
        ("1201**********8241", "王*明", 5, D("21000.00"), D("5000.00")),
        ("1101**********2176", "欧**明", 2, D("610.00"), D("25390.00")),
    ]
    assert rows[0].flagged and rows[0].percent == D("80.8")
    assert not rows[1].flagged and rows[1].percent == D("2.3")
    # the very figure checkout uses for the annual limit
    for id_number, row in ((ordering.ID_B, rows[0]), (ordering.ID_C, rows[1])):
        assert orders.annual_used(session, security.digest(id_number), now=now, tz=ordering.tz()) == row.used
    assert summaries.quota_overview(session, _this_year(), ordering.tz(), now=now) == summaries.QuotaOverview(
        _this_year(), 2, 1)
    assert summaries.quota_use(session, _this_year(), ordering.tz(), now=now, offset=1, limit=1) == rows[1:]
    assert list(summaries.iter_quota_use(session, _this_year(), ordering.tz(), now=now)) == rows
    last = summaries.quota_use(session, _this_year() - 1, ordering.tz(), now=now)
    assert [(r.buyer_id_masked, r.used) for r in last] == [("1201**********8241", D("4200.00"))]


def test_a_buyer_at_exactly_80_percent_is_not_flagged(session, in_request):
    user = factories.user(session)
    item = ordering.stocked(session, 20, price=D("4160.00"))
    for _ in range(5):
        _paid(session, user, [(item, 1)], ordering.buyer())  # 20,800.00 = 80% exactly

    (row,) = summaries.quota_use(session, _this_year(), ordering.tz(), now=utcnow())

    assert row.used == D("20800.00") and row.percent == D("80.0") and not row.flagged
    assert summaries.quota_overview(session, _this_year(), ordering.tz(), now=utcnow()).flagged == 0


def test_an_unpaid_order_still_holding_its_stock_counts_as_at_checkout(session, in_request):
    user = factories.user(session)
    milk = ordering.stocked(session, 10, price=D("300.00"))
    ordering.place(session, user, [(milk, 1)])

    (row,) = summaries.quota_use(session, _this_year(), ordering.tz(), now=utcnow())
    assert (row.orders, row.used) == (1, D("310.00"))
    later = utcnow() + timedelta(hours=1)  # its reservation time is over
    assert summaries.quota_use(session, _this_year(), ordering.tz(), now=later) == []


# --- the bonded ledger against the released lists ---------------------------------------------------------


def _this_month() -> Month:
    return Month.of(ordering.shop_today())


def _lot(session, product) -> Lot:
    return session.scalar(select(Lot).where(Lot.product_id == product.id))


@pytest.fixture
def milk(session):
    return ordering.stocked(session, 50, price=D("300.00"), sku="NZ-MILK-1")


def _released(session, user, milk, quantity: int, *, status=DS.RELEASED) -> Order:
    declaration = declared(session, user, [(milk, quantity)], status=status)
    return release(session, declaration.order)


def test_a_shipped_released_order_and_its_return_reconcile(session, in_request, staff, milk):
    order = _released(session, factories.user(session), milk, 3)
    ship(session, order, staff)
    fulfilment.accept_return(session, order, {order.lines[0].id: 1}, disposition=ReturnDisposition.RESTOCK,
                             actor_id=staff.id)
    lot = _lot(session, milk)

    result = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())

    (row,) = result.lots
    assert (row.lot_id, row.sku, row.lot_no) == (lot.id, "NZ-MILK-1", lot.lot_no)
    assert (row.sold, row.returned, row.listed, row.listed_returns) == (3, 1, 3, 1)
    assert (row.ledger_out, row.list_out, row.difference, row.matches) == (2, 2, 0, True)
    assert result.differences == [] and result.released_not_shipped == []
    assert summaries.ledger_reconciliation(session, _this_month().previous, ordering.tz()).lots == []


def test_a_sale_movement_without_a_released_list_is_a_difference(session, in_request, staff, milk):
    order = _released(session, factories.user(session), milk, 2)
    ship(session, order, staff)
    lot = _lot(session, milk)
    session.add(StockMovement(lot_id=lot.id, quantity=-1, reason=MovementReason.SALE, note="by hand"))
    session.flush()

    result = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())

    (row,) = result.differences
    assert (row.lot_id, row.sold, row.listed, row.ledger_out, row.list_out, row.difference) == (lot.id, 3, 2, 3, 2, 1)
    assert row.orders == ()  # no order behind it


def test_an_order_shipped_without_a_released_list_is_a_difference_naming_it(session, in_request, staff, milk):
    user = factories.user(session)
    fine = _released(session, user, milk, 1)
    undeclared = _released(session, user, milk, 2, status=DS.ACCEPTED)  # the order moved on, the list did not
    for order in (fine, undeclared):
        ship(session, order, staff)

    result = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())

    (row,) = result.differences
    assert (row.sold, row.listed, row.difference, row.orders) == (3, 1, 2, (undeclared.number,))


def test_released_but_not_yet_shipped_is_listed_apart_not_as_a_difference(session, in_request, staff, milk):
    user = factories.user(session)
    shipped = _released(session, user, milk, 1)
    ship(session, shipped, staff)
    waiting = _released(session, user, milk, 2, status=DS.CLOSED)
    lot = _lot(session, milk)

    result = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())

    assert result.differences == []
    assert [(r.order_no, r.lot_id, r.sku, r.quantity) for r in result.released_not_shipped] == [
        (waiting.number, lot.id, "NZ-MILK-1", 2)]
    ship(session, waiting, staff)
    after = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())
    assert after.released_not_shipped == [] and after.differences == []
    assert after.total("ledger_out") == after.total("list_out") == 3


def test_a_return_into_the_lot_without_a_return_record_is_a_difference(session, in_request, staff, milk):
    order = _released(session, factories.user(session), milk, 2)
    ship(session, order, staff)
    session.add(StockMovement(lot_id=_lot(session, milk).id, quantity=1, reason=MovementReason.RETURN, note="?"))
    session.flush()

    (row,) = summaries.ledger_reconciliation(session, _this_month(), ordering.tz()).differences

    assert (row.sold, row.returned, row.listed, row.listed_returns, row.difference) == (2, 1, 2, 0, -1)


def test_returns_of_a_line_from_two_lots_go_where_fulfilment_put_them(session, in_request, staff):
    product = factories.product(session, price=D("300.00"))
    early = factories.lot(session, product, 2, best_before=date.today() + timedelta(days=200))
    late = factories.lot(session, product, 10, best_before=date.today() + timedelta(days=400))
    order = _released(session, factories.user(session), product, 4)  # 2 from each lot, first expiry first
    ship(session, order, staff)
    line = order.lines[0]
    for _ in range(3):  # one unit at a time: the later lot first, then the earlier
        fulfilment.accept_return(session, order, {line.id: 1}, disposition=ReturnDisposition.RESTOCK,
                                 actor_id=staff.id)

    result = summaries.ledger_reconciliation(session, _this_month(), ordering.tz())

    by_lot = {row.lot_id: row for row in result.lots}
    assert (by_lot[late.id].returned, by_lot[late.id].listed_returns) == (2, 2)
    assert (by_lot[early.id].returned, by_lot[early.id].listed_returns) == (1, 1)
    assert result.differences == []


def test_amounts_are_shown_with_the_decimals_they_carry():
    assert summaries.amount_text(D("28.21000")) == "28.21"
    assert summaries.amount_text(D("1234.5"), grouped=True) == "1,234.50"
    assert summaries.amount_text(D("0.00500")) == "0.005"
    assert summaries.amount_text(D("-12345.67891"), grouped=True) == "-12,345.67891"


def test_month_bounds_are_in_the_shops_time_zone():
    start, end = MARCH.period(ZoneInfo("Asia/Shanghai")).bounds()
    assert start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
