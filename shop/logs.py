"""Logs: one line per request and the application's own records (loggers `shop.*`), with the request's id.

LOG_FORMAT "json" (the default in production) writes one JSON object per line; "text" (the default otherwise)
a short line for people. The request line carries the method, the path without its query string, the
endpoint, the status, the duration and the signed-in user's id: never names, e-mail addresses, phone or ID
numbers, addresses, query strings, form data or cookies. Code that logs must keep to the same rule.

The request id comes from the X-Request-ID header when it is a sane token (the proxy's, so that its log and
ours match), else it is made here; it goes back in the response's X-Request-ID header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Endpoints called every few seconds by load balancers: their request lines are logged at DEBUG only.
QUIET_ENDPOINTS = {"health.healthz"}

# The attributes every LogRecord has; anything else on a record came from `extra=` and is written out too.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_id() -> str | None:
    """The current request's id (taken from X-Request-ID or made on first use); None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def _extra(record: logging.LogRecord) -> dict:
    return {key: value for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id()
        if rid:
            entry["request_id"] = rid
        entry.update(_extra(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A short line for people: time, level, logger, request id, message (and the traceback below it)."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        rid = request_id()
        record.rid = f" [{rid}]" if rid else ""
        try:
            return super().format(record)
        finally:
            del record.rid


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and servers swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _log_format(app) -> str:
    configured = (app.config.get("LOG_FORMAT") or "").strip().lower()
    if configured:
        if configured not in {"json", "text"}:
            raise RuntimeError(f"LOG_FORMAT must be 'json' or 'text', not {configured!r}")
        return configured
    return "json" if app.config.get("ENV") == "production" else "text"


def configure(app) -> None:
    """One handler on the `shop` logger (the app's), in the configured format; Flask's own handler removed."""
    from flask.logging import default_handler

    logger = logging.getLogger("shop")
    logger.removeHandler(default_handler)
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)  # an earlier app's in this process
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if _log_format(app) == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(str(app.config.get("LOG_LEVEL") or "INFO").upper())


def _user_id() -> int | None:
    """The signed-in user's id, if this request already knows it (no query made for the log)."""
    user = g.get("_login_user")  # Flask-Login's user, once loaded
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    token = g.get("api_token")  # the API's bearer token, once looked up
    return token.user_id if token is not None else None


def _start_request():
    g.request_started = time.perf_counter()
    request_id()


def _log_request(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("request_started")
    fields = {
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": _user_id(),
    }
    level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
    logging.getLogger("shop.request").log(
        level, "%s %s %s %sms", fields["method"], fields["path"], fields["status"], fields["duration_ms"],
        extra=fields)
    return response


def init_app(app) -> None:
    """Configure the `shop` logger and log every request (register first, so that the line is written last)."""
    configure(app)
    app.before_request(_start_request)
    app.after_request(_log_request)
