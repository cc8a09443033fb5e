"""Background jobs: inline without Redis, on an RQ queue with a worker when REDIS_URL is set."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import Role
from shop.db import utcnow
from shop.jobs import queue as jobs
from shop.jobs.models import Job, JobStatus
from tests import ordering
from tests.backoffice import signed_in
from tests.redisutil import REDIS_TEST_URL, empty_redis


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setitem(app.config, "CUSTOMS_INBOX", str(tmp_path / "inbox"))
    (tmp_path / "inbox").mkdir()
    return tmp_path


@pytest.fixture
def clerk(session, english):
    signed_in(session, english, Role.CLERK)
    return english


def _export(client, **form):
    response = client.post("/admin/customs/exports", data={"format": "csv", **form})
    assert response.status_code == 302
    return response.location.rsplit("/", 1)[-1]


def _job(session, job_id) -> Job:
    session.expire_all()
    return session.get(Job, job_id)


# --- Inline (no Redis) ---------------------------------------------------------------------------------------


def test_without_redis_an_export_is_done_when_its_page_opens(app, session, clerk, folders):
    item = ordering.paid_and_pending_declaration(session, app)
    job_id = _export(clerk)
    job = _job(session, job_id)
    assert job.status is JobStatus.DONE and job.progress_done == job.progress_total == 1
    assert job.result == {"rows": 1, "declarations": 1} and job.file_name.endswith(".csv")

    page = clerk.get(f"/admin/customs/jobs/{job_id}").text
    assert "Declaration list export" in page and 'data-testid="job-download"' in page
    assert "data-poll" not in page  # nothing left to follow
    download = clerk.get(f"/admin/customs/jobs/{job_id}/download")
    assert [r[0] for r in csv.reader(io.StringIO(download.data.decode("utf-8-sig")))] == ["order_no", item.number]
    download.close()
    listing = clerk.get("/admin/customs/jobs").text
    assert f"/admin/customs/jobs/{job_id}" in listing and "Done" in listing
    status = clerk.get(f"/admin/customs/jobs/{job_id}/status").get_json()
    assert status == {"status": "done", "status_name": "Done", "done": 1, "total": 1, "percent": 100,
                      "finished": True, "url": f"/admin/customs/jobs/{job_id}"}


def test_the_customs_team_sees_its_jobs_and_nobody_else(app, session, clerk, other_client, folders):
    job_id = _export(clerk)
    colleague = signed_in(session, other_client, Role.CLERK)
    listing = other_client.get("/admin/customs/jobs").text
    assert f"/admin/customs/jobs/{job_id}" in listing and colleague.name not in listing  # asked by the first clerk
    assert other_client.get(f"/admin/customs/jobs/{job_id}").status_code == 200
    other_client.post("/account/logout")
    signed_in(session, other_client, Role.STAFF)
    for path in ("", "/status", "/download"):
        assert other_client.get(f"/admin/customs/jobs/{job_id}{path}").status_code == 403


def test_staff_cannot_ask_for_customs_exports(session, client, folders):
    signed_in(session, client, Role.STAFF)
    assert client.post("/admin/customs/exports", data={"format": "csv"}).status_code == 403
    client.post("/account/logout")
    signed_in(session, client, Role.CLERK)
    assert client.get("/admin/customs/jobs/" + "0" * 32).status_code == 404  # unknown job


def test_a_failed_job_says_so_and_the_request_still_succeeds(app, session, clerk, folders, monkeypatch):
    def broken(session, job, progress):
        progress(3, 10)
        raise RuntimeError("disk full at /secret/path")

    monkeypatch.setitem(jobs.KINDS, "customs.declaration_export", jobs.Kind("customs.declaration_export", broken))
    job_id = _export(clerk)
    job = _job(session, job_id)
    assert job.status is JobStatus.FAILED and job.error == "RuntimeError"
    page = clerk.get(f"/admin/customs/jobs/{job_id}").text
    assert "The job failed: RuntimeError" in page and "/secret/path" not in page
    assert "job-download" not in page
    assert clerk.get(f"/admin/customs/jobs/{job_id}/download").status_code == 404


def test_the_job_page_speaks_chinese(app, session, client, folders):
    signed_in(session, client, Role.CLERK)
    response = client.post("/admin/customs/exports", data={"format": "xlsx"}, follow_redirects=True)
    assert "申报清单导出" in response.text and "已完成" in response.text


def test_purge_forgets_old_jobs_and_their_files(app, session, clerk, folders):
    from shop.jobs.tasks import purge

    old_id, new_id = _export(clerk), _export(clerk)
    old = _job(session, old_id)
    old.created_at = utcnow() - timedelta(days=app.config["JOBS_KEEP_DAYS"] + 1)
    session.flush()
    old_file = folders / "jobs" / old.file_path
    assert old_file.is_file()
    assert purge() == 1
    assert not old_file.exists()
    assert _job(session, old_id) is None and _job(session, new_id) is not None


# --- On the queue (Redis) -------------------------------------------------------------------------------------


@pytest.fixture
def redis_queue(app, monkeypatch):
    """REDIS_URL set for the test, on a Redis database of its own that is emptied before and after."""
    connection = empty_redis()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    app.extensions.pop("rq_queue", None)
    with app.app_context():
        yield jobs.rq_queue(app)
    app.extensions.pop("rq_queue", None)
    connection.flushdb()


def _work(app, queue) -> None:
    """A worker runs what is queued, then stops."""
    from rq import SimpleWorker

    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_with_redis_an_export_waits_for_a_worker_and_shows_its_progress(app, session, clerk, folders,
                                                                         redis_queue):
    items = [ordering.paid_and_pending_declaration(session, app) for _ in range(3)]
    job_id = _export(clerk)
    assert _job(session, job_id).status is JobStatus.QUEUED
    assert len(redis_queue) == 1
    page = clerk.get(f"/admin/customs/jobs/{job_id}").text
    assert 'data-job-status="queued"' in page and "data-poll" in page and "Waiting" in page
    assert clerk.get(f"/admin/customs/jobs/{job_id}/status").get_json()["finished"] is False

    _work(app, redis_queue)
    job = _job(session, job_id)
    assert job.status is JobStatus.DONE and job.progress_done == job.progress_total == 3
    assert job.started_at and job.finished_at
    download = clerk.get(f"/admin/customs/jobs/{job_id}/download")
    numbers = [r[0] for r in csv.reader(io.StringIO(download.data.decode("utf-8-sig")))][1:]
    download.close()
    assert sorted(numbers) == sorted(i.number for i in items)


def test_with_redis_a_failing_job_is_marked_failed(app, session, clerk, folders, redis_queue, monkeypatch):
    def broken(session, job, progress):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.KINDS, "customs.declaration_export", jobs.Kind("customs.declaration_export", broken))
    job_id = _export(clerk)
    _work(app, redis_queue)
    job = _job(session, job_id)
    assert job.status is JobStatus.FAILED and job.error == "RuntimeError"


def test_with_redis_a_rolled_back_request_queues_nothing(app, session, folders, redis_queue):
    with app.test_request_context():
        jobs.submit(session, "customs.inbox_import", {}, user_id=None)
        session.rollback()
    assert len(redis_queue) == 0


def test_with_redis_tasks_go_to_the_queue_and_the_worker_runs_them(app, session, folders, redis_queue):
    session.add(Job(id="a" * 32, kind="customs.inbox_import", params={}, status=JobStatus.DONE,
                    created_at=utcnow() - timedelta(days=30)))
    session.flush()
    jobs.enqueue("jobs.purge")
    assert len(redis_queue) == 1 and session.get(Job, "a" * 32) is not None
    _work(app, redis_queue)
    assert session.scalar(select(Job).where(Job.id == "a" * 32)) is None


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output
