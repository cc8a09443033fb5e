"""Browser journeys: the shop served on a loopback port with the demo data, driven by Playwright.

Playwright drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser of its own.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from werkzeug.serving import make_server

from shop import create_app
from shop.db import db
from shop.migrate import alembic_config
from tests.dbutil import fresh_database
from tests.localstripe import LocalStripe, point_app_at, running_localstripe

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium as root in a container, with no network beyond loopback: no sandbox, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    stripe: LocalStripe | None = None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The shop with its demo data, served from a thread on 127.0.0.1 at a free port.

    It has a localstripe of its own (the browser loads the Stripe.js stand-in from it), whose webhook posts to
    this server, and keeps the e-mails it sends in `app.extensions["mailman"].outbox`.
    """
    from shop import seed

    tmp = tmp_path_factory.mktemp("e2e")
    with fresh_database(tmp, "e2e") as url, running_localstripe() as stripe_base:
        command.upgrade(alembic_config(url), "head")
        app = create_app({"DATABASE_URL": url, "MEDIA_ROOT": str(tmp / "media"), "SECRET_KEY": "e2e-secret",
                          "LOGIN_RATE_LIMIT": "1000 per minute", "MAIL_BACKEND": "locmem",
                          "CUSTOMS_OUTBOX": str(tmp / "outbox"), "CUSTOMS_INBOX": str(tmp / "inbox"),
                          "CUSTOMS_KEYS_DIR": str(tmp / "customs-keys")})
        stripe = LocalStripe(stripe_base)
        point_app_at(app, stripe)  # STRIPE_API_BASE, keys, STRIPE_JS_URL and STRIPE_WEBHOOK_SECRET
        with app.app_context():
            seed.seed_demo(db.session, media_root=app.config["MEDIA_ROOT"])
            db.session.commit()
            db.session.remove()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns failures
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        live_url = f"http://127.0.0.1:{server.server_port}"
        stripe.register_webhook("globalbuy", f"{live_url}/payments/stripe/webhook", stripe.webhook_secret)
        try:
            yield LiveServer(url=live_url, app=app, stripe=stripe)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
