"""The log formats: JSON lines and short text lines, with the request id inside a request."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from flask import Flask

from shop.logs import JsonFormatter, TextFormatter, _log_format, request_id


def _record(message="stock check: %d lots differ", *args, level=logging.WARNING, exc_info=None, **extra):
    record = logging.LogRecord("shop.inventory", level, __file__, 1, message, args or (3,), exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_line_outside_a_request():
    line = json.loads(JsonFormatter().format(_record()))
    assert line["level"] == "warning"
    assert line["logger"] == "shop.inventory"
    assert line["message"] == "stock check: 3 lots differ"
    assert line["time"].endswith("+00:00")
    assert "request_id" not in line and "exception" not in line


def test_json_line_holds_extra_fields_and_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(_record(exc_info=exc_info, status=500, path="/cart/")))
    assert line["status"] == 500 and line["path"] == "/cart/"
    assert line["exception"].startswith("Traceback") and "ValueError: boom" in line["exception"]
    assert "\n" not in JsonFormatter().format(_record(exc_info=exc_info))  # one line, whatever the traceback


def test_json_line_keeps_chinese_readable():
    assert "库存" in JsonFormatter().format(_record("库存 %s", "ok"))


def test_request_id_inside_a_request():
    app = Flask(__name__)
    with app.test_request_context("/", headers={"X-Request-ID": "edge-42"}):
        assert json.loads(JsonFormatter().format(_record()))["request_id"] == "edge-42"
        assert " [edge-42] " in TextFormatter().format(_record())
    with app.test_request_context("/", headers={"X-Request-ID": "not ok!"}):
        made = request_id()
        assert len(made) == 32 and made == request_id()  # made once per request
    assert request_id() is None


def test_text_line():
    text = TextFormatter().format(_record())
    assert text.endswith("WARNING shop.inventory stock check: 3 lots differ")


@pytest.mark.parametrize(("env", "configured", "expected"), [
    ("production", "", "json"), ("development", "", "text"), ("production", "text", "text"),
    ("development", "JSON", "json"),
])
def test_log_format_defaults(env, configured, expected):
    app = Flask(__name__)
    app.config.update(ENV=env, LOG_FORMAT=configured)
    assert _log_format(app) == expected


def test_unknown_log_format_is_refused():
    app = Flask(__name__)
    app.config.update(ENV="production", LOG_FORMAT="xml")
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        _log_format(app)
