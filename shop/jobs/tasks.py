"""The work that runs in the background: what each job kind and task does."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import clock
from shop.db import after_commit, db, utcnow
from shop.jobs.models import Job
from shop.jobs.queue import Progress, job_file, kind, stored_file, task

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A folder import takes at most this many files per job; the rest wait for the next one.
MAX_INBOX_FILES = 2000


# --- Customs: the declaration list ------------------------------------------------------------------------


@kind("customs.declaration_export")
def declaration_export(session: Session, job: Job, progress: Progress) -> None:
    """The declaration list of a date range (and status) as CSV or XLSX, read from the replica if there is one."""
    from shop.customs import reports
    from shop.customs.models import DeclarationStatus

    fmt = job.params["format"]
    start, end = date.fromisoformat(job.params["from"]), date.fromisoformat(job.params["to"])
    status = DeclarationStatus(job.params["status"]) if job.params.get("status") else None
    period = reports.Period(start, end, clock.shop_timezone())
    path = job_file(job, f".{fmt}")
    with db.read_session() as reader:
        progress(0, reports.count_declarations(reader, period, status))
        rows = _counting(reports.declaration_lines(reader, period, status), progress)
        written = reports.write_csv(rows, path) if fmt == "csv" else reports.write_xlsx(rows, path)
    job.file_name = f"declarations-{start}-{end}{'-' + status.value if status else ''}.{fmt}"
    job.file_type = "text/csv" if fmt == "csv" else XLSX_TYPE
    job.result = {"rows": written, "declarations": job.progress_done}


def _counting(rows, progress: Progress):
    """The rows, reporting each new declaration (rows come grouped by declaration)."""
    last, done = None, 0
    for row in rows:
        if row[0] != last:
            last = row[0]
            done += 1
            progress(done)
        yield row


# --- Customs: receipts from the inbox folder ----------------------------------------------------------------


@kind("customs.inbox_import")
def inbox_import(session: Session, job: Job, progress: Progress) -> None:
    """Import every receipt waiting in CUSTOMS_INBOX; the files move to processed/ once the import commits."""
    from shop.customs.receipts import import_data, receipt_files

    inbox = Path(current_app.config["CUSTOMS_INBOX"])
    files = receipt_files([inbox])[:MAX_INBOX_FILES] if inbox.is_dir() else []
    progress(0, len(files))
    now = utcnow()
    reports = []
    for n, path in enumerate(files, start=1):
        reports.append(import_data(session, path.name, path.read_bytes(), now=now))
        progress(n)
    after_commit(session, lambda: archive(files, inbox / "processed"))
    job.result = {"files": [r.as_json() for r in reports]}


def archive(files: list[Path], folder: Path) -> None:
    """Move imported receipt files out of the inbox."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        if path.exists():
            os.replace(path, folder / path.name)


# --- Tasks --------------------------------------------------------------------------------------------------


@task("orders.expire_reservations")
def expire_reservations() -> None:
    """Cancel unpaid orders whose reservation time is over (every minute, from `jobs cron`)."""
    from shop.orders.services import expire_unpaid_orders

    expire_unpaid_orders(db.session, now=utcnow())


@task("orders.send_confirmation")
def send_confirmation(order_id: int) -> None:
    """The "order paid" e-mail."""
    from shop.orders.mail import send_order_confirmation

    send_order_confirmation(current_app._get_current_object(), order_id)


@task("jobs.purge")
def purge() -> int:
    """Forget finished jobs older than JOBS_KEEP_DAYS, with their files (hourly, from `jobs cron`)."""
    cutoff = utcnow() - timedelta(days=current_app.config["JOBS_KEEP_DAYS"])
    old = list(db.session.scalars(select(Job).where(Job.created_at < cutoff)))
    for job in old:
        path = stored_file(job)
        if path is not None:
            path.unlink(missing_ok=True)
        db.session.delete(job)
    db.session.flush()
    return len(old)
