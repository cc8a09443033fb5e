"""Background jobs in the back office: the team's exports and imports, a job's progress, and its file.

Every job so far is customs work, seen by the whole customs team (clerks and administrators): a colleague's
export holds what each of them may download anyway.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop.accounts.models import User
from shop.admin.auth import CLERKS, role_required
from shop.admin.views import bp
from shop.customs.receipts import FileReport
from shop.db import db
from shop.jobs.models import Job, JobStatus
from shop.jobs.queue import stored_file

KIND_NAMES = {
    "customs.declaration_export": _l("Declaration list export"),
    "customs.inbox_import": _l("Receipts import from the inbox"),
}
# Who may see a job of each kind besides the person who asked for it.
KIND_ROLES = {
    "customs.declaration_export": CLERKS,
    "customs.inbox_import": CLERKS,
}
STATUS_NAMES = {
    JobStatus.QUEUED: _l("Waiting"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}


def _job_or_404(job_id: str) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or current_user.role not in KIND_ROLES.get(job.kind, ()):
        abort(404)
    return job


@bp.get("/customs/jobs")
@role_required(*CLERKS)
def customs_jobs():
    kinds = [kind for kind, roles in KIND_ROLES.items() if current_user.role in roles]
    rows = db.session.execute(
        select(Job, User.name).outerjoin(User, User.id == Job.created_by_id).where(Job.kind.in_(kinds))
        .order_by(Job.created_at.desc()).limit(100)).all()
    return render_template("admin/jobs.html", jobs=rows, kind_names=KIND_NAMES, status_names=STATUS_NAMES)


@bp.get("/customs/jobs/<job_id>")
@role_required(*CLERKS)
def customs_job(job_id: str):
    job = _job_or_404(job_id)
    files = [FileReport.from_json(f) for f in (job.result or {}).get("files", [])]
    return render_template("admin/job.html", job=job, kind_names=KIND_NAMES, status_names=STATUS_NAMES,
                           files=files, has_file=stored_file(job) is not None)


@bp.get("/customs/jobs/<job_id>/status")
@role_required(*CLERKS)
def customs_job_status(job_id: str):
    """What the job page polls while the job runs."""
    job = _job_or_404(job_id)
    response = jsonify(status=job.status.value, status_name=str(STATUS_NAMES[job.status]), done=job.progress_done,
                       total=job.progress_total, percent=job.percent, finished=job.finished,
                       url=url_for("admin.customs_job", job_id=job.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/customs/jobs/<job_id>/download")
@role_required(*CLERKS)
def customs_job_download(job_id: str):
    job = _job_or_404(job_id)
    path = stored_file(job)
    if job.status != JobStatus.DONE or path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=job.file_name, mimetype=job.file_type)
