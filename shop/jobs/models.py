"""A tracked background job: who asked for what, how far it got, and the file it produced."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, enum_column, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "jobs"

    # A random hex id, also the RQ job's id: the job page's address does not reveal how many jobs there are.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status", 12), default=JobStatus.QUEUED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Work done and work to do, as the job last reported them (rows written, files imported).
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    # What the job found or did, for its page (e.g. the receipts import report).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The file produced, relative to JOBS_DIR, and the name it is downloaded under.
    file_path: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    # A short reason for a failure, safe to show (no traceback, no personal data).
    error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_jobs_created_by_id_created_at", "created_by_id", "created_at"),)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == JobStatus.DONE else None
        return min(100, self.progress_done * 100 // self.progress_total)
