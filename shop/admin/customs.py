"""The customs clerk's workspace: the declaration queue and one declaration's four documents side by side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from lxml import etree
from sqlalchemy import select
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
from shop.customs.queue import QueueFilter, declaration_queue, status_counts
from shop.customs.reports import mask_name
from shop.customs.rules import mask_id_number, mask_phone
from shop.db import db, utcnow
from shop.orders.models import Order
from shop.payments.models import Payment

# The four documents customs matches, in the order the page shows them.
KINDS = (("ceb311", "CEB311"), ("ceb411", "CEB411"), ("ceb511", "CEB511"), ("ceb621", "CEB621"))
# Personal data the documents carry in full: shown masked on the page.
ID_FIELDS = frozenset({"buyerIdNumber", "payerIdNumber"})
PHONE_FIELDS = frozenset({"buyerTelephone", "consigneeTelephone", "telephone"})


def _day(name: str, values=None) -> date | None:
    try:
        return date.fromisoformat((values if values is not None else request.args).get(name, "").strip())
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

    wanted = DeclarationStatus(status) if status in {s.value for s in DeclarationStatus} else None
    status = wanted.value if wanted else ""
    rows, has_next = declaration_queue(db.session, QueueFilter(status=wanted, number=number, buyer=buyer,
                                                               start=start, end=end), page=page, tz=tz)
    counts = status_counts(db.session)
    return render_template(
        "admin/customs_queue.html", declarations=rows, page=page, has_next=has_next,
        counts=list(counts.items()), total=sum(counts.values()),
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


# --- Declaring ------------------------------------------------------------------------------------------


@bp.post("/customs/declare")
@role_required(*CLERKS)
def customs_declare():
    """Declare the chosen declarations (or every pending one): waybills, the four messages, into the outbox."""
    from shop.customs import declare
    from shop.customs.signing import SigningError, signer_from_config
    from shop.customs.xsd import MessageValidationError

    if request.form.get("all_pending"):
        ids = declare.pending_ids(db.session)
    else:
        ids = [int(v) for v in request.form.getlist("declaration") if v.isdecimal()][:declare.MAX_PER_RUN]
    config = current_app.config
    try:
        result = declare.declare(
            db.session, ids, codes=CustomsCodes.from_config(config), signer=signer_from_config(config),
            out_dir=config["CUSTOMS_OUTBOX"], waybill_prefix=config["CUSTOMS_WAYBILL_PREFIX"],
            actor_id=current_user.id, now=utcnow())
    except declare.NothingToDeclare as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except MessageValidationError as exc:
        db.session.rollback()
        flash(_("Nothing was declared: %(count)d problems must be put right first.", count=len(exc.problems)),
              "error")
        for problem in exc.problems[:20]:
            flash(_("Order %(order)s, field %(field)s: %(detail)s", order=problem.order_no or "—",
                    field=problem.field, detail=problem.detail), "error")
    except SigningError as exc:
        db.session.rollback()
        current_app.logger.error("customs signing failed: %s", exc)
        flash(_("Nothing was declared: the declarations could not be signed. Check the signing key or the "
                "signing host."), "error")
    else:
        flash(ngettext("%(num)d order declared: %(files)d messages are in the outbox.",
                       "%(num)d orders declared: %(files)d messages are in the outbox.",
                       len(result.declared), files=len(result.files)), "success")
    return redirect(_back_to_queue())


def _back_to_queue() -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/admin/customs") else url_for("admin.customs_queue")


@bp.get("/customs/outbox")
@role_required(*CLERKS)
def customs_outbox():
    """The messages waiting in the outbox for the transfer client, newest first."""
    folder = Path(current_app.config["CUSTOMS_OUTBOX"])
    files = []
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_file() and entry.suffix == ".xml":
                stat = entry.stat()
                files.append({"name": entry.name, "size": stat.st_size,
                              "at": datetime.fromtimestamp(stat.st_mtime, UTC)})
    files.sort(key=lambda f: f["at"], reverse=True)
    return render_template("admin/customs_outbox.html", files=files[:500], more=len(files) > 500)


@bp.get("/customs/outbox/<name>")
@role_required(*CLERKS)
def customs_outbox_file(name: str):
    if not name.endswith(".xml") or name.startswith("."):
        abort(404)
    return send_from_directory(current_app.config["CUSTOMS_OUTBOX"], name, as_attachment=True,
                               mimetype="application/xml")


# --- The declaration list, downloaded ---------------------------------------------------------------------


@bp.post("/customs/exports")
@role_required(*CLERKS)
def customs_export():
    """The declaration list of the queue's date range and status as CSV or XLSX: a background job."""
    from shop.jobs.queue import submit

    fmt = request.form.get("format", "")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    today = clock.today()
    start, end = _day("from", request.form), _day("to", request.form)
    end = end or today
    start = start or end - timedelta(days=30)
    if end < start:
        start, end = end, start
    status = request.form.get("status") or ""
    wanted = status if status in {s.value for s in DeclarationStatus} else None
    # The list carries masked personal data only, but who took which list out of the shop is on record.
    record(db.session, actor_id=current_user.id, action="declaration.export", obj=current_user._get_current_object(),
           after={"format": fmt, "from": str(start), "to": str(end), "status": wanted},
           summary=f"{fmt} {start}..{end} {wanted or 'all'}")
    job = submit(db.session, "customs.declaration_export",
                 {"format": fmt, "from": str(start), "to": str(end), "status": wanted}, user_id=current_user.id)
    return redirect(url_for("admin.customs_job", job_id=job.id))


# --- Receipts ---------------------------------------------------------------------------------------------


MAX_RECEIPT_FILES = 200


@bp.route("/customs/receipts", methods=["GET", "POST"])
@role_required(*CLERKS)
def customs_receipts():
    """Import customs receipts: uploaded files, or everything waiting in the inbox folder."""
    from shop.customs.receipts import ImportReport, import_data, receipt_files

    inbox = Path(current_app.config["CUSTOMS_INBOX"])
    waiting = len(receipt_files([inbox])) if inbox.is_dir() else 0
    if request.method == "GET":
        return render_template("admin/customs_receipts.html", report=None, inbox=inbox, waiting=waiting)
    report = ImportReport()
    now = utcnow()
    if request.form.get("source") == "inbox":
        if not waiting:
            flash(_("The inbox folder holds no receipts."), "error")
            return redirect(url_for("admin.customs_receipts"))
        # A folder can hold thousands of receipts: a background job imports them (files move to processed/
        # once their receipts are committed, so that the inbox shows what is new).
        from shop.jobs.queue import submit

        record(db.session, actor_id=current_user.id, action="receipts.import", obj=current_user._get_current_object(),
               after={"source": "inbox", "files": waiting}, summary=f"inbox, {waiting} files")
        job = submit(db.session, "customs.inbox_import", {}, user_id=current_user.id)
        return redirect(url_for("admin.customs_job", job_id=job.id))
    uploads = [f for f in request.files.getlist("files") if f and f.filename][:MAX_RECEIPT_FILES]
    if not uploads:
        flash(_("Choose one or more receipt files (XML) to import."), "error")
        return redirect(url_for("admin.customs_receipts"))
    for upload in uploads:
        report.files.append(import_data(db.session, Path(upload.filename).name[:255], upload.read(), now=now))
    record(db.session, actor_id=current_user.id, action="receipts.import", obj=current_user._get_current_object(),
           after={"files": [f.name for f in report.files]}, summary=f"{len(report.files)} files, {sum(f.recorded for f in report.files)} receipts")
    return render_template("admin/customs_receipts.html", report=report, inbox=inbox, waiting=0)
