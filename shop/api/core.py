"""The machinery of the JSON API: one decorator declares an operation — its route, who may call it, the shape
of its input and output — and the same declaration drives the OpenAPI document (shop/api/openapi.py).

Input is parsed with pydantic models (query string and JSON body); output is a pydantic model dumped to JSON.
Every error, whatever raised it, leaves as `application/problem+json` with a stable `code` and a message in the
language the client asks for (Accept-Language): see `problem`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any

from flask import Blueprint, current_app, g, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from shop.accounts.models import Role, User
from shop.api.models import ApiToken
from shop.db import db, utcnow
from shop.domain import DomainError

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PROBLEM_JSON = "application/problem+json"
TOKEN_PREFIX = "gb_"

# --- Types ----------------------------------------------------------------------------------------------

MONEY_PATTERN = r"^-?\d+\.\d{2}$"
Money = Annotated[
    Decimal,
    PlainSerializer(lambda amount: f"{amount:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["299.00"]}, mode="serialization"),
]
Rate = Annotated[
    Decimal,
    PlainSerializer(lambda rate: format(rate.normalize(), "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["0.13"]}, mode="serialization"),
]


class Schema(BaseModel):
    """Base of the API's models: unknown fields refused, so a typo is an error and not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    """Base of query-string models: unknown arguments are ignored, as browsers and proxies add their own."""

    model_config = ConfigDict(extra="ignore")


# --- Problems -------------------------------------------------------------------------------------------

# code -> (HTTP status, title). Titles are short and stable; `detail` says what happened this time.
PROBLEMS: dict[str, tuple[int, Any]] = {
    "validation_error": (422, _l("The request is not valid.")),
    "bad_request": (400, _l("Bad request")),
    "unauthorized": (401, _l("Sign in first: send a valid bearer token.")),
    "forbidden": (403, _l("Your account may not do this.")),
    "not_found": (404, _l("Not found")),
    "method_not_allowed": (405, _l("That method is not allowed here.")),
    "conflict": (409, _l("Conflict")),
    "payload_too_large": (413, _l("What you sent is too large.")),
    "unsupported_media_type": (415, _l("Send JSON (Content-Type: application/json).")),
    "rate_limited": (429, _l("Too many attempts in a short time. Please wait a minute and try again.")),
    "internal_error": (500, _l("Something went wrong on our side. Please try again in a moment.")),
    "payment_unavailable": (503, _l("Payments are not available just now. No money was taken.")),
    "invalid_credentials": (401, _l("The email address or password is not right.")),
    "email_taken": (409, _l("An account with this email address exists already.")),
    "single_order_limit_exceeded": (422, _l("Over the single-order limit")),
    "annual_limit_exceeded": (422, _l("Over the annual limit")),
    "invalid_id_number": (422, _l("The resident ID number is not valid.")),
    "out_of_stock": (409, _l("Not enough stock")),
    "not_for_sale": (422, _l("Not for sale")),
    "invalid_quantity": (422, _l("Quantity not allowed")),
    "empty_order": (422, _l("The order has no goods.")),
    "not_cancellable": (409, _l("The order can no longer be cancelled.")),
    "order_not_payable": (409, _l("The order cannot be paid.")),
    "payment_declined": (402, _l("The payment was declined.")),
    "stock_refused": (422, _l("The stock change was refused.")),
    "domain_error": (422, _l("The request was refused.")),
}


@dataclass
class FieldError:
    field: str
    message: str


class ApiError(Exception):
    """An error answered as problem+json: `code` from PROBLEMS, an optional detail and field errors."""

    def __init__(self, code: str, detail: Any = None, *, errors: list[FieldError] | None = None,
                 status: int | None = None, **extra):
        super().__init__(code)
        self.code = code
        self.status = status or PROBLEMS.get(code, (400, ""))[0]
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


def problem(code: str, detail: Any = None, *, status: int | None = None, errors: list[FieldError] | None = None,
            **extra):
    """The problem+json response for `code` (RFC 9457), in the client's language."""
    known_status, title = PROBLEMS.get(code, (status or 400, code))
    status = status or known_status
    body = {"type": f"https://globalbuy.example/problems/{code.replace('_', '-')}", "title": str(title),
            "status": status, "code": code, "detail": str(detail) if detail is not None else str(title)}
    if errors:
        body["errors"] = [{"field": e.field, "message": str(e.message)} for e in errors]
    body.update({key: value for key, value in extra.items() if value is not None})
    response = current_app.response_class(current_app.json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="globalbuy"'
    return response


def from_domain(error: DomainError):
    code = error.code if error.code in PROBLEMS else "domain_error"
    details = {k: v for k, v in error.details.items() if isinstance(v, str | int | float | Decimal | bool)}
    return problem(code, error.message, **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in details.items()})


def _validation_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    from flask_babel import gettext

    errors = []
    for item in exc.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        if kind == "missing":
            message = gettext("This field is required.")
        elif kind == "extra_forbidden":
            message = gettext("This field is not known.")
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            message = gettext("Enter a whole number.")
        elif kind in ("decimal_parsing", "decimal_type", "float_parsing"):
            message = gettext("Enter a number.")
        elif kind in ("string_type", "string_too_short", "string_too_long", "string_pattern_mismatch"):
            message = gettext("Enter a valid text of the right length.")
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            message = gettext("The number is out of range.")
        elif kind in ("literal_error", "enum"):
            message = gettext("Choose one of the allowed values.")
        else:
            message = gettext("This value is not valid.")
        errors.append(FieldError(prefix + location if location else prefix.rstrip(".") or "body", message))
    return errors


