"""The reports a customs clerk hands on besides the declaration list: the month's tax summary against the
customs tax bills, the annual quota each buyer has used, and the bonded ledger against the released lists.

Plain functions of a session and explicit arguments (month, year, time zone, now); they return dataclasses
and never look at the request. Money is Decimal from the database to the page: sums are of the rounded
figures stored per order line, so a day row, the month and the declaration list all agree to the fen.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import add
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from shop.catalog.models import Product
from shop.customs import rules
from shop.customs.models import Declaration
from shop.customs.models import DeclarationStatus as D
from shop.customs.reports import Period, mask_name
from shop.inventory.models import Lot, MovementReason, StockMovement
from shop.money import ZERO, to_cents
from shop.orders import services as orders
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    ReservationState,
    ReturnDisposition,
    ReturnRecord,
    StockReservation,
)

CHUNK = 2000
# Cross-border retail imports have been taxed this way since 8 April 2016 (财关税〔2016〕18号): nothing earlier.
FIRST_YEAR = 2016

# Declarations that count for tax: customs has accepted the list (120) or taken it further — review,
# conclusion, inspection, detention, release, closing. Not pending or only sent (customs may still refuse it),
# not rejected, in error or cancelled (no tax is due on those). A list rejected after acceptance moves to
# rejected and drops out of the summary.
TAX_STATUSES = (D.ACCEPTED, D.REVIEW, D.CONCLUDED, D.INSPECTION, D.DETAINED, D.RELEASED, D.CLOSED)
# The lists under which goods may leave the bonded zone.
RELEASED_LISTS = (D.RELEASED, D.CLOSED)

# The figures compared: the shop's (summed over the order's lines) against the tax bill's (CEB816 totals on the
# declaration: taxPrice, customsTax, valueAddedTax, consumptionTax).
TAX_FIELDS = ("duty_paid_value", "customs_duty", "vat", "consumption_tax")

# A buyer is flagged once more than this share of the annual limit is used.
QUOTA_WARNING_SHARE = Decimal("0.8")


# --- months -----------------------------------------------------------------------------------------------

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only (not ２０２６)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9998):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM` (what an <input type=month> sends); ValueError otherwise."""
        match = MONTH_PATTERN.fullmatch((text or "").strip())
        if match is None:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.last.day)]

    def period(self, tz: ZoneInfo) -> Period:
        return Period(self.first, self.last, tz)

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def reportable_month(month: Month, today: date) -> bool:
    """Months from January 2016 up to the current one (a later month has nothing in it yet)."""
    return Month(FIRST_YEAR, 1) <= month <= Month.of(today)


def reportable_year(year: int, today: date) -> bool:
    return FIRST_YEAR <= year <= today.year


def amount_text(amount: Decimal, *, grouped: bool = False) -> str:
    """A figure as the clerk reads it: two decimals, more only when a tax bill carries them (0.00500)."""
    cents = amount.quantize(Decimal("0.01"))
    if cents == amount:
        return f"{cents:,}" if grouped else f"{cents}"
    exact = amount.normalize()
    return f"{exact:,f}" if grouped else f"{exact:f}"


# --- 1. the month's tax summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxFigures:
    duty_paid_value: Decimal = ZERO
    customs_duty: Decimal = ZERO
    vat: Decimal = ZERO
    consumption_tax: Decimal = ZERO

    @property
    def total_tax(self) -> Decimal:
        return self.customs_duty + self.vat + self.consumption_tax

    def __add__(self, other: TaxFigures) -> TaxFigures:
        return TaxFigures(*(getattr(self, f) + getattr(other, f) for f in TAX_FIELDS))

    def __sub__(self, other: TaxFigures) -> TaxFigures:
        return TaxFigures(*(getattr(self, f) - getattr(other, f) for f in TAX_FIELDS))

    def value(self, name: str) -> Decimal:
        return self.total_tax if name == "total_tax" else getattr(self, name)


@dataclass(frozen=True)
class TaxRow:
    """One day (or the month, day None): the shop's withheld figures and the tax bills' figures."""

    day: date | None
    declarations: int = 0
    shop: TaxFigures = field(default_factory=TaxFigures)  # over every declaration that counts
    billed: int = 0  # declarations with a tax bill
    shop_billed: TaxFigures = field(default_factory=TaxFigures)  # the shop's figures over those only
    customs: TaxFigures = field(default_factory=TaxFigures)  # the tax bills' figures

    @property
    def difference(self) -> TaxFigures:
        """Shop − customs, over the declarations that have a tax bill."""
        return self.shop_billed - self.customs

    def __add__(self, other: TaxRow) -> TaxRow:
        return TaxRow(self.day, self.declarations + other.declarations, self.shop + other.shop,
                      self.billed + other.billed, self.shop_billed + other.shop_billed, self.customs + other.customs)


