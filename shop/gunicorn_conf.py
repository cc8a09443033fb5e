"""gunicorn settings for GlobalBuy, each overridable from the environment (see docs/DEPLOY.md).

Run: `gunicorn -c python:shop.gunicorn_conf shop.wsgi:app`, or `make serve`.
"""

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
# The app object is built in each worker after the fork: no database connection is shared between workers.
preload_app = False
proc_name = "globalbuy"
