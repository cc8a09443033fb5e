"""The customs clerk's workspace: the declaration queue and one declaration's four documents side by side."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, current_app, render_template, request
from flask_login import current_user
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from shop import clock
from shop.admin.auth import CLERKS, role_required
from shop.admin.views import bp
from shop.audit import record
from shop.customs.messages import (
    CustomsCodes,
    DocumentError,
    OrderDocs,
    Stamp,
    build_document,
    three_document_check,
)
from shop.customs.models import Declaration, DeclarationStatus
from shop.customs.reports import mask_name
from shop.customs.rules import mask_id_number, mask_phone
from shop.db import db
from shop.orders.models import Order
from shop.payments.models import Payment

PAGE = 50
# The four documents customs matches, in the order the page shows them.
KINDS = (("ceb311", "CEB311"), ("ceb411", "CEB411"), ("ceb511", "CEB511"), ("ceb621", "CEB621"))
# Personal data the documents carry in full: shown masked on the page.
ID_FIELDS = frozenset({"buyerIdNumber", "payerIdNumber"})
PHONE_FIELDS = frozenset({"buyerTelephone", "consigneeTelephone", "telephone"})


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


@bp.get("/customs")
@role_required(*CLERKS)
def customs_queue():
    tz = clock.shop_timezone()
    status = request.args.get("status") or ""
    number = (request.args.get("number") or "").strip()[:20]
    buyer = (request.args.get("buyer") or "").strip()[:50]
    start, end = _day("from"), _day("to")
    page = request.args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < int(page) < 10_000 else 1

    stmt = (select(Declaration).join(Order, Order.id == Declaration.order_id)
            .options(joinedload(Declaration.order))
            .order_by(Declaration.created_at.desc(), Declaration.id.desc()))
    if status in {s.value for s in DeclarationStatus}:
        stmt = stmt.where(Declaration.status == DeclarationStatus(status))
    else:
        status = ""
    if number:
        stmt = stmt.where(Order.number == number)
    if buyer:
        stmt = stmt.where(Order.buyer_name.contains(buyer, autoescape=True))
    if start:
        stmt = stmt.where(Declaration.created_at >= datetime.combine(start, time.min, tz))
    if end:
        stmt = stmt.where(Declaration.created_at < datetime.combine(end + timedelta(days=1), time.min, tz))
    rows = list(db.session.scalars(stmt.offset((page - 1) * PAGE).limit(PAGE + 1)).unique())
    counts = dict(db.session.execute(
        select(Declaration.status, func.count(Declaration.id)).group_by(Declaration.status)).all())
    return render_template(
        "admin/customs_queue.html", declarations=rows[:PAGE], page=page, has_next=len(rows) > PAGE,
        counts=[(s, counts.get(s, 0)) for s in DeclarationStatus], total=sum(counts.values()),
        statuses=list(DeclarationStatus), status=status, number=number, buyer=buyer,
        start=start.isoformat() if start else "", end=end.isoformat() if end else "", mask_name=mask_name)


def _masked(name: str, value: str | None) -> str:
    if not value:
        return value or ""
    if name in ID_FIELDS:
        return mask_id_number(value)
    if name in PHONE_FIELDS:
        return mask_phone(value)
    return value


def _sections(document: etree._Element) -> list[tuple[str, list[tuple[str, str]]]]:
    """The document's head and lines as (element name, [(field, value), …]), personal data masked."""
    sections = []
    for part in document:
        if not isinstance(part.tag, str):
            continue
        fields = [(etree.QName(child).localname, _masked(etree.QName(child).localname, (child.text or "").strip()))
                  for child in part if isinstance(child.tag, str)]
        sections.append((etree.QName(part).localname, fields))
    return sections


@bp.get("/customs/<int:declaration_id>")
@role_required(*CLERKS)
def customs_declaration(declaration_id: int):
    declaration = db.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .options(joinedload(Declaration.order).selectinload(Order.lines), selectinload(Declaration.receipts)))
    if declaration is None:
        abort(404)
    order = declaration.order
    payments = list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
    succeeded = next((p for p in reversed(payments) if p.succeeded_at is not None), None)
    docs = OrderDocs.from_declaration(declaration, payment=succeeded)
    codes = CustomsCodes.from_config(current_app.config)
    stamp = Stamp.now(clock.shop_timezone())
    documents, built = [], {}
    for kind, label in KINDS:
        try:
            element = build_document(kind, docs, codes, stamp)
        except DocumentError as exc:
            documents.append({"kind": label, "error": exc})
        else:
            built[kind] = element
            documents.append({"kind": label, "sections": _sections(element)})
    mismatches = None
    if len(built) == len(KINDS):
        mismatches = three_document_check(*(built[kind] for kind, _ in KINDS))
    # The documents were built from the decrypted ID number and phones: who looked, and when.
    record(db.session, actor_id=current_user.id, action="declaration.view", obj=declaration,
           summary=f"order {order.number}")
    return render_template("admin/customs_declaration.html", declaration=declaration, order=order,
                           payments=payments, documents=documents, mismatches=mismatches,
                           mask_name=mask_name)
