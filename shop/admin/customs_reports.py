"""The clerk's reports: the month's tax summary against the tax bills, annual quota use per buyer, and the
bonded ledger against the released lists — each a page with a month or year form, and CSV downloads.

The rules live in shop.customs.summaries; these views parse the month or year, call it and show the result.
No page decrypts anything (buyers appear masked), so viewing writes no audit entry, as with the declaration
queue; taking the quota list of every buyer out of the shop as a file is recorded, as the declaration list
export is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import clock
from shop.admin.auth import CLERKS, role_required
from shop.admin.downloads import csv_response
from shop.admin.views import bp
from shop.audit import record
from shop.customs import summaries
from shop.customs.summaries import FIRST_YEAR, TAX_FIELDS, Month, amount_text
from shop.db import db
from shop.errors import render_error

QUOTA_PAGE = 100

FIELD_NAMES = {
    "duty_paid_value": _l("Duty-paid value"),
    "customs_duty": _l("Customs duty"),
    "vat": _l("Import VAT"),
    "consumption_tax": _l("Consumption tax"),
    "total_tax": _l("Total tax"),
}

TAX_HEADER = ("day", "declarations", "with_tax_bill",
              *TAX_FIELDS, "total_tax",
              *(f"bill_{f}" for f in (*TAX_FIELDS, "total_tax")),
              *(f"diff_{f}" for f in (*TAX_FIELDS, "total_tax")))
MISMATCH_HEADER = ("order_no", "invt_no", "tax_no", "day", "field", "shop", "customs", "difference")
QUOTA_HEADER = ("buyer_id", "buyer", "orders", "used", "remaining", "share_percent", "over_80_percent")
LEDGER_HEADER = ("lot_id", "sku", "lot_no", "sold", "returned", "ledger_out", "listed", "listed_returns",
                 "list_out", "difference", "matches", "orders")
RELEASED_HEADER = ("order_no", "released_on", "lot_id", "sku", "lot_no", "quantity")


# --- input ------------------------------------------------------------------------------------------------


def _month_arg() -> tuple[Month, str | None]:
    """The month asked for, or this month and a message saying why the one asked for cannot be shown."""
    today = clock.today()
    current = Month.of(today)
    raw = (request.args.get("month") or "").strip()
    if not raw:
        return current, None
    try:
        month = Month.parse(raw)
    except ValueError:
        month = None
    if month is not None and summaries.reportable_month(month, today):
        return month, None
    return current, _("“%(value)s” is not a month that can be reported. Enter a month from %(first)s to "
                      "%(last)s as YYYY-MM. Showing %(month)s instead.", value=raw[:20],
                      first=str(Month(FIRST_YEAR, 1)), last=str(current), month=str(current))


def _year_arg() -> tuple[int, str | None]:
    today = clock.today()
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return today.year, None
    if re.fullmatch(r"[0-9]{4}", raw) and summaries.reportable_year(int(raw), today):
        return int(raw), None
    return today.year, _("“%(value)s” is not a year that can be reported. Enter a year from %(first)s to "
                         "%(last)s. Showing %(year)s instead.", value=raw[:20], first=str(FIRST_YEAR),
                         last=str(today.year), year=str(today.year))


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdecimal() and 0 < int(page) < 10_000 else 1


# --- CSV ----------------------------------------------------------------------------------------------------


def _plain(amount) -> str:
    return amount_text(amount)


def _amount(amount) -> str:
    return amount_text(amount, grouped=True)


# --- 1. tax summary ---------------------------------------------------------------------------------------


@bp.get("/customs/reports/tax")
@role_required(*CLERKS)
def customs_report_tax():
    month, error = _month_arg()
    summary = summaries.tax_summary(db.reports, month, clock.shop_timezone())
    return render_template("admin/customs_report_tax.html", summary=summary, month=month, error=error,
                           fields=(*TAX_FIELDS, "total_tax"), field_names=FIELD_NAMES, amount=_amount, plain=_plain,
                           newest=Month.of(clock.today()), oldest=Month(FIRST_YEAR, 1))


def _tax_rows(summary: summaries.TaxSummary) -> Iterator[list]:
    fields = (*TAX_FIELDS, "total_tax")
    for row in [*summary.days, summary.total]:
        yield [row.day.isoformat() if row.day else "total", row.declarations, row.billed,
               *(_plain(row.shop.value(f)) for f in fields),
               *(_plain(row.customs.value(f)) for f in fields),
               *(_plain(row.difference.value(f)) for f in fields)]


@bp.get("/customs/reports/tax.csv")
@role_required(*CLERKS)
def customs_report_tax_csv():
    month, error = _month_arg()
    if error:  # a download of another month than the one asked for would mislead: refuse, and say why
        return render_error(400, error)
    summary = summaries.tax_summary(db.session, month, clock.shop_timezone(), mismatch_limit=0)
    return csv_response(f"globalbuy-tax-{month}.csv", TAX_HEADER, _tax_rows(summary))


@bp.get("/customs/reports/tax-differences.csv")
@role_required(*CLERKS)
def customs_report_tax_differences_csv():
    month, error = _month_arg()
    if error:
        return render_error(400, error)
    rows = ([m.order_no, m.invt_no, m.tax_no, m.day.isoformat(), m.field, _plain(m.shop), _plain(m.customs),
             _plain(m.difference)] for m in summaries.tax_mismatches(db.session, month, clock.shop_timezone()))
    return csv_response(f"globalbuy-tax-differences-{month}.csv", MISMATCH_HEADER, rows)


# --- 2. annual quota per buyer ------------------------------------------------------------------------------


@bp.get("/customs/reports/quota")
@role_required(*CLERKS)
def customs_report_quota():
    year, error = _year_arg()
    page = _page_arg()
    tz, now = clock.shop_timezone(), clock.now()
    rows = summaries.quota_use(db.reports, year, tz, now=now, offset=(page - 1) * QUOTA_PAGE, limit=QUOTA_PAGE + 1)
    overview = summaries.quota_overview(db.reports, year, tz, now=now)
    return render_template("admin/customs_report_quota.html", year=year, error=error, rows=rows[:QUOTA_PAGE],
                           page=page, has_next=len(rows) > QUOTA_PAGE, first_rank=(page - 1) * QUOTA_PAGE + 1,
                           overview=overview, amount=_amount, first_year=FIRST_YEAR, last_year=clock.today().year)


@bp.get("/customs/reports/quota.csv")
@role_required(*CLERKS)
def customs_report_quota_csv():
    year, error = _year_arg()
    if error:
        return render_error(400, error)
    # Masked data only, but the list of every buyer leaving the shop as a file is on record.
    record(db.session, actor_id=current_user.id, action="report.export", obj=current_user._get_current_object(),
           after={"report": "quota", "year": year}, summary=f"quota {year} csv")
    rows = ([b.buyer_id_masked, b.buyer_name_masked, b.orders, _plain(b.used), _plain(b.remaining),
             f"{b.percent}", "yes" if b.flagged else "no"]
            for b in summaries.iter_quota_use(db.session, year, clock.shop_timezone(), now=clock.now()))
    return csv_response(f"globalbuy-quota-{year}.csv", QUOTA_HEADER, rows)


# --- 3. bonded ledger reconciliation ------------------------------------------------------------------------


@bp.get("/customs/reports/ledger")
@role_required(*CLERKS)
def customs_report_ledger():
    month, error = _month_arg()
    result = summaries.ledger_reconciliation(db.reports, month, clock.shop_timezone())
    return render_template("admin/customs_report_ledger.html", result=result, month=month, error=error,
                           newest=Month.of(clock.today()), oldest=Month(FIRST_YEAR, 1))


@bp.get("/customs/reports/ledger.csv")
@role_required(*CLERKS)
def customs_report_ledger_csv():
    month, error = _month_arg()
    if error:
        return render_error(400, error)
    result = summaries.ledger_reconciliation(db.reports, month, clock.shop_timezone())
    rows = ([lot.lot_id, lot.sku, lot.lot_no, lot.sold, lot.returned, lot.ledger_out, lot.listed,
             lot.listed_returns, lot.list_out, lot.difference, "yes" if lot.matches else "no", " ".join(lot.orders)]
            for lot in result.lots)
    return csv_response(f"globalbuy-ledger-{month}.csv", LEDGER_HEADER, rows)


@bp.get("/customs/reports/ledger-released.csv")
@role_required(*CLERKS)
def customs_report_ledger_released_csv():
    month, error = _month_arg()
    if error:
        return render_error(400, error)
    tz = clock.shop_timezone()
    _start, end = month.period(tz).bounds()
    rows = ([r.order_no, r.released_at.astimezone(tz).date().isoformat(), r.lot_id, r.sku, r.lot_no, r.quantity]
            for r in summaries.released_not_shipped(db.session, end))
    return csv_response(f"globalbuy-released-not-shipped-{month}.csv", RELEASED_HEADER, rows)
