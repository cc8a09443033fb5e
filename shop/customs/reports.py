"""Reports a clerk hands on: the declaration list (one row per line) as CSV or XLSX, and the period's CEB
messages, all streamed.

Rows come from the database in chunks and go straight to the file, so 100,000 declarations export with
bounded memory: nothing holds the whole list. Messages are read 100 declarations (one message) at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload

from shop.customs.messages import (
    MAX_DOCUMENTS,
    CustomsCodes,
    LegalQuantityError,
    OrderDocs,
    Stamp,
    legal_quantity,
    stream_messages,
)
from shop.customs.models import Declaration, DeclarationStatus
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment

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


def _in_period(stmt, period: Period, status: DeclarationStatus | None):
    start, end = period.bounds()
    stmt = stmt.where(Declaration.created_at >= start, Declaration.created_at < end)
    return stmt if status is None else stmt.where(Declaration.status == status)


def count_declarations(session: Session, period: Period, status: DeclarationStatus | None = None) -> int:
    """How many declarations an export of the period covers (the length of the CLI's progress bar)."""
    return session.scalar(_in_period(select(func.count()).select_from(Declaration), period, status))


def declaration_chunks(session: Session, period: Period, status: DeclarationStatus | None = None,
                       size: int = MAX_DOCUMENTS) -> Iterator[list[OrderDocs]]:
    """The period's declarations, oldest first, `size` at a time, each with its order, lines and succeeded
    payment: three queries per chunk.

    Keyset pagination (id after the last one seen) rather than OFFSET, so that each chunk is one index range
    however deep into the period. A chunk's objects are expunged once the consumer asks for the next one:
    the session's identity map holds one chunk, never the whole period. What the session held before is
    left as it was.
    """
    kept = set(session.identity_map.keys())
    last_id = 0
    while True:
        stmt = (_in_period(select(Declaration), period, status).where(Declaration.id > last_id)
                .options(joinedload(Declaration.order).selectinload(Order.lines))
                .order_by(Declaration.id).limit(size))
        declarations = session.scalars(stmt).all()
        if not declarations:
            return
        payments = {p.order_id: p for p in session.scalars(
            select(Payment).where(Payment.order_id.in_([d.order_id for d in declarations]),
                                  Payment.succeeded_at.is_not(None)))}
        try:
            yield [OrderDocs.from_declaration(d, payment=payments.get(d.order_id)) for d in declarations]
        finally:
            _forget(session, [*declarations, *(d.order for d in declarations), *payments.values()], kept)
        if len(declarations) < size:
            return
        last_id = declarations[-1].id


def _forget(session: Session, objects, kept: set) -> None:
    """Expunge what a chunk loaded (an order takes its lines along), except what the session had before."""
    for obj in objects:
        if obj in session and inspect(obj).identity_key not in kept:
            session.expunge(obj)


def export_messages(session: Session, kind: str, period: Period, out_dir: Path, *, codes: CustomsCodes, signer,
                    status: DeclarationStatus | None = None, stamp: Stamp | None = None,
                    progress: Callable[[int], None] | None = None) -> list[Path]:
    """CEB messages of one kind for the period's declarations: all validated (and signed), then all written,
    or none. Streamed: one message's worth of declarations (100) is read, built, checked and put aside in a
    temporary file at a time, so 100,000 declarations take no more memory than 100. `progress(done)` gets
    the number of declarations handled so far.
    """
    return stream_messages(kind, declaration_chunks(session, period, status), out_dir, codes, signer=signer,
                           stamp=stamp, progress=progress)

