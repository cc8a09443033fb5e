"""The OpenAPI 3.1 document, generated from the declared operations (shop/api/core.py `operation`).

Request and response bodies are pydantic models, whose JSON Schema (draft 2020-12) is what OpenAPI 3.1 uses;
they are collected under `components/schemas`. Every error is a Problem (RFC 9457) with a stable `code`.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shop.api.core import OPERATIONS, OPTIONAL, PROBLEMS, PUBLIC, Operation

REF = "#/components/schemas/{model}"

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "enum": sorted(PROBLEMS)},
        "detail": {"type": "string", "description": "what happened, in the language asked for"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": True,  # some problems add figures, e.g. how far over a limit
}


def _models() -> tuple[list[tuple[type[BaseModel], str]], dict]:
    used: list[tuple[type[BaseModel], str]] = []
    for op in OPERATIONS:
        if op.body is not None:
            used.append((op.body, "validation"))
        if isinstance(op.response, type) and issubclass(op.response, BaseModel):
            used.append((op.response, "serialization"))
    keys, schema = models_json_schema(list(dict.fromkeys(used)), ref_template=REF)
    return keys, schema.get("$defs", {})


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _statuses(op: Operation) -> dict[int, list[str]]:
    by_status: dict[int, list[str]] = {}
    for code in op.errors + ("internal_error",):
        by_status.setdefault(PROBLEMS[code][0], []).append(code)
    if op.limited and "rate_limited" not in op.errors:
        by_status.setdefault(429, []).append("rate_limited")
    return by_status


def _operation(op: Operation, keys) -> dict:
    doc: dict = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        doc["description"] = op.description
    params = [{"name": name, "in": "path", "required": True, "schema": spec} for name, spec in op.path_params.items()]
    if op.query is not None:
        params += _query_parameters(op.query)
    if params:
        doc["parameters"] = params
    if op.body is not None:
        ref = keys[(op.body, "validation")]
        doc["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}
    elif op.request_media:  # a body the view reads itself, e.g. an XML file
        doc["requestBody"] = {"required": True, "content": {
            media: {"schema": schema} for media, schema in op.request_media.items()}}
    responses: dict = {}
    if op.response is None:
        responses["204"] = {"description": "done"}
    elif isinstance(op.response, dict):  # a raw schema, e.g. an XML message
        responses[str(op.status)] = {"description": "OK", "content": {op.response_media: {"schema": op.response}}}
    else:
        ref = keys[(op.response, "serialization")]
        responses[str(op.status)] = {"description": "OK", "content": {"application/json": {"schema": ref}}}
    for status, codes in sorted(_statuses(op).items()):
        responses[str(status)] = {
            "description": ", ".join(codes),
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}
    doc["responses"] = responses
    if op.auth is PUBLIC:
        doc["security"] = []
    elif op.auth == OPTIONAL:
        doc["security"] = [{}, {"bearer": []}]
    else:
        doc["security"] = [{"bearer": []}]
        doc["x-roles"] = sorted(role.value for role in op.auth)
    return doc


@cache
def document() -> dict:
    """The whole OpenAPI document (built once per process: the operations are fixed at import)."""
    from shop.api.views import register_operations

    register_operations()  # cached from here on: it must not miss the operations of a module not imported yet
    keys, schemas = _models()
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, keys)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GlobalBuy 全球购 API",
            "version": "1.0.0",
            "description": (
                "The shop's JSON API for mobile apps, mini-programs and the hall's kiosks: the catalogue with "
                "cross-border tax, quotes under the customs limits, real-name orders paid through Stripe, and the "
                "staff's and customs clerks' work. Money is a string with two decimals, in CNY. Errors are "
                "application/problem+json with a stable `code`; their messages follow Accept-Language "
                "(zh-CN by default, en)."),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from POST /auth/token"}},
        },
    }
