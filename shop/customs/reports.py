"""Reports a clerk hands on: the declaration list (one row per line) as CSV or XLSX, streamed.

Rows come from the database in chunks and go straight to the file, so 100,000 declarations export with
bounded memory: nothing holds the whole list.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.customs.messages import LegalQuantityError, legal_quantity
from shop.customs.models import Declaration, DeclarationStatus
from shop.orders.models import Order, OrderLine

HEADER = ("order_no", "invt_no", "declared_on", "buyer", "buyer_id", "gnum", "hs_code", "goods_name", "qty",
          "unit", "legal_qty", "legal_unit", "duty_paid_value", "customs_duty", "vat", "consumption_tax", "status")
CHUNK = 2000


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    tz: ZoneInfo

    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, self.tz),
                datetime.combine(self.end + timedelta(days=1), time.min, self.tz))


def mask_name(name: str) -> str:
    """张*伟 / 王* : the first character, the last one for names of three or more, stars between."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def declaration_lines(session: Session, period: Period, status: DeclarationStatus | None = None) -> Iterator[list]:
    """One row per declared line, oldest declaration first, read from the database in chunks."""
    start, end = period.bounds()
    stmt = (
        select(Order.number, Declaration.invt_no, Declaration.created_at, Order.buyer_name, Order.buyer_id_masked,
               OrderLine.gnum, OrderLine.hs_code, OrderLine.name_zh, OrderLine.quantity, OrderLine.unit_code,
               OrderLine.legal_unit1, OrderLine.net_weight_kg, OrderLine.net_content, OrderLine.net_content_unit,
               OrderLine.duty_paid_value, OrderLine.customs_duty, OrderLine.vat, OrderLine.consumption_tax,
               Declaration.status)
        .join(Order, Order.id == Declaration.order_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Declaration.created_at >= start, Declaration.created_at < end)
        .order_by(Declaration.id, OrderLine.gnum)
        .execution_options(yield_per=CHUNK)
    )
    if status is not None:
        stmt = stmt.where(Declaration.status == status)
    for row in session.execute(stmt):
        try:
            legal = legal_quantity(row, row.legal_unit1, order_no=row.number)
        except LegalQuantityError:
            legal = ""
        yield [row.number, row.invt_no or "", row.created_at.astimezone(period.tz).date().isoformat(),
               mask_name(row.buyer_name), row.buyer_id_masked, row.gnum, row.hs_code, row.name_zh, row.quantity,
               row.unit_code, legal if legal == "" else f"{legal.normalize():f}", row.legal_unit1,
               row.duty_paid_value, row.customs_duty, row.vat, row.consumption_tax, row.status.value]


def write_csv(rows: Iterator[list], path: Path) -> int:
    """UTF-8 with a BOM, so that Excel shows the Chinese names. Returns the number of rows written."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(rows: Iterator[list], path: Path) -> int:
    """openpyxl in write-only mode: rows go to the file as they come."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("declarations")
    sheet.append(list(HEADER))
    count = 0
    for row in rows:
        sheet.append(row)  # Decimals stay numbers, so the sheet can sum them
        count += 1
    workbook.save(path)
    return count


def declarations_in(session: Session, period: Period, status: DeclarationStatus | None = None) -> list[Declaration]:
    """The period's declarations with their orders and lines, oldest first."""
    from sqlalchemy.orm import joinedload

    start, end = period.bounds()
    stmt = (select(Declaration).where(Declaration.created_at >= start, Declaration.created_at < end)
            .options(joinedload(Declaration.order).selectinload(Order.lines)).order_by(Declaration.id))
    if status is not None:
        stmt = stmt.where(Declaration.status == status)
    return list(session.scalars(stmt).unique())


def export_messages(session: Session, kind: str, period: Period, out_dir: Path, *, codes, signer,
                    status: DeclarationStatus | None = None) -> list[Path]:
    """CEB messages of one kind for the period's declarations: all validated, then all written, or none."""
    from shop.customs.messages import OrderDocs, build_batches, write_messages
    from shop.payments.models import Payment

    declarations = declarations_in(session, period, status)
    order_ids = [d.order_id for d in declarations]
    payments = {p.order_id: p for p in session.scalars(
        select(Payment).where(Payment.order_id.in_(order_ids), Payment.succeeded_at.is_not(None)))} if order_ids else {}
    docs = [OrderDocs.from_declaration(d, payment=payments.get(d.order_id)) for d in declarations]
    batches = build_batches(kind, docs, codes)
    return write_messages(batches, out_dir, signer=signer if any(b.needs_signature for b in batches) else None)
