"""The clerk's report pages: tax summary, quota per buyer, ledger reconciliation — who may open them, the month
and year forms, and the CSV downloads."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from shop.accounts.models import Role
from shop.audit import AuditEntry
from shop.customs.models import Declaration, DeclarationStatus
from shop.customs.summaries import Month
from shop.db import utcnow
from shop.inventory.models import Lot, MovementReason, StockMovement
from tests import factories, ordering
from tests.backoffice import signed_in

D = Decimal
PAGES = ("/admin/customs/reports/tax", "/admin/customs/reports/quota", "/admin/customs/reports/ledger")
DOWNLOADS = ("/admin/customs/reports/tax.csv", "/admin/customs/reports/tax-differences.csv",
             "/admin/customs/reports/quota.csv", "/admin/customs/reports/ledger.csv",
             "/admin/customs/reports/ledger-released.csv")


def _this_month() -> Month:
    return Month.of(ordering.shop_today())


@pytest.fixture
def data(app, session):
    """This month: a milk powder declaration accepted by customs whose tax bill says VAT 28.20 (the shop withheld
    28.21), a lot with a sale movement nobody declared, and a released order still in the zone."""
    user = factories.user(session)
    milk = ordering.stocked(session, 20, price=D("300.00"), sku="NZ-MILK-9")
    with app.test_request_context():
        order = ordering.place(session, user, [(milk, 1)], who=ordering.buyer(ordering.ID_B, name="王小明"))
        waiting = ordering.place(session, user, [(milk, 2)], who=ordering.buyer(ordering.ID_B, name="王小明"))
    for o in (order, waiting):
        ordering.mark_paid(session, o)
    session.add(Declaration(order_id=order.id, cop_no=order.number, status=DeclarationStatus.ACCEPTED,
                            tax_no="TAX-1", tax_price=D("310.00"), customs_tax=D("0"), value_added_tax=D("28.20"),
                            consumption_tax=D("0"), tax_recorded_at=utcnow()))
    session.add(Declaration(order_id=waiting.id, cop_no=waiting.number, status=DeclarationStatus.RELEASED))
    from shop.orders import services
    from shop.orders.models import OrderStatus

    services.change_status(session, waiting, OrderStatus.DECLARED, source="customs")
    services.change_status(session, waiting, OrderStatus.RELEASED, source="customs")
    lot = session.scalar(select(Lot).where(Lot.product_id == milk.id))
    session.add(StockMovement(lot_id=lot.id, quantity=-1, reason=MovementReason.SALE, note="by hand"))
    session.commit()
    return {"order": order.number, "waiting": waiting.number, "lot_id": lot.id, "lot_no": lot.lot_no}


@pytest.fixture
def clerk(session, english):
    signed_in(session, english, Role.CLERK)
    return english


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel shows the Chinese names
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _error(html: str, name: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{name}-errors"[^>]*><li>(.*?)</li>', html, re.S)
    assert match, f"no error for {name}"
    return htmllib.unescape(match.group(1))


@pytest.mark.parametrize("role", [Role.CLERK, Role.ADMIN])
def test_each_report_opens_for_clerks_and_admins(session, english, data, role):
    signed_in(session, english, role)

    for url, title in zip(PAGES, ("Monthly tax summary", "Annual quota per buyer", "Bonded ledger reconciliation"),
                          strict=True):
        response = english.get(url)
        assert response.status_code == 200, url
        assert f"<h1>{title}</h1>" in response.text
    for url in DOWNLOADS:
        assert english.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.STAFF, Role.SHOPPER])
def test_staff_and_shoppers_are_refused(session, client, data, role):
    signed_in(session, client, role)

    for url in (*PAGES, *DOWNLOADS):
        assert client.get(url).status_code == 403, url
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "report.export")) is None


def test_anonymous_visitors_are_sent_to_sign_in(client, session):
    response = client.get(PAGES[0])
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")


def test_the_tax_page_shows_the_day_the_month_and_the_bill_that_differs(session, clerk, data):
    month = _this_month()
    html = clerk.get(f"/admin/customs/reports/tax?month={month}").text

    today = ordering.shop_today().isoformat()
    day = re.search(rf'<tr data-day="{today}">(.*?)</tr>', html, re.S).group(1)
    # the released list counts too (VAT 54.60 on 600.00), but only the accepted one has a tax bill
    assert 'data-field="declarations">2<' in day and 'data-field="billed">1<' in day
    assert 'data-field="vat" data-shop="82.81" data-customs="28.20" data-diff="0.01"' in day
    total = re.search(r'<tr data-day="total">(.*?)</tr>', html, re.S).group(1)
    assert 'data-field="duty_paid_value" data-shop="910.00" data-customs="310.00" data-diff="0.00"' in total
    block = re.search(r'data-testid="tax-differences">(.*?)</table>', html, re.S).group(1)
    assert data["order"] in block and "Import VAT" in block and "28.20" in block and "0.01" in block
    assert "Not counted this month:" not in html  # nothing pending, rejected or cancelled


@pytest.mark.parametrize("bad", ["2026-13", "march", "2015-12", "2999-01", "2026-3"])
def test_a_bad_month_is_refused_in_english_and_the_current_month_shown(session, clerk, bad):
    for page in (PAGES[0], PAGES[2]):
        html = clerk.get(f"{page}?month={bad}").text
        current = _this_month()
        assert _error(html, "month") == (
            f"“{bad}” is not a month that can be reported. Enter a month from 2016-01 to {current} as YYYY-MM. "
            f"Showing {current} instead.")
        assert f'name="month" type="month" value="{current}"' in html


def test_a_bad_month_is_refused_in_chinese_by_default(session, client):
    signed_in(session, client, Role.CLERK)

    html = client.get("/admin/customs/reports/tax?month=2026-13").text

    current = _this_month()
    assert _error(html, "month") == (f"“2026-13”不是可查询的月份。请输入 2016-01 至 {current} 之间的月份，格式为 "
                                     f"YYYY-MM。现显示 {current}。")
    assert "月度税款汇总" in html


@pytest.mark.parametrize("bad", ["abc", "2015", "3000", "26", "２０２６"])
def test_a_bad_year_is_refused_and_this_year_shown(session, client, bad):
    signed_in(session, client, Role.CLERK)
    year = ordering.shop_today().year

    chinese = client.get(f"/admin/customs/reports/quota?year={bad}").text
    assert _error(chinese, "year") == (f"“{bad}”不是可查询的年份。请输入 2016 至 {year} 之间的年份。现显示 {year}。")
    client.get("/lang/en?next=/")
    english = client.get(f"/admin/customs/reports/quota?year={bad}").text
    assert _error(english, "year") == (f"“{bad}” is not a year that can be reported. Enter a year from 2016 to {year}. "
                                       f"Showing {year} instead.")
    assert f'name="year" type="number" value="{year}"' in english


def test_a_download_of_a_bad_month_or_year_is_refused_rather_than_another_one_sent(session, clerk):
    for url in ("/admin/customs/reports/tax.csv?month=2026-13", "/admin/customs/reports/ledger.csv?month=x",
                "/admin/customs/reports/tax-differences.csv?month=1999-01",
                "/admin/customs/reports/ledger-released.csv?month=2026-00", "/admin/customs/reports/quota.csv?year=x"):
        response = clerk.get(url)
        assert response.status_code == 400, url
        assert "that can be reported" in htmllib.unescape(response.text)


def test_the_tax_downloads_read_back(session, clerk, data):
    month = _this_month()

    rows = _csv(clerk.get(f"/admin/customs/reports/tax.csv?month={month}"))

    assert len(rows) == len(month.days()) + 1 and rows[-1]["day"] == "total"
    today = next(r for r in rows if r["day"] == ordering.shop_today().isoformat())
    assert (today["declarations"], today["with_tax_bill"], today["vat"], today["bill_vat"], today["diff_vat"]) == (
        "2", "1", "82.81", "28.20", "0.01")
    assert rows[-1]["duty_paid_value"] == "910.00" and rows[-1]["diff_total_tax"] == "0.01"
    assert sum(D(r["vat"]) for r in rows[:-1]) == D(rows[-1]["vat"])
    differences = _csv(clerk.get(f"/admin/customs/reports/tax-differences.csv?month={month}"))
    assert differences == [{"order_no": data["order"], "invt_no": "", "tax_no": "TAX-1",
                            "day": ordering.shop_today().isoformat(), "field": "vat", "shop": "28.21",
                            "customs": "28.20", "difference": "0.01"}]


def test_the_quota_page_shows_masked_buyers_only(session, clerk, data):
    html = clerk.get("/admin/customs/reports/quota").text

    row = re.search(r'<tr data-buyer="1201\*\*\*\*\*\*\*\*\*\*8241">(.*?)</tr>', html, re.S).group(1)
    assert "王*明" in row and 'data-field="orders">2<' in row and 'data-field="used">910.00<' in row
    assert 'data-field="remaining">25,090.00<' in row and 'data-field="share">3.5%<' in row
    assert ordering.ID_B not in html and "王小明" not in html
    assert "1 buyers used quota in" in html  # the overview


def test_the_quota_download_reads_back_and_is_on_record(session, clerk, data):
    year = ordering.shop_today().year

    rows = _csv(clerk.get(f"/admin/customs/reports/quota.csv?year={year}"))

    assert rows == [{"buyer_id": "1201**********8241", "buyer": "王*明", "orders": "2", "used": "910.00",
                     "remaining": "25090.00", "share_percent": "3.5", "over_80_percent": "no"}]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "report.export"))
    assert entry is not None and entry.actor_id is not None and f"quota {year}" in entry.summary


def test_the_quota_page_pages(session, clerk, data, monkeypatch):
    from shop.admin import customs_reports

    monkeypatch.setattr(customs_reports, "QUOTA_PAGE", 1)
    user = factories.user(session)
    with clerk.application.test_request_context():
        ordering.mark_paid(session, ordering.place(session, user, [(ordering.stocked(session, 5), 1)],
                                                   who=ordering.buyer(ordering.ID_C, name="欧阳小明")))
    session.commit()

    first = clerk.get("/admin/customs/reports/quota").text
    assert 'data-buyer="1201**********8241"' in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = clerk.get("/admin/customs/reports/quota?page=2").text
    assert 'data-buyer="1101**********2176"' in second and 'rel="next"' not in second and 'rel="prev"' in second


def test_the_ledger_page_lists_the_difference_and_the_released_parcel_apart(session, clerk, data):
    html = clerk.get("/admin/customs/reports/ledger").text

    block = re.search(r'data-testid="ledger-differences">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr data-lot="{data["lot_id"]}">(.*?)</tr>', block, re.S).group(1)
    assert "NZ-MILK-9" in row and data["lot_no"] in row
    assert 'data-field="ledger_out">1' in row and 'data-field="list_out">0' in row
    assert "<strong>1</strong>" in row and "Sale movements without a shipped order" in row
    waiting = re.search(r'data-testid="released-not-shipped">(.*?)</table>', html, re.S).group(1)
    assert f'<tr data-order="{data["waiting"]}">' in waiting and 'data-field="quantity">2<' in waiting


def test_the_ledger_downloads_read_back(session, clerk, data):
    month = _this_month()

    lots = _csv(clerk.get(f"/admin/customs/reports/ledger.csv?month={month}"))
    assert lots == [{"lot_id": str(data["lot_id"]), "sku": "NZ-MILK-9", "lot_no": data["lot_no"], "sold": "1",
                     "returned": "0", "ledger_out": "1", "listed": "0", "listed_returns": "0", "list_out": "0",
                     "difference": "1", "matches": "no", "orders": ""}]
    released = _csv(clerk.get(f"/admin/customs/reports/ledger-released.csv?month={month}"))
    assert [(r["order_no"], r["lot_id"], r["sku"], r["quantity"]) for r in released] == [
        (data["waiting"], str(data["lot_id"]), "NZ-MILK-9", "2")]
    assert released[0]["released_on"] == ordering.shop_today().isoformat()


def test_an_earlier_month_has_nothing_to_reconcile(session, clerk, data):
    html = clerk.get(f"/admin/customs/reports/ledger?month={_this_month().previous}").text

    assert 'data-testid="ledger-agrees"' in html and "0 lots reconciled" in html