@dataclass(frozen=True)
class TaxMismatch:
    """One figure of one declaration that differs from its tax bill: what the clerk must chase."""

    declaration_id: int
    order_no: str
    invt_no: str
    tax_no: str
    day: date
    field: str  # one of TAX_FIELDS
    shop: Decimal
    customs: Decimal

    @property
    def difference(self) -> Decimal:
        return self.shop - self.customs


@dataclass(frozen=True)
class TaxSummary:
    month: Month
    days: list[TaxRow]  # every day of the month, in order
    total: TaxRow  # the sum of the day rows
    mismatches: list[TaxMismatch]  # the first `mismatch_limit` of them
    mismatch_count: int
    not_counted: dict[D, int]  # the month's other declarations, by status


@dataclass(frozen=True)
class _Declared:
    declaration_id: int
    order_no: str
    invt_no: str
    tax_no: str
    day: date
    shop: TaxFigures
    customs: TaxFigures | None  # None: no tax bill yet


def _declared(session: Session, period: Period) -> Iterator[_Declared]:
    """The period's declarations that count for tax, each with its summed lines, oldest first, in chunks."""
    start, end = period.bounds()
    stmt = (
        select(Declaration.id, Declaration.created_at, Order.number, Declaration.invt_no, Declaration.tax_no,
               Declaration.tax_recorded_at, Declaration.tax_price, Declaration.customs_tax,
               Declaration.value_added_tax, Declaration.consumption_tax.label("bill_consumption_tax"),
               func.sum(OrderLine.duty_paid_value).label("duty_paid_value"),
               func.sum(OrderLine.customs_duty).label("customs_duty"), func.sum(OrderLine.vat).label("vat"),
               func.sum(OrderLine.consumption_tax).label("consumption_tax"))
        .join(Order, Order.id == Declaration.order_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Declaration.status.in_(TAX_STATUSES), Declaration.created_at >= start, Declaration.created_at < end)
        .group_by(Declaration.id, Declaration.created_at, Order.number, Declaration.invt_no, Declaration.tax_no,
                  Declaration.tax_recorded_at, Declaration.tax_price, Declaration.customs_tax,
                  Declaration.value_added_tax, Declaration.consumption_tax)
        .order_by(Declaration.created_at, Declaration.id)
        .execution_options(yield_per=CHUNK)
    )
    for row in session.execute(stmt):
        shop = TaxFigures(row.duty_paid_value, row.customs_duty, row.vat, row.consumption_tax)
        # A CEB816 sets all four totals and the time it was recorded (a void bill sets nothing).
        has_bill = row.tax_recorded_at is not None or row.tax_price is not None
        customs = TaxFigures(row.tax_price or ZERO, row.customs_tax or ZERO, row.value_added_tax or ZERO,
                             row.bill_consumption_tax or ZERO) if has_bill else None
        yield _Declared(row.id, row.number, row.invt_no or "", row.tax_no or "", row.created_at.astimezone(period.tz).date(),
                        shop, customs)


def _mismatches_of(item: _Declared) -> Iterator[TaxMismatch]:
    if item.customs is None:
        return
    for name in TAX_FIELDS:
        shop, customs = getattr(item.shop, name), getattr(item.customs, name)
        if shop != customs:  # Decimal equality: 28.21 == 28.21000
            yield TaxMismatch(item.declaration_id, item.order_no, item.invt_no, item.tax_no, item.day, name, shop, customs)


def tax_summary(session: Session, month: Month, tz: ZoneInfo, *, mismatch_limit: int = 500) -> TaxSummary:
    """Per day and for the month: declarations counted for tax, the shop's withheld figures, the tax bills'."""
    period = month.period(tz)
    sums: dict[date, list] = {day: [0, TaxFigures(), 0, TaxFigures(), TaxFigures()] for day in month.days()}
    mismatches: list[TaxMismatch] = []
    count = 0
    for item in _declared(session, period):
        acc = sums[item.day]
        acc[0] += 1
        acc[1] += item.shop
        if item.customs is not None:
            acc[2] += 1
            acc[3] += item.shop
            acc[4] += item.customs
        for mismatch in _mismatches_of(item):
            count += 1
            if len(mismatches) < mismatch_limit:
                mismatches.append(mismatch)
    days = [TaxRow(day, *acc) for day, acc in sums.items()]
    # The month is the sum of its day rows (exact Decimal sums), so the two always add up.
    total = reduce(add, days, TaxRow(None))
    start, end = period.bounds()
    not_counted = dict(session.execute(
        select(Declaration.status, func.count(Declaration.id))
        .where(Declaration.created_at >= start, Declaration.created_at < end, Declaration.status.not_in(TAX_STATUSES))
        .group_by(Declaration.status)).all())
    return TaxSummary(month, days, total, mismatches, count,
                      {status: not_counted[status] for status in D if status in not_counted})


