"""The API's security: bearer tokens (random, stored only as a digest, expiring, revocable, dead with their
user), roles, the sign-in rate limit, CORS for configured origins only, and no HTML ever under /api/: every
refusal is a problem+json with a stable code, in the language asked for."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import inspect, select, text

from shop import create_app
from shop.accounts.models import Role
from shop.api import core
from shop.api.core import SIGNED_INT_MAX, issue_token
from shop.api.models import ApiToken
from shop.api.openapi import document
from shop.db import utcnow
from shop.extensions import limiter
from tests import factories
from tests.api.conftest import PASSWORD

PROBLEM = "application/problem+json"
PO = Path(core.__file__).parents[1] / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def is_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json()
    assert body["code"] == code and body["status"] == status, body
    assert body["type"].endswith("/" + code.replace("_", "-"))
    assert body["title"] and body["detail"]


def token_for(session, role: Role = Role.SHOPPER, **kw) -> tuple[str, int]:
    """A new user with `role` and a token: the token and its record's id. (Each request of the test client ends
    its application context, which closes the session: records loaded before it are detached after it.)"""
    user = factories.user(session, role=role, password=PASSWORD, **kw)
    token, record = issue_token(session, user, days=30, name="test")
    session.commit()
    return token, record.id


# --- Tokens ---------------------------------------------------------------------------------------------


def test_tokens_are_random_with_at_least_32_bytes_from_the_system_generator(session, monkeypatch):
    asked = []
    real = core.secrets.token_urlsafe
    monkeypatch.setattr(core.secrets, "token_urlsafe", lambda n: asked.append(n) or real(n))
    user = factories.user(session)
    tokens = [issue_token(session, user, days=1)[0] for _ in range(20)]
    assert asked and min(asked) >= 32  # secrets: the operating system's CSPRNG
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert token.startswith(core.TOKEN_PREFIX)
        secret = token.removeprefix(core.TOKEN_PREFIX)
        assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) >= 32


def test_two_sign_ins_get_two_different_tokens(api, session):
    user = factories.user(session, password=PASSWORD)
    session.commit()
    first, second = (api.post("/auth/token", json={"email": user.email, "password": PASSWORD}).json["access_token"]
                     for _ in range(2))
    assert first != second


def test_only_the_sha256_digest_is_stored_and_the_token_is_nowhere_in_the_database(api, session):
    user = factories.user(session, password=PASSWORD)
    session.commit()
    token = api.post("/auth/token", json={"email": user.email, "password": PASSWORD, "client": "iPhone"}).json[
        "access_token"]
    api.get("/me", token=token)  # a use of it, too (audit, last-seen, …) must not write it down either
    record = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    secret = token.removeprefix(core.TOKEN_PREFIX)
    connection = session.connection()
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                as_text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                assert secret not in as_text, f"the token is stored in {table}"


def test_an_expired_token_is_refused(api, session):
    token, record_id = token_for(session)
    assert api.get("/me", token=token).status_code == 200
    session.get(ApiToken, record_id).expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = api.get("/me", token=token, lang="en")
    is_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_and_the_others_keep_working(api, session):
    token, record_id = token_for(session)
    other, _ = issue_token(session, session.get(ApiToken, record_id).user, days=30)
    session.commit()
    assert api.delete("/auth/token", token=token).status_code == 204
    is_problem(api.get("/me", token=token), 401, "unauthorized")
    is_problem(api.delete("/auth/token", token=token), 401, "unauthorized")
    assert session.get(ApiToken, record_id).revoked_at is not None
    assert api.get("/me", token=other).status_code == 200


def test_a_deactivated_users_token_stops_working(api, session):
    token, record_id = token_for(session)
    assert api.get("/me", token=token).status_code == 200
    user = session.get(ApiToken, record_id).user
    user.active = False
    email = user.email
    session.commit()
    is_problem(api.get("/me", token=token), 401, "unauthorized")
    sign_in = api.post("/auth/token", json={"email": email, "password": PASSWORD}, token="")
    is_problem(sign_in, 401, "invalid_credentials")


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-token", "Bearer gb_" + "x" * 43,
    "Bearer gb_" + "x" * 500, "bearer\tgb_x", "Token gb_x",
])
def test_a_malformed_or_unknown_token_is_unauthorized(api, header):
    response = api.get("/me", headers={"Authorization": header}, token="")
    is_problem(response, 401, "unauthorized")


# --- Roles ----------------------------------------------------------------------------------------------

ROLES = (Role.SHOPPER, Role.STAFF, Role.CLERK)


def _restricted():
    """(method, path, operation, role) for each role of ours an operation of the document does not allow."""
    for path, item in document()["paths"].items():
        for method, op in item.items():
            allowed = set(op.get("x-roles", [])) or None
            for role in ROLES:
                if allowed is not None and role.value not in allowed:
                    yield pytest.param(method, path, op, role, id=f"{role.value}-{method.upper()} {path}")


def _concrete(path: str, op: dict) -> str:
    """The path with a plausible value for each parameter (the role check comes before any lookup)."""
    params = {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p["in"] == "path"}

    def value(match):
        schema = params[match.group(1)]
        if schema.get("enum"):
            return str(schema["enum"][0])
        return "1" if schema.get("type") == "integer" else "X1"

    return re.sub(r"\{([^}]+)\}", value, path)


RESTRICTED = list(_restricted())


@pytest.mark.skipif(not RESTRICTED, reason="no operation of the document is restricted to some roles yet")
@pytest.mark.parametrize(("method", "path", "op", "role"), RESTRICTED)
def test_a_role_that_is_not_allowed_is_forbidden(api, session, method, path, op, role):
    token, _ = token_for(session, role)
    kwargs = {}
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        kwargs["json"] = {}
    elif content:
        media = next(iter(content))
        kwargs.update(data=b"<x/>", content_type=media)
    response = api.call(method.upper(), _concrete(path, op), token=token, lang="en", **kwargs)
    is_problem(response, 403, "forbidden")


def test_staff_and_clerk_only_operations_exist_for_the_role_check():
    """Once the back office's operations exist, the role check above has work: say so if it has none."""
    roles = {frozenset(op.get("x-roles", [])) for item in document()["paths"].values() for op in item.values()}
    if not any(role and "shopper" not in role for role in roles):
        pytest.skip("no staff-only or clerk-only operation in the document yet")
    assert any(param.values[3] is Role.SHOPPER for param in RESTRICTED)


