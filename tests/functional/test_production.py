"""Safe in production: the refusal to start with development settings, security headers, request logs, /healthz."""

from __future__ import annotations

import io
import json
import logging

import pytest
from cryptography.fernet import Fernet

from shop import create_app
from shop.config import DEV_SECRET_KEY
from shop.headers import content_security_policy
from shop.logs import JsonFormatter
from tests import factories
from tests.functional.helpers import sign_in

# Settings a production deployment could run with (create_app does not connect to the database).
PRODUCTION = {
    "ENV": "production",
    "DEBUG": False,
    "TESTING": False,
    "SECRET_KEY": "5pB0n1i7Yq0w3Kp2c9Xr8Zt6Vb4Nm1Lk7Jh5Gf3Ds",
    "DATA_KEY": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgresql+psycopg://globalbuy@db.internal/globalbuy",
    "SESSION_COOKIE_SECURE": True,
    "STRIPE_SECRET_KEY": "sk_live_globalbuy_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_globalbuy_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_globalbuy_example",
    "STRIPE_API_BASE": "https://api.stripe.com",
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
    "MAIL_BACKEND": "smtp",
    "SHOP_BASE_URL": "https://shop.example.com",
    "SQL_ECHO": False,
    "REDIS_URL": "",
}


@pytest.fixture(autouse=True)
def _keep_shop_logger():
    """Apps made here reconfigure the `shop` logger: put it back as it was."""
    logger = logging.getLogger("shop")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def production_app(tmp_path):
    def make(**overrides):
        app = create_app({**PRODUCTION, "MEDIA_ROOT": str(tmp_path / "media"), **overrides})
        made.append(app)
        return app

    made = []
    yield make
    for app in made:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def log_lines():
    """The JSON lines the `shop` loggers write during the test (INFO and up), parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("shop")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.text = stream.getvalue
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def _request_lines(lines) -> list[dict]:
    return [line for line in lines() if line["logger"] == "shop.request"]


# --- refusing to start ------------------------------------------------------------------------------


@pytest.mark.parametrize(("override", "reason"), [
    ({"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY is the development key"),
    ({"SECRET_KEY": "short-but-not-the-dev-key"}, "SECRET_KEY is shorter than 32 characters"),
    ({"DEBUG": True}, "debug mode is on"),
    ({"TESTING": True}, "TESTING is on"),
    ({"DATA_KEY": ""}, "DATA_KEY is not set"),
    ({"DATA_KEY": "not-a-fernet-key"}, "DATA_KEY is not a Fernet key"),
    ({"DATABASE_URL": "sqlite:////srv/globalbuy/globalbuy.sqlite3"}, "DATABASE_URL is SQLite"),
    ({"SQL_ECHO": True}, "SQL_ECHO is on"),
    ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
    ({"STRIPE_API_BASE": "http://127.0.0.1:8420"}, "STRIPE_API_BASE is 'http://127.0.0.1:8420'"),
    ({"STRIPE_API_BASE": "http://localstripe:8420"}, "STRIPE_API_BASE is 'http://localstripe:8420'"),
    ({"STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/"}, "STRIPE_JS_URL is"),
    ({"STRIPE_SECRET_KEY": "sk_test_globalbuy_local"}, "STRIPE_SECRET_KEY is not set"),
    ({"STRIPE_PUBLISHABLE_KEY": "pk_test_globalbuy_local"}, "STRIPE_PUBLISHABLE_KEY is not set"),
    ({"STRIPE_WEBHOOK_SECRET": "whsec_globalbuy_local"}, "STRIPE_WEBHOOK_SECRET is not set"),
    ({"MAIL_BACKEND": "console"}, "MAIL_BACKEND is 'console'"),
    ({"MAIL_BACKEND": "flask_mailman.backends.console.EmailBackend"}, "MAIL_BACKEND is"),
    ({"MAIL_BACKEND": "locmem"}, "MAIL_BACKEND is 'locmem'"),
    ({"SHOP_BASE_URL": "http://127.0.0.1:5000"}, "SHOP_BASE_URL is"),
])
def test_production_refuses_each_unsafe_setting(production_app, override, reason):
    with pytest.raises(RuntimeError) as raised:
        production_app(**override)
    message = str(raised.value)
    assert message.startswith("GlobalBuy refuses to start in production:")
    assert reason in message
    assert message.count("\n- ") == 1  # only this problem


def test_production_lists_every_problem_at_once(production_app):
    with pytest.raises(RuntimeError) as raised:
        production_app(SECRET_KEY=DEV_SECRET_KEY, DEBUG=True, DATA_KEY="", DATABASE_URL="sqlite:///x.sqlite3",
                       SESSION_COOKIE_SECURE=False, STRIPE_API_BASE="http://127.0.0.1:8420",
                       STRIPE_SECRET_KEY="sk_test_globalbuy_local", MAIL_BACKEND="console")
    message = str(raised.value)
    for reason in ("SECRET_KEY is the development key", "debug mode is on", "DATA_KEY is not set",
                   "DATABASE_URL is SQLite", "SESSION_COOKIE_SECURE is off", "STRIPE_API_BASE is",
                   "STRIPE_SECRET_KEY is not set", "MAIL_BACKEND is 'console'"):
        assert reason in message
    assert message.count("\n- ") == 8


def test_production_starts_with_safe_settings(production_app):
    app = production_app()
    assert app.config["ENV"] == "production"
    assert not app.debug


def test_development_is_not_checked(app):
    assert app.config["ENV"] == "development"
    assert app.config["SECRET_KEY"] == "test-secret"  # far too short for production, fine here


def test_production_logs_json_behind_the_proxy_with_hsts(production_app, capsys):
    app = production_app(PROXY_FIX_HOPS=1)
    client = app.test_client()
    response = client.get("/static/img/logo.svg?utm=mail",
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                                   "X-Request-ID": "lb-7f3a"})
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self' https://js.stripe.com" in response.headers["Content-Security-Policy"]
    response.close()
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["request_id"] == "lb-7f3a"
    assert line["path"] == "/static/img/logo.svg"
    assert line["status"] == 200
    assert "utm" not in json.dumps(line)


# --- security headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/openapi.json", "/api/v1/docs", "/no-such-page",
                                  "/api/v1/no-such-thing"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_served_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/api/v1/docs", "/account/login"):
        html = client.get(path).get_data(as_text=True)
        assert "<style" not in html and " style=" not in html, path
        assert "<script>" not in html, path


def test_policy_allows_stripe_js_and_its_frames():
    csp = content_security_policy("https://js.stripe.com/v3/", "https://api.stripe.com")
    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com;" in csp
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;" in csp
    assert "connect-src 'self' https://api.stripe.com;" in csp


def test_policy_with_localstripe_allows_only_its_origin():
    csp = content_security_policy("http://127.0.0.1:8420/js.stripe.com/v3/", "http://127.0.0.1:8420")
    assert "script-src 'self' http://127.0.0.1:8420;" in csp
    assert "connect-src 'self' http://127.0.0.1:8420;" in csp
    assert "stripe.com;" not in csp and "stripe.com " not in csp


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    # Without PROXY_FIX_HOPS the forwarded headers are not trusted: anyone could send them.
    assert "Strict-Transport-Security" not in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.fixture
def proxied_app(app, tmp_path):
    """The test app's settings behind one trusted proxy."""
    behind = create_app({**{key: app.config[key] for key in (
        "TESTING", "DATABASE_URL", "CUSTOMS_OUTBOX", "CUSTOMS_INBOX", "CUSTOMS_KEYS_DIR", "SECRET_KEY")},
        "MEDIA_ROOT": str(tmp_path / "media"), "WTF_CSRF_ENABLED": False, "PROXY_FIX_HOPS": 1})
    yield behind
    behind.extensions["db_engine"].dispose()


