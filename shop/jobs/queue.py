"""Submitting work: to the RQ queue on Redis when REDIS_URL is set, inline otherwise.

Work is queued only once the transaction that asked for it commits (a rolled-back request queues nothing,
and a worker never looks for a job row that is not there yet).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from shop.db import after_commit, db, utcnow
from shop.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

QUEUE_NAME = "globalbuy"
# A job that runs longer than this is stopped by the worker and marked failed.
JOB_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class Kind:
    """A tracked job kind: the function that does the work, and who may see it."""

    name: str
    run: Callable[[Session, Job, Progress], None]


KINDS: dict[str, Kind] = {}
TASKS: dict[str, Callable[..., Any]] = {}


def _load() -> None:
    """The kinds and tasks register themselves when their module is imported."""
    import shop.jobs.tasks  # noqa: F401


def kind(name: str):
    """Register a tracked job kind: `run(session, job, progress)` fills in the job's result and file."""

    def register(run):
        KINDS[name] = Kind(name, run)
        return run

    return register


def task(name: str):
    """Register a fire-and-forget task: `fn(**params)`, run with an app context."""

    def register(fn):
        TASKS[name] = fn
        return fn

    return register


# --- Redis --------------------------------------------------------------------------------------------------


def uses_queue(app=None) -> bool:
    return bool((app or current_app).config.get("REDIS_URL"))


def rq_queue(app=None):
    """The RQ queue (Redis connection made once per app)."""
    from redis import Redis
    from rq import Queue

    app = app or current_app
    queue = app.extensions.get("rq_queue")
    if queue is None:
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]),
                      default_timeout=JOB_TIMEOUT)
        app.extensions["rq_queue"] = queue
    return queue


# --- Tracked jobs -----------------------------------------------------------------------------------------


def submit(session: Session, kind_name: str, params: dict, *, user_id: int | None) -> Job:
    """A new job of `kind_name`. Queued after the commit when Redis is configured; otherwise done right here."""
    _load()
    if kind_name not in KINDS:
        raise KeyError(kind_name)
    job = Job(id=secrets.token_hex(16), kind=kind_name, params=params, created_by_id=user_id,
              status=JobStatus.QUEUED, created_at=utcnow())
    session.add(job)
    session.flush()
    if uses_queue():
        queue = rq_queue()
        after_commit(session, lambda: queue.enqueue("shop.jobs.queue.perform", job.id, job_id=job.id,
                                                    result_ttl=3600, failure_ttl=7 * 24 * 3600))
    else:
        _run(session, job, Progress(job, live=False))
    return job


class Progress:
    """What a running job reports: `progress(done, total)`. In a worker it is saved as it goes."""

    EVERY = 1000  # rows between saves

    def __init__(self, job: Job, *, live: bool):
        self.job = job
        self.live = live
        self._saved_at = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if self.live and (done - self._saved_at >= self.EVERY or done == self.job.progress_total):
            self._saved_at = done
            _save_progress(self.job.id, done, self.job.progress_total)


def _save_progress(job_id: str, done: int, total: int | None) -> None:
    """Progress written on a connection of its own, so the job's own transaction stays open for its reads."""
    from sqlalchemy import update

    with db.side_session() as own:
        own.execute(update(Job).where(Job.id == job_id).values(progress_done=done, progress_total=total))
        own.commit()


def _run(session: Session, job: Job, progress: Progress) -> None:
    job.status = JobStatus.RUNNING
    job.started_at = utcnow()
    try:
        with session.begin_nested():
            KINDS[job.kind].run(session, job, progress)
    except Exception as exc:  # the job fails, the request or worker goes on
        log.exception("job %s (%s) failed", job.id, job.kind)
        job.status = JobStatus.FAILED
        job.error = _safe_error(exc)
    else:
        job.status = JobStatus.DONE
    job.finished_at = utcnow()


def _safe_error(exc: Exception) -> str:
    """The reason shown on the job page: our own refusals say why; anything else only that it failed."""
    from shop.domain import DomainError

    if isinstance(exc, DomainError):
        return str(exc)[:500]
    return type(exc).__name__


def perform(job_id: str) -> None:
    """Run a queued job (in a worker): marked running, done or failed, each step committed."""
    _load()
    session = db.session
    job = session.get(Job, job_id)
    if job is None or job.finished:
        log.warning("job %s is unknown or already finished", job_id)
        return
    job.status = JobStatus.RUNNING
    job.started_at = utcnow()
    session.commit()
    progress = Progress(job, live=True)
    try:
        KINDS[job.kind].run(session, job, progress)
        session.flush()
    except Exception as exc:
        log.exception("job %s (%s) failed", job.id, job.kind)
        session.rollback()
        job = session.get(Job, job_id)
        job.status = JobStatus.FAILED
        job.error = _safe_error(exc)
    else:
        job.status = JobStatus.DONE
    job.finished_at = utcnow()
    session.commit()
    db.session.remove()


# --- Tasks ---------------------------------------------------------------------------------------------------


def enqueue(name: str, **params) -> None:
    """Run task `name` with `params`: on the queue when Redis is configured, else now."""
    _load()
    if name not in TASKS:
        raise KeyError(name)
    if uses_queue():
        rq_queue().enqueue("shop.jobs.queue.run_task", name, params, result_ttl=600)
    else:
        TASKS[name](**params)


def run_task(name: str, params: dict) -> None:
    """A queued task, in a worker."""
    _load()
    try:
        TASKS[name](**params)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


# --- Files -----------------------------------------------------------------------------------------------


def job_file(job: Job, suffix: str) -> Path:
    """Where a job writes its file (under JOBS_DIR, shared storage when several servers run)."""
    folder = Path(current_app.config["JOBS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    job.file_path = f"{job.id}{suffix}"
    return folder / job.file_path


def stored_file(job: Job) -> Path | None:
    if not job.file_path:
        return None
    path = Path(current_app.config["JOBS_DIR"]) / job.file_path
    return path if path.is_file() else None