@pytest.mark.parametrize(("method", "path", "op"), [
    pytest.param(m, p, op, id=f"{m.upper()} {p}") for p, item in document()["paths"].items() for m, op in item.items()
    if op.get("security") and {} not in op["security"]])
def test_every_operation_that_needs_a_token_refuses_none(api, method, path, op):
    response = api.call(method.upper(), _concrete(path, op), token="", json={} if "requestBody" in op else None)
    is_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="globalbuy"'


# --- Rate limit -----------------------------------------------------------------------------------------


def test_signing_in_is_rate_limited(api, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    email = factories.user(session, password=PASSWORD).email
    session.commit()
    for _ in range(3):
        wrong = api.post("/auth/token", json={"email": email, "password": "wrong"}, lang="en")
        is_problem(wrong, 401, "invalid_credentials")
    limited = api.post("/auth/token", json={"email": email, "password": PASSWORD}, lang="en")
    is_problem(limited, 429, "rate_limited")  # even with the right password now
    assert limited.json["title"] == "Too many attempts in a short time. Please wait a minute and try again."
    limiter.reset()
    assert api.post("/auth/token", json={"email": email, "password": PASSWORD}).status_code == 201


def test_registering_is_rate_limited(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "2 per minute")
    limiter.reset()
    for n in range(2):
        assert api.post("/auth/register", json={"name": "x", "email": f"r{n}@example.com", "password": "long enough"}
                        ).status_code == 201
    is_problem(api.post("/auth/register", json={"name": "x", "email": "r2@example.com", "password": "long enough"}),
               429, "rate_limited")


# --- CORS -----------------------------------------------------------------------------------------------

ORIGIN = "https://m.example.cn"


@pytest.fixture
def cors_app(database_url, session, tmp_path):
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
        "MEDIA_ROOT": str(tmp_path / "media"), "API_CORS_ORIGINS": [ORIGIN],
    })
    yield app
    app.extensions["db_engine"].dispose()
    limiter.reset()  # create_app gave the shared limiter a storage of its own


