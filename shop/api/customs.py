"""Customs clerks over the API: the declaration queue, one declaration's messages as XML, receipt imports.

The roles are the workspace's (shop/admin/customs.py: `CLERKS`), the documents are built as the declaration
page builds them (shop/customs/messages.py) and receipts are imported by shop/customs/receipts.py, the same
function the workspace's upload uses. Personal data leaves masked, except inside a customs document, where the
law wants it in full: fetching one is written to the audit log, as viewing it on the page is.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from lxml import etree
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop import clock, labels
from shop.admin.auth import CLERKS
from shop.api.core import SIGNED_INT_MAX, ApiError, FieldError, Money, Query, Schema, operation
from shop.api.staff import IsoDate
from shop.audit import record
from shop.customs.declare import KINDS
from shop.customs.messages import CustomsCodes, OrderDocs, Stamp, build_batches
from shop.customs.models import Declaration, DeclarationStatus
from shop.customs.queue import PAGE, QueueFilter, declaration_queue, status_counts
from shop.customs.receipts import import_data
from shop.customs.reports import mask_name
from shop.customs.signing import SigningError, signer_from_config
from shop.customs.xsd import MessageValidationError, Problem, validate
from shop.db import db, utcnow
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.templating import said

DECLARATION_ID = {"type": "integer", "minimum": 1, "maximum": SIGNED_INT_MAX}
KIND = {"type": "string", "enum": list(KINDS),
        "description": "ceb311 order, ceb411 payment, ceb511 waybill, ceb621 inventory list (signed)"}
XML_MESSAGE = {"type": "string", "contentMediaType": "application/xml",
               "description": "one customs message (CEB311/411/511/621) holding this order's document"}
RECEIPT_MEDIA = ("application/xml", "text/xml")
MAX_RECEIPT_BYTES = 5 * 1024 * 1024  # one receipt file; customs' hold at most 100 receipts, far below this
MAX_PAGE = 9_999


# --- The queue ------------------------------------------------------------------------------------------


class DeclarationQuery(Query):
    status: DeclarationStatus | None = None
    from_: IsoDate | None = Field(None, alias="from", description="created (paid) on or after this day (shop time)")
    to: IsoDate | None = Field(None, description="created (paid) on or before this day (shop time)")
    number: str = Field("", max_length=20, description="the order number, exactly")
    buyer: str = Field("", max_length=50, description="part of the buyer's real name")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class DeclarationOut(Schema):
    id: int
    cop_no: str
    order_number: str
    status: DeclarationStatus
    status_label: str = Field(description="in the language asked for")
    created_at: datetime = Field(description="when the order was paid")
    declared_at: datetime | None
    buyer: str = Field(description="the buyer's name, masked (张*伟)")
    buyer_id_masked: str
    waybill_no: str | None
    pre_no: str | None
    invt_no: str | None
    return_status: str | None = Field(description="the latest applied receipt's code (negative: an error)")
    return_info: str | None
    paid: Money


class DeclarationList(Schema):
    items: list[DeclarationOut] = Field(description="newest first")
    page: int
    page_size: int
    has_next: bool
    counts: dict[DeclarationStatus, int] = Field(description="declarations per status, whatever the filters")
    total: int


def _declaration(d: Declaration) -> DeclarationOut:
    order = d.order
    return DeclarationOut(
        id=d.id, cop_no=d.cop_no, order_number=order.number, status=d.status,
        status_label=str(labels.DECLARATION_STATUSES[d.status]), created_at=d.created_at, declared_at=d.declared_at,
        buyer=mask_name(order.buyer_name), buyer_id_masked=order.buyer_id_masked, waybill_no=order.waybill_no,
        pre_no=d.pre_no, invt_no=d.invt_no, return_status=d.return_status, return_info=d.return_info,
        paid=order.actual_paid)


@operation("GET", "/customs/declarations", summary="The declaration queue", tag="customs", auth=CLERKS,
           query=DeclarationQuery, response=DeclarationList)
def declarations(user, query: DeclarationQuery):
    """The customs workspace's queue with its filters (status, from, to, order number, part of the buyer's
    name), newest first, 50 a page (`has_next` says whether more follow), and the count per status. Buyers'
    names and ID numbers are masked."""
    filters = QueueFilter(status=query.status, number=query.number, buyer=query.buyer, start=query.from_,
                          end=query.to)
    rows, has_next = declaration_queue(db.session, filters, page=query.page, tz=clock.shop_timezone())
    counts = status_counts(db.session)
    return DeclarationList(
        items=[_declaration(d) for d in rows], page=query.page, page_size=PAGE, has_next=has_next,
        counts=counts, total=sum(counts.values()))


# --- One declaration's messages -------------------------------------------------------------------------


def _invalid(problems: list[Problem], detail=None) -> ApiError:
    """The document cannot be sent: a validation problem naming the fields (the builder's words, English)."""
    return ApiError("validation_error", detail or str(problems[0]),
                    errors=[FieldError(p.field, p.detail) for p in problems[:50]])


@operation("GET", "/customs/declarations/{declaration_id}/messages/{kind}", summary="One customs message, as XML",
           tag="customs", auth=CLERKS, response=XML_MESSAGE, response_media="application/xml",
           errors=("not_found", "validation_error"),
           path_params={"declaration_id": DECLARATION_ID, "kind": KIND})
def declaration_message(user, declaration_id: int, kind: str):
    """The order's document of this kind, built as the declaration page builds it, in its message, validated
    against the customs XSD; the inventory list (ceb621) is signed with the shop's signer, as it would be sent.
    The document carries the buyer's ID number and phone in full: each fetch is written to the audit log.
    An order whose document cannot be built (no succeeded payment, no waybill, a 1210 field missing …) is a
    `validation_error` naming the field."""
    if kind not in KINDS:
        raise ApiError("not_found", f"message kind {kind}")
    declaration = db.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id)
        .options(joinedload(Declaration.order).selectinload(Order.lines)))
    if declaration is None:
        raise ApiError("not_found", f"declaration {declaration_id}")
    order = declaration.order
    payments = list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
    succeeded = next((p for p in reversed(payments) if p.succeeded_at is not None), None)
    docs = OrderDocs.from_declaration(declaration, payment=succeeded)
    codes = CustomsCodes.from_config(current_app.config)
    try:
        (batch,) = build_batches(kind, [docs], codes, Stamp.now(clock.shop_timezone()))
    except MessageValidationError as exc:
        raise _invalid(exc.problems) from None
    # As the outbox writer does (shop.customs.messages.MessageWriter.add): validate, sign, validate again.
    problems = validate(batch.tree, unsigned=batch.needs_signature)
    if problems:
        raise _invalid(problems)
    data = batch.to_bytes()
    if batch.needs_signature:
        try:
            data = signer_from_config(current_app.config).sign(data)
        except SigningError as exc:
            current_app.logger.error("customs signing failed: %s", exc)
            raise ApiError("internal_error", _l("The inventory list could not be signed. Check the signing key "
                                                "or the signing host.")) from None
        problems = validate(etree.fromstring(data))
        if problems:
            raise _invalid(problems)
    record(db.session, actor_id=user.id, action="declaration.view", obj=declaration,
           summary=f"order {order.number}, {batch.kind} (API)")
    response = current_app.response_class(data, status=200, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'inline; filename="{batch.filename}"'
    response.headers["Cache-Control"] = "no-store"  # personal data in full: no cache keeps a copy
    return response


# --- Receipts -------------------------------------------------------------------------------------------


class ReceiptQuery(Query):
    filename: str = Field("", max_length=255, description="the receipt file's name, kept with each receipt")


class ImportReportOut(Schema):
    name: str = Field(description="the name the receipts are kept under")
    message_type: str = Field(description="CEB312, CEB412, CEB512, CEB622, CEB624, CEB626 or CEB816")
    recorded: int = Field(description="receipts recorded now")
    duplicates: list[str] = Field(description="receipts imported before: nothing changed for them")
    unknown: list[str] = Field(description="receipts for no known declaration, or a message type not read")
    moved: list[str] = Field(description="declarations whose status moved")
    released: list[str] = Field(description="order numbers released")
    rejected: list[str] = Field(description="order numbers rejected (stock released, payment refunded)")
    tax_bills: list[str]
    notes: list[str] = Field(description="recorded but not applied, and why")


def _said(lines) -> list[str]:
    return [said(line) for line in lines]


RECEIPT_FILE = {"type": "string",
                "description": "one receipt file from customs, as it came: a CEB312, CEB412, CEB512, CEB622, "
                               "CEB624 or CEB626 receipt message or a CEB816 tax bill (at most 5 MB)"}


@operation("POST", "/customs/receipts", summary="Import a receipt file", tag="customs", auth=CLERKS,
           query=ReceiptQuery, response=ImportReportOut, request_media={media: RECEIPT_FILE for media in RECEIPT_MEDIA},
           errors=("validation_error", "payload_too_large", "unsupported_media_type"))
def import_receipts(user, query: ReceiptQuery):
    """The receipts of one file from customs (the body, `application/xml` or `text/xml`, at most 5 MB),
    imported as the workspace's upload imports them: each is kept with the declaration it is about, CEB622
    moves the declaration (and releases or rejects the order), CEB816 records the tax bill. A receipt imported
    before changes nothing (it is listed under `duplicates`), so sending a file again is safe. A body that is
    not XML, or not a customs message, is a `validation_error` (field `body`); another media type is
    `unsupported_media_type`. The report's lines follow Accept-Language."""
    if request.mimetype not in RECEIPT_MEDIA:
        raise ApiError("unsupported_media_type",
                       _l("Send the receipt file as XML (Content-Type: application/xml or text/xml)."))
    too_large = ApiError("payload_too_large", _l("A receipt file may be at most %(mb)d MB.",
                                                 mb=MAX_RECEIPT_BYTES // (1024 * 1024)))
    if (request.content_length or 0) > MAX_RECEIPT_BYTES:
        raise too_large
    data = request.get_data(cache=False)
    if len(data) > MAX_RECEIPT_BYTES:
        raise too_large
    now = utcnow()
    name = query.filename.strip() or f"api-{now:%Y%m%dT%H%M%SZ}.xml"
    report = import_data(db.session, name, data, now=now)
    if not report.message_type:  # not XML, or not a customs message: nothing was read, nothing changed
        reason = said(report.unknown[0])  # "unreadable file: …", in the reader's language
        raise ApiError("validation_error", reason, errors=[FieldError("body", reason)])
    record(db.session, actor_id=user.id, action="receipts.import", obj=user, after={"files": [name]},
           summary=f"1 file, {report.recorded} receipts (API)")
    return ImportReportOut(
        name=report.name, message_type=report.message_type, recorded=report.recorded,
        duplicates=_said(report.duplicates), unknown=_said(report.unknown), moved=_said(report.moved),
        released=list(report.released), rejected=list(report.rejected), tax_bills=_said(report.tax_bills),
        notes=_said(report.notes))
