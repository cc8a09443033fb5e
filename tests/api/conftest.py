"""Fixtures for the JSON API: a client that speaks JSON, bearer tokens per role, and a check that every
response matches the OpenAPI document."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from shop.accounts.models import Role
from shop.api.openapi import document
from tests import factories

PASSWORD = "correct horse"


class Api:
    """Calls /api/v1 through the test client and validates each answer against the OpenAPI document."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None
        self.language: str | None = None

    def call(self, method: str, path: str, *, json=None, token: str | None = None, lang: str | None = None,
             headers: dict | None = None, validate: bool = True, **kwargs):
        sent = dict(headers or {})
        token = token if token is not None else self.token
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if lang or self.language:
            sent["Accept-Language"] = lang or self.language
        response = self.client.open(f"/api/v1{path}", method=method, json=json, headers=sent, **kwargs)
        if validate:
            check_against_openapi(response, method, path)
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def sign_in(self, session, role: Role = Role.SHOPPER, **kw):
        """A new user with `role`; this client sends its token from now on. Returns the user."""
        user = factories.user(session, role=role, password=PASSWORD, **kw)
        session.commit()
        response = self.post("/auth/token", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201, response.json
        self.token = response.json["access_token"]
        return user


def _template_of(path: str, method: str) -> str | None:
    """The OpenAPI path template matching a concrete path (/products/GB-1 -> /products/{sku})."""
    path = path.split("?")[0]
    parts = path.strip("/").split("/")
    for template, operations in document()["paths"].items():
        if method.lower() not in operations:
            continue
        tparts = template.strip("/").split("/")
        if len(tparts) == len(parts) and all(t.startswith("{") or t == p for t, p in zip(tparts, parts, strict=True)):
            return template
    return None


def check_against_openapi(response, method: str, path: str) -> None:
    """The response's status, media type and body are what the document says for this operation."""
    doc = document()
    template = _template_of(path, method)
    if template is None:  # an unknown path: the answer must still be a problem
        assert response.mimetype == "application/problem+json", (path, response.data[:200])
        return
    declared = doc["paths"][template][method.lower()]["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method} {template}: {status} is not in the document ({sorted(declared)})"
    content = declared[status].get("content")
    if not content:
        assert not response.data, f"{method} {template}: {status} should have no body"
        return
    assert response.mimetype in content, f"{method} {template}: {response.mimetype} not in {list(content)}"
    schema = content[response.mimetype]["schema"]
    if response.mimetype.endswith("json"):
        registry = Registry().with_resource("urn:globalbuy:openapi", Resource.from_contents(
            doc, default_specification=__import__("referencing").jsonschema.DRAFT202012))
        wrapped = {"$ref": "urn:globalbuy:openapi#" + schema["$ref"][1:]} if "$ref" in schema else schema
        errors = sorted(Draft202012Validator(wrapped, registry=registry).iter_errors(response.json),
                        key=lambda e: list(e.path))
        assert not errors, f"{method} {template} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture
def api(client):
    return Api(client)