def tax_mismatches(session: Session, month: Month, tz: ZoneInfo) -> Iterator[TaxMismatch]:
    """Every figure of the month's declarations that differs from its tax bill, streamed (for the CSV)."""
    for item in _declared(session, month.period(tz)):
        yield from _mismatches_of(item)


# --- 2. the annual quota per buyer ------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyerQuota:
    """One ID number's use of the annual limit, across every account that ordered with it (masked only)."""

    buyer_id_masked: str
    buyer_name_masked: str
    orders: int
    used: Decimal
    remaining: Decimal

    @property
    def share(self) -> Decimal:
        """The part of the limit used, e.g. 0.8123."""
        return self.used / rules.ANNUAL_LIMIT

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def flagged(self) -> bool:
        return self.used > rules.ANNUAL_LIMIT * QUOTA_WARNING_SHARE


@dataclass(frozen=True)
class QuotaOverview:
    year: int
    buyers: int
    flagged: int


def _quota_by_buyer(year: int, tz: ZoneInfo, now: datetime):
    """Orders that hold quota, grouped by ID digest: the very counting checkout uses (orders.holds_quota)."""
    start, end = orders.quota_year_bounds(year, tz)
    return (
        select(Order.buyer_id_digest.label("digest"), func.max(Order.buyer_id_masked).label("masked"),
               func.max(Order.buyer_name).label("name"), func.count(Order.id).label("orders"),
               func.sum(orders.quota_value()).label("used"))
        .where(Order.created_at >= start, Order.created_at < end, orders.holds_quota(now))
        .group_by(Order.buyer_id_digest)
    )


def _buyer(row) -> BuyerQuota:
    used = to_cents(row.used or ZERO)
    return BuyerQuota(row.masked, mask_name(row.name), int(row.orders), used,
                      rules.annual_verdict(used, ZERO).remaining)


def quota_use(session: Session, year: int, tz: ZoneInfo, *, now: datetime, offset: int = 0,
              limit: int | None = None) -> list[BuyerQuota]:
    """Buyers (per ID number) by quota used in `year`, highest first; `offset`/`limit` for a page."""
    grouped = _quota_by_buyer(year, tz, now).subquery()
    stmt = (select(grouped).order_by(grouped.c.used.desc(), grouped.c.digest).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_buyer(row) for row in session.execute(stmt)]


def iter_quota_use(session: Session, year: int, tz: ZoneInfo, *, now: datetime) -> Iterator[BuyerQuota]:
    """Every buyer of `year`, highest use first, read in chunks (for the CSV)."""
    grouped = _quota_by_buyer(year, tz, now).subquery()
    stmt = (select(grouped).order_by(grouped.c.used.desc(), grouped.c.digest).execution_options(yield_per=CHUNK))
    for row in session.execute(stmt):
        yield _buyer(row)


def quota_overview(session: Session, year: int, tz: ZoneInfo, *, now: datetime) -> QuotaOverview:
    """How many buyers used quota in `year`, and how many of them more than 80% of it."""
    grouped = _quota_by_buyer(year, tz, now).subquery()
    threshold = rules.ANNUAL_LIMIT * QUOTA_WARNING_SHARE
    buyers, flagged = session.execute(
        select(func.count(), func.coalesce(func.sum(case((grouped.c.used > threshold, 1), else_=0)), 0))
        .select_from(grouped)).one()
    return QuotaOverview(year, int(buyers or 0), int(flagged or 0))


# --- 3. the bonded ledger against the released lists ---------------------------------------------------


