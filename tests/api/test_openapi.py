"""The OpenAPI document: valid OpenAPI 3.1, complete (every route of the API is in it, every operation fully
described), served as JSON; and the human docs rendered from it."""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.core.result import Err

from shop.api.core import OPERATIONS, PROBLEMS
from shop.api.openapi import document
from shop.api.views import register_operations

register_operations()
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def refs(node, where="#"):
    """Every `$ref` in the document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from refs(value, f"{where}/{i}")


def resolve(doc, ref: str):
    assert ref.startswith("#/"), f"only local references: {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_it_is_served_as_json_and_is_the_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == json.loads(json.dumps(document()))


def test_schemathesis_loads_and_validates_it_against_the_openapi_31_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()  # the official OpenAPI 3.1 meta-schema; raises on the first violation
    loaded = list(schema.get_all_operations())
    errors = [result.err() for result in loaded if isinstance(result, Err)]
    assert not errors
    assert len(loaded) == sum(1 for _ in operations(document()))


def test_the_header_of_the_document():
    doc = document()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearer"]["description"]}


def test_every_reference_resolves():
    doc = document()
    found = list(refs(doc))
    assert found
    for where, ref in found:
        assert resolve(doc, ref) is not None, where


def test_every_component_is_a_valid_json_schema():
    for schema in document()["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises SchemaError, naming the keyword


@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, _ in operations(document())])
def test_every_operation_is_fully_described(path, method):
    doc = document()
    op = doc["paths"][path][method]
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", op["operationId"])
    assert op["summary"] and op["tags"]
    assert op["responses"], "no responses"
    for status, response in op["responses"].items():
        assert re.fullmatch(r"[1-5]\d\d", status), status
        assert response["description"], status
        for media, content in response.get("content", {}).items():
            assert "schema" in content, (status, media)
        if int(status) >= 400:
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, status
            codes = response["description"].split(", ")
            assert all(code in PROBLEMS and PROBLEMS[code][0] == int(status) for code in codes), (status, codes)
    assert any(int(status) < 400 for status in op["responses"]), "no success answer"
    assert "500" in op["responses"]
    if "requestBody" in op:
        assert op["requestBody"]["content"] and all("schema" in c for c in op["requestBody"]["content"].values())
        assert "415" in op["responses"] and "400" in op["responses"]
    # Who may call it, said both ways: `security` for tools, `x-roles` for people.
    security = op["security"]
    assert all(set(requirement) <= set(doc["components"]["securitySchemes"]) for requirement in security)
    if security and {} not in security:
        assert op["x-roles"] and {"401", "403"} <= set(op["responses"])
    else:
        assert "x-roles" not in op


@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, _ in operations(document())])
def test_every_path_parameter_is_declared(path, method):
    op = document()["paths"][path][method]
    in_template = set(re.findall(r"\{([^}]+)\}", path))
    declared = [p for p in op.get("parameters", []) if p["in"] == "path"]
    assert {p["name"] for p in declared} == in_template
    assert all(p["required"] is True and "schema" in p for p in declared)
    names = [(p["name"], p["in"]) for p in op.get("parameters", [])]
    assert len(names) == len(set(names)), "a parameter twice"


def test_operation_ids_are_unique():
    ids = [op["operationId"] for _, _, op in operations(document())]
    assert len(ids) == len(set(ids))


def test_the_problem_schema_lists_every_code():
    problem = document()["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"]["enum"] == sorted(PROBLEMS)
    assert set(problem["required"]) == {"type", "title", "status", "code", "detail"}


def test_every_route_of_the_api_is_in_the_document(app):
    """No undocumented endpoint: each URL rule of the blueprint (but the document and the docs) is an
    operation of the document, and each declared operation is routed."""
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in ("api.openapi_json", "api.docs", "api.static"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        routed |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, method, _ in operations(document())}
    assert routed == documented
    assert len(OPERATIONS) == len(documented)


# --- The human docs -------------------------------------------------------------------------------------


def test_the_docs_page_lists_every_operation_and_schema(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    doc = document()
    for path, _method, op in operations(doc):
        assert f"<code>{path}</code>" in html, path
        assert f'id="op-{op["operationId"]}"' in html, op["operationId"]
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html, name
    for code in PROBLEMS:
        assert f"<code>{code}</code>" in html, code
    # Every link to a schema has its target; nothing is fetched from elsewhere, nothing runs.
    targets = set(re.findall(r'id="([^"]+)"', html))
    assert {link for link in re.findall(r'href="#([^"]+)"', html)} <= targets
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "Authentication" in html and "Who may call it" in html


def test_the_docs_page_follows_accept_language(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)  # Chinese by default
    assert '<html lang="zh-CN">' in html
    assert '<html lang="en">' in client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
