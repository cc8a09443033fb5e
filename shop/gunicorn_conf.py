"""gunicorn settings for GlobalBuy, each overridable from the environment (see docs/DEPLOY.md).

Run: `gunicorn -c python:shop.gunicorn_conf shop.wsgi:app`, or `make serve`.
"""

import gc
import multiprocessing
import os

# Behind nginx on the same machine: loopback. A load balancer on another machine: 0.0.0.0:8000.
bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
# Sync workers: two per core plus one, the usual figure for work that waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The app writes one structured line per request itself (shop/logs.py); gunicorn's own access log is off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "globalbuy"
# The app is built once, in the master, and each worker is a fork of it: a replaced worker starts in
# milliseconds instead of importing the shop again (about a second of CPU, which at a few thousand requests a
# second would be spent every few seconds). No connection is shared: each worker drops the pools it inherited.
# A new release therefore needs a restart of the service (a HUP reloads the settings, not the code).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}


def when_ready(server):
    if preload_app:
        warm_up(server.app.wsgi())


def warm_up(app) -> None:
    """In the master, before the first worker forks: compile every template once, so that a new worker (one that
    replaces a worker after GUNICORN_MAX_REQUESTS requests) serves its first pages at full speed instead of
    compiling them again (nor reading the customs code tables); then take the loaded app out of the garbage
    collector's sight (gc.freeze), so that collections in the workers stay short and the memory they share with
    the master stays shared."""
    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        app.jinja_env.get_template(name)
    if app.import_name == "shop":
        from shop.accounts import divisions
        from shop.customs import codes

        codes.hs_codes(), codes.positive_list(), codes.countries(), codes.units(), divisions.district("110101")
    gc.freeze()


def post_fork(server, worker):
    if preload_app:
        forget_inherited_connections(worker.app.wsgi())  # the app the master loaded


def forget_inherited_connections(app) -> None:
    """In a forked worker: the database pools start empty, leaving the parent's connections to the parent."""
    for name in ("db_engine", "db_read_engine"):
        engine = getattr(app, "extensions", {}).get(name)
        if engine is not None:
            engine.dispose(close=False)

