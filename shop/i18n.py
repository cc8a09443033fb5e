"""Language choice: Simplified Chinese by default, English one click away and remembered."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_login import current_user

from shop.db import db
from shop.urls import safe_next

bp = Blueprint("i18n", __name__)

LOCALE_COOKIE = "locale"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a background job: the shop's default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # API clients say what they want; no cookies, no accounts' choice
        return request.accept_languages.best_match(languages) or _api_language(languages)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get(LOCALE_COOKIE) or request.cookies.get(LOCALE_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _api_language(languages) -> str:
    """Accept-Language `en-US` or `zh` matches our `en` / `zh_CN` by its language alone."""
    for value, _quality in request.accept_languages:
        primary = value.replace("_", "-").split("-")[0].lower()
        for code in languages:
            if code.split("_")[0].lower() == primary:
                return code
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/lang/<code>")
def switch(code: str):
    """Switch language and go back to the page the shopper was on."""
    languages = current_app.config["LANGUAGES"]
    target = safe_next(request.args.get("next"))
    response = redirect(target)
    if code in languages:
        session[LOCALE_COOKIE] = code
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.flush()
    return response
