"""`flask --app shop jobs ...`: the worker, the periodic scheduler, housekeeping."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from shop.db import db

# Periodic work that `jobs cron` puts on the queue: (task, seconds between runs).
PERIODIC = (("orders.expire_reservations", 60), ("jobs.purge", 3600))


@click.group("jobs", help="Background jobs (RQ on Redis when REDIS_URL is set).")
def jobs_group():
    pass


def _queue():
    from shop.jobs.queue import rq_queue, uses_queue

    if not uses_queue():
        raise click.ClickException("REDIS_URL is not set: without Redis, work runs inline and needs no worker")
    return rq_queue()


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued, then stop.")
@with_appcontext
def worker(burst: bool):
    """Run queued jobs (start one per core, on any number of machines)."""
    from rq import SimpleWorker

    queue = _queue()
    # A SimpleWorker runs each job in this process, inside the app context this command holds.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, logging_level="INFO")


@jobs_group.command("cron")
@with_appcontext
def cron():
    """Put the periodic work on the queue: reservation expiry every minute, old jobs purged hourly."""
    from rq.cron import CronScheduler

    from shop.jobs.queue import run_task

    queue = _queue()
    scheduler = CronScheduler(connection=queue.connection)
    for name, seconds in PERIODIC:
        scheduler.register(run_task, queue_name=queue.name, args=(name, {}), interval=seconds)
    scheduler.start()


@jobs_group.command("run")
@click.argument("name", type=click.Choice([name for name, _ in PERIODIC]))
@with_appcontext
def run(name: str):
    """Run one periodic task now, in this process (what a systemd timer calls where there is no Redis)."""
    from shop.jobs.queue import TASKS, _load

    _load()
    result = TASKS[name]()
    db.session.commit()
    click.echo(f"{name}: done{'' if result is None else f' ({result})'}")


@jobs_group.command("status")
@with_appcontext
def status():
    """How many jobs wait on the queue, run, and failed."""
    queue = _queue()
    click.echo(f"queue {queue.name}: {len(queue)} waiting, {queue.started_job_registry.count} running, "
               f"{queue.failed_job_registry.count} failed; Redis {current_app.config['REDIS_URL'].split('@')[-1]}")
