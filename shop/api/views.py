"""The API blueprint's pages: the OpenAPI document and its human-readable docs; the operations' modules."""

from __future__ import annotations

from flask import current_app, render_template

from shop.api.core import bp, operation


def register_operations() -> None:
    """Import the modules whose operations hang off the blueprint."""
    from shop.api import accounts, catalog, customs, orders, staff  # noqa: F401


@bp.get("/openapi.json")
def openapi_json():
    from shop.api.openapi import document

    return current_app.json.response(document())


@bp.get("/docs")
def docs():
    """Human docs, rendered on the server from the OpenAPI document (no script, nothing from a CDN)."""
    from shop.api.openapi import document

    return render_template("api/docs.html", doc=document())


def init_app(app) -> None:
    """Register the blueprint: bearer tokens instead of cookies (so no CSRF), CORS for configured origins."""
    from flask_cors import CORS

    from shop.extensions import csrf

    register_operations()
    csrf.exempt(bp)
    app.register_blueprint(bp)
    origins = app.config.get("API_CORS_ORIGINS") or []
    if origins:
        CORS(app, resources={r"/api/v1/.*": {"origins": origins}}, allow_headers=["Authorization", "Content-Type",
             "Accept-Language"], expose_headers=["Retry-After", "X-Request-ID"], max_age=600)


__all__ = ["bp", "init_app", "operation"]
