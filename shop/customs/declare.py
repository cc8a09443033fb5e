"""Declaring: the clerk sends paid orders to customs.

For each chosen declaration the shop assigns the parcel its waybill number (customs matches the list with the
waybill, so the number must exist before the list is declared, and the parcel later leaves the zone under it),
builds the order (CEB311), payment (CEB411), waybill (CEB511) and inventory list (CEB621) from the order's
snapshot, and writes them to the outbox folder that the e-port's transfer client sends from. All the messages
of one declaring are validated (and the lists signed) before any is written; a failure writes nothing and
changes nothing, and names each order and field.

Declarations that customs answered with an error (a negative receipt code) may be declared again once the
clerk has put the cause right; nothing else can be declared twice.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from shop.audit import record
from shop.customs.messages import CustomsCodes, OrderDocs, Stamp, build_batches, write_messages
from shop.customs.models import Declaration, DeclarationStatus
from shop.db import after_commit, after_rollback
from shop.domain import DomainError
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment

# The kinds written for each declaring, in the order customs wants to receive them.
KINDS = ("ceb311", "ceb411", "ceb511", "ceb621")
DECLARABLE = frozenset({DeclarationStatus.PENDING, DeclarationStatus.ERROR})
MAX_PER_RUN = 500  # five messages of 100 lists: a clerk's batch, not a bulk job


class NothingToDeclare(DomainError):
    pass


@dataclass
class DeclareResult:
    declared: list[str]  # order numbers
    files: list[Path]


def _publish(staged: list[Path], out_dir: Path, staging: Path) -> None:
    for path in staged:
        os.replace(path, out_dir / path.name)
    shutil.rmtree(staging, ignore_errors=True)


def waybill_number(prefix: str, declaration: Declaration) -> str:
    """The carrier's number for the parcel: the carrier's prefix and the declaration's own sequence number.

    One function on purpose: a carrier that hands out numbers through its own service replaces only this.
    """
    return f"{prefix}{declaration.id:010d}"


def declarable(session: Session, ids: Sequence[int]) -> list[Declaration]:
    """The declarations among `ids` that can be declared now, with what their documents need, oldest first."""
    if not ids:
        return []
    return list(session.scalars(
        select(Declaration).join(Order, Order.id == Declaration.order_id)
        .where(Declaration.id.in_(list(ids)[:MAX_PER_RUN]), Declaration.status.in_(DECLARABLE),
               Order.status.in_((OrderStatus.PAID, OrderStatus.DECLARED)))
        .options(joinedload(Declaration.order).selectinload(Order.lines))
        .order_by(Declaration.id)).unique())


def pending_ids(session: Session, limit: int = MAX_PER_RUN) -> list[int]:
    """The oldest declarations still waiting to be declared."""
    return list(session.scalars(select(Declaration.id).where(Declaration.status == DeclarationStatus.PENDING)
                                .order_by(Declaration.id).limit(limit)))


def declare(session: Session, ids: Sequence[int], *, codes: CustomsCodes, signer, out_dir: Path | str,
            waybill_prefix: str, actor_id: int | None, now: datetime) -> DeclareResult:
    """Declare these declarations: waybill numbers, the four messages in the outbox, status declared.

    The messages are staged beside the outbox and move into it when the caller commits. Raises NothingToDeclare when none of them can be declared, MessageValidationError (nothing written,
    nothing changed: the caller rolls back) when a document is wrong.
    """
    chosen = declarable(session, ids)
    if not chosen:
        raise NothingToDeclare(_l("None of the chosen orders can be declared: only paid orders not yet "
                                  "declared, or declarations customs answered with an error."))
    payments = {p.order_id: p for p in session.scalars(
        select(Payment).where(Payment.order_id.in_([d.order_id for d in chosen]),
                              Payment.succeeded_at.is_not(None)))}
    for declaration in chosen:
        order = declaration.order
        if not order.waybill_no:
            order.waybill_no = waybill_number(waybill_prefix, declaration)
            order.carrier = codes.logistics_name[:40]
    stamp = Stamp(now)
    docs = [OrderDocs.from_declaration(d, payment=payments.get(d.order_id)) for d in chosen]
    batches = [batch for kind in KINDS for batch in build_batches(kind, docs, codes, stamp)]
    out_dir = Path(out_dir)
    staging = out_dir / f".staging-{uuid.uuid4().hex}"
    staged = write_messages(batches, staging, signer=signer)
    files = [out_dir / path.name for path in staged]
    # The transfer client sends whatever is in the outbox: the files appear there only once the orders are
    # declared in the database too, and vanish if that fails.
    after_commit(session, lambda: _publish(staged, out_dir, staging))
    after_rollback(session, lambda: shutil.rmtree(staging, ignore_errors=True))
    for declaration in chosen:
        order = orders.lock_order(session, declaration.order_id)
        again = declaration.status is DeclarationStatus.ERROR
        declaration.status = DeclarationStatus.DECLARED
        declaration.declared_at = now
        declaration.declared_by_id = actor_id
        orders.change_status(session, order, OrderStatus.DECLARED, now=now, actor_id=actor_id, source="clerk",
                             reason=f"inventory list {declaration.cop_no} declared, waybill {order.waybill_no}")
        record(session, actor_id=actor_id, action="declaration.redeclare" if again else "declaration.declare",
               obj=declaration, summary=f"order {order.number}, waybill {order.waybill_no}")
    session.flush()
    return DeclareResult(declared=[d.order.number for d in chosen], files=files)