@dataclass(frozen=True)
class LotReconciliation:
    """One lot over one month: units out of the zone by the ledger, and on released customs lists."""

    lot_id: int
    sku: str
    lot_no: str
    sold: int = 0  # SALE movements out of the lot (ledger)
    returned: int = 0  # RETURN movements back into it (ledger)
    listed: int = 0  # units of released lists shipped from the lot
    listed_returns: int = 0  # returned units of those lists restocked into the lot (return records)
    orders: tuple[str, ...] = ()  # orders behind a difference: shipped without a released list, returns

    @property
    def ledger_out(self) -> int:
        return self.sold - self.returned

    @property
    def list_out(self) -> int:
        return self.listed - self.listed_returns

    @property
    def difference(self) -> int:
        return self.ledger_out - self.list_out

    @property
    def matches(self) -> bool:
        # Both sides separately: a stray sale and a stray return would cancel out in the net figure.
        return self.sold == self.listed and self.returned == self.listed_returns


@dataclass(frozen=True)
class ReleasedNotShipped:
    """Units customs released that were still in the zone at the end of the month: timing, not a difference."""

    order_no: str
    released_at: datetime
    lot_id: int
    sku: str
    lot_no: str
    quantity: int


@dataclass(frozen=True)
class LedgerReconciliation:
    month: Month
    lots: list[LotReconciliation]  # every lot with movements or released units in the month
    released_not_shipped: list[ReleasedNotShipped]

    @property
    def differences(self) -> list[LotReconciliation]:
        return [lot for lot in self.lots if not lot.matches]

    def total(self, name: str) -> int:
        return sum(getattr(lot, name) for lot in self.lots)


def _shipped_at():
    """When each order left the zone (its one SHIPPED event)."""
    return (select(OrderEvent.order_id.label("order_id"), func.min(OrderEvent.created_at).label("shipped_at"))
            .where(OrderEvent.to_status == OrderStatus.SHIPPED).group_by(OrderEvent.order_id).subquery())


def _restocked_returns(session: Session, start: datetime, end: datetime
                       ) -> tuple[dict[int, int], dict[int, set[str]]]:
    """Restocked returned units per lot for the return records of [start, end), and their orders.

    A return record names the order line, not the lot: the lot is found as shop.orders.fulfilment's
    `_restock_line` chooses it — the line's shipped reservations, highest lot id first, earlier restocked
    returns of the line using up the first units. (If that rule changes, this must follow, or every multi-lot
    return shows as a difference.)
    """
    lines = (select(ReturnRecord.order_line_id)
             .where(ReturnRecord.disposition == ReturnDisposition.RESTOCK, ReturnRecord.created_at >= start,
                    ReturnRecord.created_at < end).distinct())
    records = session.execute(
        select(ReturnRecord.order_line_id, ReturnRecord.quantity, ReturnRecord.created_at, Order.number)
        .join(OrderLine, OrderLine.id == ReturnRecord.order_line_id).join(Order, Order.id == OrderLine.order_id)
        .where(ReturnRecord.order_line_id.in_(lines), ReturnRecord.disposition == ReturnDisposition.RESTOCK,
               ReturnRecord.created_at < end)
        .order_by(ReturnRecord.order_line_id, ReturnRecord.id)).all()
    if not records:
        return {}, {}
    queues: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for line_id, lot_id, quantity in session.execute(
            select(StockReservation.order_line_id, StockReservation.lot_id, StockReservation.quantity)
            .where(StockReservation.order_line_id.in_(lines), StockReservation.state == ReservationState.SHIPPED)
            .order_by(StockReservation.order_line_id, StockReservation.lot_id.desc())):
        queues[line_id].append((lot_id, quantity))
    units: dict[int, int] = defaultdict(int)
    numbers: dict[int, set[str]] = defaultdict(set)
    used: dict[int, int] = defaultdict(int)  # units of the line restocked by earlier records
    for line_id, quantity, created_at, number in records:
        skip, remaining = used[line_id], quantity
        used[line_id] += quantity
        in_month = created_at >= start
        for lot_id, available in queues[line_id]:
            skipped = min(skip, available)
            skip -= skipped
            take = min(remaining, available - skipped)
            remaining -= take
            if take and in_month:
                units[lot_id] += take
                numbers[lot_id].add(number)
    return dict(units), dict(numbers)