def test_hsts_behind_a_trusted_proxy(proxied_app):
    client = proxied_app.test_client()
    secure = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/healthz", headers={"X-Forwarded-Proto": "http"}).headers


# --- request ids and logs ---------------------------------------------------------------------------


def test_request_id_is_echoed_when_sane(client, log_lines):
    response = client.get("/", headers={"X-Request-ID": "nginx-5f2c.01_a"})
    assert response.headers["X-Request-ID"] == "nginx-5f2c.01_a"
    assert _request_lines(log_lines)[-1]["request_id"] == "nginx-5f2c.01_a"


@pytest.mark.parametrize("incoming", [None, "", "x" * 65, "has space", "semi;colon", "<script>", "ünïcode"])
def test_request_id_is_made_when_missing_or_odd(client, log_lines, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = client.get("/", headers=headers)
    made = response.headers["X-Request-ID"]
    assert made != incoming and len(made) == 32 and all(c in "0123456789abcdef" for c in made)
    assert _request_lines(log_lines)[-1]["request_id"] == made


def test_each_request_gets_its_own_id(client):
    assert client.get("/").headers["X-Request-ID"] != client.get("/").headers["X-Request-ID"]


def test_request_line_fields(client, log_lines):
    client.get("/products?q=wang.fang%40example.com&page=2")
    line = _request_lines(log_lines)[-1]
    assert line["level"] == "info"
    assert line["method"] == "GET"
    assert line["path"] == "/products"
    assert line["status"] in (200, 404)
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] is None
    assert {"time", "message", "endpoint", "request_id"} <= set(line)
    text = log_lines.text()
    assert "q=" not in text and "wang.fang" not in text and "page=2" not in text


