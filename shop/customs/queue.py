"""The clerk's declaration queue: one query for the workspace page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from shop.customs.models import Declaration, DeclarationStatus
from shop.orders.models import Order

PAGE = 50


@dataclass(frozen=True)
class QueueFilter:
    status: DeclarationStatus | None = None
    number: str = ""  # the order number, exactly
    buyer: str = ""  # part of the buyer's name
    start: date | None = None  # first day, in the shop's time zone
    end: date | None = None  # last day


def declaration_queue(session: Session, filters: QueueFilter, *, page: int, tz: ZoneInfo,
                      page_size: int | None = None) -> tuple[list[Declaration], bool]:
    """One page of declarations (newest first, with their orders) and whether another page follows.

    No COUNT: one row more than the page says whether more follow.
    """
    page_size = page_size or PAGE
    stmt = (select(Declaration).join(Order, Order.id == Declaration.order_id)
            .options(joinedload(Declaration.order))
            .order_by(Declaration.created_at.desc(), Declaration.id.desc()))
    if filters.status is not None:
        stmt = stmt.where(Declaration.status == filters.status)
    if filters.number.strip():
        stmt = stmt.where(Order.number == filters.number.strip())
    if filters.buyer.strip():
        stmt = stmt.where(Order.buyer_name.contains(filters.buyer.strip(), autoescape=True))
    if filters.start:
        stmt = stmt.where(Declaration.created_at >= datetime.combine(filters.start, time.min, tz))
    if filters.end:
        stmt = stmt.where(Declaration.created_at < datetime.combine(filters.end + timedelta(days=1), time.min, tz))
    rows = list(session.scalars(stmt.offset((page - 1) * page_size).limit(page_size + 1)).unique())
    return rows[:page_size], len(rows) > page_size


def status_counts(session: Session) -> dict[DeclarationStatus, int]:
    """How many declarations are in each status (every status present, zeros included)."""
    found = dict(session.execute(select(Declaration.status, func.count(Declaration.id))
                                 .group_by(Declaration.status)).all())
    return {status: found.get(status, 0) for status in DeclarationStatus}