def ledger_reconciliation(session: Session, month: Month, tz: ZoneInfo) -> LedgerReconciliation:
    """The month's units out of the zone per lot, by the ledger and by the released lists; and the released
    units still in the zone at the month's end.

    Ledger: SALE movements (out) and RETURN movements (back in) made in the month. Lists: the reservations
    of orders that shipped in the month (their SHIPPED event) under a released or closed declaration — a
    shipped order keeps its reservation rows, in state SHIPPED, lot by lot — and the restocked units of the
    month's return records. A sale movement without a released list behind it (a manual movement, or an order
    shipped without release) is a difference: goods left the zone undeclared.
    """
    start, end = month.period(tz).bounds()
    sold: dict[int, int] = defaultdict(int)
    returned: dict[int, int] = defaultdict(int)
    for lot_id, reason, quantity in session.execute(
            select(StockMovement.lot_id, StockMovement.reason, func.sum(StockMovement.quantity))
            .where(StockMovement.reason.in_((MovementReason.SALE, MovementReason.RETURN)),
                   StockMovement.created_at >= start, StockMovement.created_at < end)
            .group_by(StockMovement.lot_id, StockMovement.reason)):
        if reason is MovementReason.SALE:
            sold[lot_id] += -int(quantity)
        else:
            returned[lot_id] += int(quantity)

    shipped = _shipped_at()
    shipped_units = (
        select(StockReservation.lot_id, Order.number, Declaration.status, func.sum(StockReservation.quantity))
        .join(OrderLine, OrderLine.id == StockReservation.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(shipped, shipped.c.order_id == Order.id)
        .outerjoin(Declaration, Declaration.order_id == Order.id)
        .where(StockReservation.state == ReservationState.SHIPPED, shipped.c.shipped_at >= start,
               shipped.c.shipped_at < end)
    )
    listed: dict[int, int] = defaultdict(int)
    for lot_id, quantity in session.execute(
            shipped_units.with_only_columns(StockReservation.lot_id, func.sum(StockReservation.quantity))
            .where(Declaration.status.in_(RELEASED_LISTS)).group_by(StockReservation.lot_id)):
        listed[lot_id] += int(quantity)
    involved: dict[int, set[str]] = defaultdict(set)
    for lot_id, number in session.execute(  # the exceptions only: orders that left without a released list
            shipped_units.with_only_columns(StockReservation.lot_id, Order.number)
            .where(or_(Declaration.id.is_(None), Declaration.status.not_in(RELEASED_LISTS)))
            .group_by(StockReservation.lot_id, Order.number)):
        involved[lot_id].add(number)
    listed_returns, return_orders = _restocked_returns(session, start, end)

    lot_ids = set(sold) | set(returned) | set(listed) | set(listed_returns) | set(involved)
    info = {lot_id: (sku, lot_no) for lot_id, sku, lot_no in session.execute(
        select(Lot.id, Product.sku, Lot.lot_no).join(Product, Product.id == Lot.product_id)
        .where(Lot.id.in_(lot_ids)))} if lot_ids else {}
    lots = []
    for lot_id in lot_ids:
        numbers = set(involved.get(lot_id, ()))
        if returned.get(lot_id, 0) != listed_returns.get(lot_id, 0):
            numbers |= return_orders.get(lot_id, set())
        sku, lot_no = info[lot_id]
        lots.append(LotReconciliation(lot_id, sku, lot_no, sold.get(lot_id, 0), returned.get(lot_id, 0),
                                      listed.get(lot_id, 0), listed_returns.get(lot_id, 0), tuple(sorted(numbers))))
    lots.sort(key=lambda lot: (lot.sku, lot.lot_no, lot.lot_id))
    return LedgerReconciliation(month, lots, released_not_shipped(session, end))


def released_not_shipped(session: Session, at: datetime) -> list[ReleasedNotShipped]:
    """Units on released lists still in the zone at `at`: released before it, not shipped before it."""
    shipped = _shipped_at()
    rows = session.execute(
        select(Order.number, Order.released_at, StockReservation.lot_id, Product.sku, Lot.lot_no,
               func.sum(StockReservation.quantity))
        .join(OrderLine, OrderLine.id == StockReservation.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Declaration, Declaration.order_id == Order.id)
        .join(Lot, Lot.id == StockReservation.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .outerjoin(shipped, shipped.c.order_id == Order.id)
        .where(Declaration.status.in_(RELEASED_LISTS), Order.released_at < at,
               or_(shipped.c.shipped_at.is_(None), shipped.c.shipped_at >= at),
               # still reserved, or shipped since `at`; never units given back
               StockReservation.state.in_((ReservationState.COMMITTED, ReservationState.SHIPPED)))
        .group_by(Order.number, Order.released_at, StockReservation.lot_id, Product.sku, Lot.lot_no)
        .order_by(Order.released_at, Order.number, StockReservation.lot_id))
    return [ReleasedNotShipped(number, released_at, lot_id, sku, lot_no, int(quantity))
            for number, released_at, lot_id, sku, lot_no, quantity in rows]
