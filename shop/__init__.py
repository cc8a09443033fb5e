"""GlobalBuy 全球购: the storefront for bonded-zone import exhibition centres."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from shop import config as shop_config
from shop import headers, health, logs, production

PROJECT_ROOT = shop_config.PROJECT_ROOT


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, CLI commands."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(shop_config.INSTANCE_DIR),
    )
    app.config.update(shop_config.from_environment())
    if config:
        app.config.update(config)
    production.check(app.config)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)

    logs.init_app(app)  # first: its request line is written after every other hook has run
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errors(app)
    register_template_helpers(app)
    register_commands(app)
    headers.init_app(app)
    health.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from shop.accounts.models import User
    from shop.db import db
    from shop.extensions import babel, cache, csrf, limiter, login_manager, mail
    from shop.i18n import select_locale

    db.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    cache.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to continue.")

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def register_blueprints(app: Flask) -> None:
    from shop.accounts.views import bp as accounts_bp
    from shop.admin.views import bp as admin_bp
    from shop.admin.views import register_pages
    from shop.api.views import init_app as init_api
    from shop.cart.views import bp as cart_bp
    from shop.catalog.views import bp as catalog_bp
    from shop.i18n import bp as i18n_bp
    from shop.orders.views import bp as orders_bp
    from shop.payments.views import bp as payments_bp

    register_pages()
    for bp in (catalog_bp, accounts_bp, cart_bp, i18n_bp, orders_bp, payments_bp, admin_bp):
        app.register_blueprint(bp)
    init_api(app)


def register_request_hooks(app: Flask) -> None:
    from shop.db import db

    @app.after_request
    def _commit(response):
        # The one commit point of a request: its work lands only when the answer is a success.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def register_errors(app: Flask) -> None:
    from shop.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from shop.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from shop.commands import register

    register(app)