def test_cors_answers_the_configured_origin_only(cors_app):
    client = cors_app.test_client()
    preflight = client.options("/api/v1/products", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert preflight.headers.get("Access-Control-Allow-Origin") == ORIGIN
    assert "authorization" in preflight.headers.get("Access-Control-Allow-Headers", "").lower()
    get = client.get("/api/v1/products", headers={"Origin": ORIGIN})
    assert get.status_code == 200 and get.headers.get("Access-Control-Allow-Origin") == ORIGIN

    other = "https://evil.example.com"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/products", headers={"Origin": other}).headers
    assert "Access-Control-Allow-Origin" not in client.options("/api/v1/products", headers={
        "Origin": other, "Access-Control-Request-Method": "GET"}).headers


def test_cors_never_reaches_the_pages(cors_app):
    client = cors_app.test_client()
    for path in ("/", "/cart", "/static/css/shop.css", "/no-such-page"):
        for method in ("GET", "OPTIONS"):
            with client.open(path, method=method, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
                             ) as response:
                assert "Access-Control-Allow-Origin" not in response.headers, (method, path)


def test_without_configured_origins_there_is_no_cors_at_all(client):
    response = client.get("/api/v1/products", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


# --- Never HTML under /api/ -----------------------------------------------------------------------------


def test_an_unknown_path_is_a_problem(client):
    for path in ("/api/v1/nope", "/api/v1/products/x/y/z", "/api/nope", "/api", "/api/v2/products"):
        is_problem(client.get(path), 404, "not_found")


def test_a_wrong_method_is_a_problem_that_says_what_is_allowed(client):
    response = client.put("/api/v1/products")
    is_problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    is_problem(client.get("/api/v1/quote"), 405, "method_not_allowed")


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": b'{"items": [', "content_type": "application/json"}, 400, "bad_request"),  # malformed
    ({"data": b"\xff\xfe{}", "content_type": "application/json"}, 400, "bad_request"),  # not UTF-8
    ({"json": [{"sku": "A", "qty": 1}]}, 400, "bad_request"),  # an array, not an object
    ({"json": "items"}, 400, "bad_request"),
    ({"json": None}, 415, "unsupported_media_type"),  # no body at all
    ({"data": b"items=1", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ({"data": b'{"items": []}', "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ({"json": {"items": [{"sku": "A\u0000B", "qty": 1}]}}, 400, "bad_request"),  # a NUL in a string
    ({"json": {"items\u0000": []}}, 400, "bad_request"),  # … or in a key
    ({"json": {"items": [{"sku": "A", "qty": 10**400}]}}, 422, "validation_error"),  # a huge number
], ids=["malformed", "not-utf8", "array", "string", "no-body", "form", "text-plain", "nul-value", "nul-key", "huge"])
def test_a_bad_body_is_a_problem(api, kwargs, status, code):
    is_problem(api.call("POST", "/quote", **kwargs), status, code)


def test_a_body_over_the_limit_is_413(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = api.call("POST", "/quote", data=b'{"items": "' + b"x" * 2048 + b'"}', content_type="application/json")
    is_problem(response, 413, "payload_too_large")


def test_a_nul_character_in_the_path_or_query_is_a_problem(api, client):
    is_problem(client.get("/api/v1/products/A%00B"), 400, "bad_request")
    is_problem(client.get("/api/v1/products?q=%00"), 400, "bad_request")
    is_problem(client.get("/api/v1/nope%00"), 400, "bad_request")


def test_a_huge_or_negative_integer_in_the_path_is_not_found(api, session):
    api.sign_in(session)
    for number in (str(SIGNED_INT_MAX + 1), "9" * 40, "-1", "0x10", "1.5"):
        response = api.delete(f"/me/identities/{number}", lang="en")
        is_problem(response, 404, "not_found")
    assert api.delete(f"/me/identities/{SIGNED_INT_MAX}").status_code == 404  # in range, no such record


def test_an_over_long_path_segment_is_not_found(client):
    is_problem(client.get("/api/v1/products/" + "X" * 5000), 404, "not_found")


# --- Languages ------------------------------------------------------------------------------------------


def _translations() -> dict[str, str]:
    with PO.open("rb") as po:
        catalog = read_po(po)
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.string and not m.fuzzy}


@pytest.mark.parametrize(("request_args", "code", "english"), [
    ({"method": "GET", "path": "/api/v1/nope"}, "not_found", "Not found"),
    ({"method": "PUT", "path": "/api/v1/products"}, "method_not_allowed", "That method is not allowed here."),
    ({"method": "GET", "path": "/api/v1/me"}, "unauthorized", "Sign in first: send a valid bearer token."),
    ({"method": "POST", "path": "/api/v1/quote", "json": [1]}, "bad_request", "The body must be a JSON object."),
    ({"method": "POST", "path": "/api/v1/quote", "data": "x", "content_type": "text/plain"},
     "unsupported_media_type", "Send JSON (Content-Type: application/json)."),
], ids=["not_found", "method_not_allowed", "unauthorized", "bad_request", "unsupported_media_type"])
def test_messages_follow_accept_language(client, request_args, code, english):
    args = dict(request_args)
    method, path = args.pop("method"), args.pop("path")
    for language in ("en", "en-US,en;q=0.9"):
        body = client.open(path, method=method, headers={"Accept-Language": language}, **args).get_json()
        assert body["code"] == code and english in (body["title"], body["detail"]), body
    chinese = _translations().get(english)
    default = client.open(path, method=method, **args).get_json()  # no Accept-Language: the shop's Chinese
    assert default["code"] == code
    if chinese is None:
        pytest.skip(f"no Chinese translation of {english!r} in messages.po yet")
    assert chinese in (default["title"], default["detail"]), default
    asked = client.open(path, method=method, headers={"Accept-Language": "zh-CN"}, **args).get_json()
    assert chinese in (asked["title"], asked["detail"])


def test_field_errors_follow_accept_language(api):
    english = api.post("/quote", json={}, lang="en").json
    assert english["errors"] == [{"field": "items", "message": "This field is required."}]
    chinese = _translations().get("This field is required.")
    if chinese:
        assert api.post("/quote", json={}).json["errors"][0]["message"] == chinese


def test_the_chinese_of_not_found_is_the_one_the_po_file_has(client):
    assert _translations()["Not found"] == client.get("/api/v1/nope").get_json()["title"]

