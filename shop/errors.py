"""Error pages in the shopper's language."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from shop.db import db


def _messages():
    return {
        400: (_("Bad request"), _("Something in the request was not right. Please check and try again.")),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (_("Page not found"), _("We could not find that page. It may have moved or no longer exists.")),
        405: (_("Not allowed"), _("That action is not possible on this page.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many attempts"), _("Too many attempts in a short time. Please wait a minute and try again.")),
        500: (_("Something went wrong"), _("An error occurred on our side. Please try again in a moment.")),
    }


def render_error(code: int, description: str | None = None):
    title, text = _messages().get(code, _messages()[500])
    return render_template("errors/error.html", code=code, title=title, text=description or text), code


def _has_nul(data) -> bool:
    return any("\x00" in value for _, value in data.items(multi=True))


def register(app) -> None:
    @app.before_request
    def _refuse_nul_characters():
        # No text column can hold a NUL character (PostgreSQL refuses the query outright): a request that
        # carries one in its path, query or form is malformed, so it gets a 400 rather than a database error.
        if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
            abort(400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        from shop.api.core import http_problem, wants_problem

        db.session.rollback()
        if exc.code and exc.code < 400:
            return exc
        if wants_problem():
            return http_problem(exc.code or 500)
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise exc
        from shop.api.core import http_problem, wants_problem

        return http_problem(500) if wants_problem() else render_error(500)
