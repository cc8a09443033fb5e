"""/healthz for load balancers and monitoring: the database answers, and Redis when REDIS_URL is set.

200 with {"status": "ok", "checks": {...}} when every check passes; 503 naming the failing check otherwise.
The answer never carries an exception's text (it could name hosts and users); the log has it. No session,
no caching, no rate limit, no CSRF.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("health", __name__)
logger = logging.getLogger("shop.health")

REDIS_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    from shop.db import db

    db.session.execute(text("SELECT 1"))  # the request's own session: rolled back when the answer is a 503


def _redis_client(url: str):
    """One client per URL and app, so that its connection pool is reused between checks."""
    import redis

    clients = current_app.extensions.setdefault("health_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                            socket_timeout=REDIS_TIMEOUT_SECONDS)
    return clients[url]


def _redis() -> None:
    _redis_client(current_app.config["REDIS_URL"]).ping()


@bp.get("/healthz")
def healthz():
    checks = {}
    for name, check in (("database", _database), ("redis", _redis)):
        if name == "redis" and not current_app.config.get("REDIS_URL"):
            checks[name] = "not configured"
            continue
        try:
            check()
        except Exception as exc:  # whatever fails, the answer is the same: this check is down
            logger.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            checks[name] = "failed"
        else:
            checks[name] = "ok"
    healthy = all(result != "failed" for result in checks.values())
    response = jsonify({"status": "ok" if healthy else "failed", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    from shop.extensions import csrf, limiter

    csrf.exempt(bp)
    limiter.exempt(bp)
    app.register_blueprint(bp)