def test_logs_hold_no_personal_data(client, session, log_lines):
    user = factories.user(session, name="王芳", email="wang.fang@example.com", password="a secret passphrase")
    session.commit()
    assert sign_in(client, "wang.fang@example.com", "a secret passphrase").status_code == 302
    client.get("/account/")
    client.post("/account/login", data={"email": "wang.fang@example.com", "password": "wrong guess"})
    text = log_lines.text()
    for personal in ("wang.fang", "example.com", "王芳", "secret passphrase", "wrong guess", "session="):
        assert personal not in text
    account = [line for line in _request_lines(log_lines) if line["path"] == "/account/"][-1]
    assert account["user_id"] == user.id
    assert account["status"] == 200


def test_api_request_line_names_the_token_user(client, session, log_lines):
    user = factories.user(session, email="api.user@example.com")
    session.commit()
    token = client.post("/api/v1/auth/token", json={"email": "api.user@example.com", "password": "correct horse"})
    assert token.status_code in (200, 201)
    bearer = token.json["access_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 200
    line = [line for line in _request_lines(log_lines) if line["path"] == "/api/v1/me"][-1]
    assert line["user_id"] == user.id
    assert "api.user" not in log_lines.text() and bearer not in log_lines.text()


def test_application_records_carry_the_request_id(client, log_lines):
    response = client.post("/payments/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=bad",
                                                                              "X-Request-ID": "hook-1"})
    assert response.status_code == 400
    warning = [line for line in log_lines() if line["logger"] == "shop"][-1]
    assert warning["level"] == "warning"
    assert warning["message"] == "webhook with a bad signature refused"
    assert warning["request_id"] == "hook-1"


# --- /healthz ---------------------------------------------------------------------------------------


def test_healthz_ok(client, caplog):
    with caplog.at_level(logging.DEBUG, logger="shop"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    lines = [r for r in caplog.records if r.name == "shop.request" and r.path == "/healthz"]
    assert [r.levelno for r in lines] == [logging.DEBUG]  # not at INFO: load balancers call it all the time


def test_healthz_with_redis(client, app, monkeypatch):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_unreachable_redis(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "failed", "checks": {"database": "ok", "redis": "failed"}}
    assert "hunter2" not in response.get_data(as_text=True) and "127.0.0.1" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_broken_database(tmp_path):
    # An app of its own, without the `session` fixture (which binds every session to the test database).
    broken = create_app({"TESTING": True, "MEDIA_ROOT": str(tmp_path / "media"),
                         "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'globalbuy.sqlite3'}"})
    response = broken.test_client().get("/healthz")
    broken.extensions["db_engine"].dispose()
    assert response.status_code == 503
    assert response.json == {"status": "failed", "checks": {"database": "failed", "redis": "not configured"}}
    assert "sqlite" not in response.get_data(as_text=True)