# --- Authentication -------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, days: int, name: str = "", now: datetime | None = None
                ) -> tuple[str, ApiToken]:
    """A new bearer token for `user`: the token (shown once) and its stored record."""
    now = now or utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, digest=_digest(token), name=name[:100], created_at=now,
                      expires_at=now + timedelta(days=days))
    session.add(record)
    session.flush()
    return token, record


def find_token(session: Session, token: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token record for `token` (None if unknown, expired or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token))
                            .options(joinedload(ApiToken.user)))
    now = now or utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now or not record.user.active:
        return None
    return record


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_token() -> ApiToken | None:
    """The request's token record, looked up once per request."""
    if "api_token" not in g:
        token = _bearer()
        g.api_token = find_token(db.session, token) if token else None
    return g.api_token


# --- Operations -----------------------------------------------------------------------------------------

SIGNED_INT_MAX = 2**31 - 1  # the largest id a database integer column holds
PUBLIC = None
OPTIONAL = "optional"  # anyone; a valid token adds what belongs to its user
SIGNED_IN = tuple(Role)


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI style: /products/{sku}
    endpoint: str
    summary: str
    tag: str
    auth: tuple[Role, ...] | str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: tuple[str, ...]
    path_params: dict[str, dict] = field(default_factory=dict)
    description: str = ""
    response_media: str = "application/json"
    limited: bool = False  # rate limited (may answer 429)
    request_media: dict[str, dict] | None = None  # a body the view reads itself: media type -> schema


OPERATIONS: list[Operation] = []


def _parse_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != "application/json":
        raise ApiError("unsupported_media_type")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("bad_request", _l("The body must be a JSON object."))
    if _has_nul(data):  # no text column can hold a NUL character
        raise ApiError("bad_request", _l("The body contains a NUL character."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError("validation_error", errors=_validation_errors(exc)) from None


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError("validation_error", errors=_validation_errors(exc)) from None


def operation(method: str, path: str, *, summary: str, tag: str, auth=PUBLIC, body=None, query=None,
              response=None, status: int = 200, errors: tuple[str, ...] = (), path_params: dict | None = None,
              description: str = "", response_media: str = "application/json", limit: Callable | None = None,
              request_media: dict[str, dict] | None = None):
    """Declare an API operation. The view gets `body`, `query` and `user` keyword arguments as declared and
    returns a pydantic model (dumped as JSON with `status`), a Flask response, or None (204).

    `request_media` documents a required body that is not JSON and that the view reads itself (an XML file:
    `{"application/xml": {"type": "string"}}`); `body` is for JSON bodies parsed into a model."""

    def decorator(fn):
        params = path_params or {}
        integers = {name for name, spec in params.items() if spec.get("type") == "integer"}

        @wraps(fn)
        def view(**kwargs):
            record = current_token() if auth is not PUBLIC else None
            if auth not in (PUBLIC, OPTIONAL):
                if record is None:
                    raise ApiError("unauthorized")
                if record.user.role not in auth:
                    raise ApiError("forbidden")
            if any(kwargs[name] > SIGNED_INT_MAX for name in integers):  # who may not call it learns nothing
                raise ApiError("not_found")
            if auth is not PUBLIC:
                kwargs["user"] = record.user if record else None
            if query is not None:
                kwargs["query"] = _parse_query(query)
            if body is not None:
                kwargs["body"] = _parse_body(body)
            result = fn(**kwargs)
            if result is None:
                return current_app.response_class(status=204)
            if isinstance(result, BaseModel):
                return current_app.response_class(result.model_dump_json(by_alias=True), status=status,
                                                  mimetype="application/json")
            return result

        if limit is not None:
            from shop.extensions import limiter

            view = limiter.limit(limit, methods=[method])(view)
        import re

        declared = set(re.findall(r"\{(\w+)\}", path))
        assert declared == set(params), f"{path}: describe every path parameter in path_params"
        rule = path
        for name in params:
            rule = rule.replace(f"{{{name}}}", f"<int:{name}>" if name in integers else f"<{name}>")
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        # What any request may meet before the view runs: a NUL character in the path or the query string
        # (shop.errors), input that does not fit, a body that is not JSON or too large, an id out of range.
        common = ("bad_request",) + (("validation_error",) if (body or query) else ())
        if body is not None or request_media:
            common += ("unsupported_media_type", "payload_too_large")
        if integers:
            common += ("not_found",)
        auth_errors = ("unauthorized", "forbidden") if auth not in (PUBLIC, OPTIONAL) else ()
        OPERATIONS.append(Operation(
            method=method.lower(), path=path, endpoint=fn.__name__, summary=summary, tag=tag, auth=auth, body=body,
            query=query, response=response, status=status, errors=tuple(dict.fromkeys(common + auth_errors + errors)),
            path_params=params, description=description or (fn.__doc__ or "").strip(),
            response_media=response_media, limited=limit is not None, request_media=request_media))
        return view

    return decorator


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return problem(exc.code, exc.detail, status=exc.status, errors=exc.errors, **exc.extra)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return from_domain(exc)


# Routing errors (an unknown path, a wrong method) and unexpected exceptions happen outside any view of this
# blueprint: shop.errors answers them, as problems when `wants_problem()`.
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
              422: "validation_error", 429: "rate_limited", 500: "internal_error"}


def wants_problem() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def http_problem(status: int):
    code = HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    response = problem(code, status=status)
    routing = request.routing_exception
    if status == 405 and getattr(routing, "valid_methods", None):  # RFC 9110: a 405 lists what is allowed
        response.headers["Allow"] = ", ".join(routing.valid_methods)
    return response
