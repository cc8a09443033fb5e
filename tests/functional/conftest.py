"""Fixtures shared by the page tests."""

from __future__ import annotations

import pytest

from tests.clients import OwnContextClient


@pytest.fixture
def other_client(app, session):
    """Another browser: its own cookies, no shared state with `client`."""
    return OwnContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def english(client):
    """The client, switched to English (the shop answers in Simplified Chinese by default)."""
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302
    return client


@pytest.fixture
def stub_gateway(monkeypatch):
    """A stand-in for the Stripe gateway (tests.functional.checkout_helpers.StubGateway), for the views and services."""
    from shop.orders import views
    from shop.payments import gateway as gateway_module
    from tests.functional.checkout_helpers import StubGateway

    stub = StubGateway()
    monkeypatch.setattr(views, "gateway", lambda: stub)
    monkeypatch.setattr(gateway_module, "gateway", lambda: stub)
    return stub


@pytest.fixture
def outbox(app, monkeypatch):
    """E-mails sent during the test (Flask-Mailman's locmem backend keeps them in `mailman.outbox`)."""
    mailman = app.extensions["mailman"]
    # The backend is read into the extension's state when the app is created; switch both.
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "locmem")
    monkeypatch.setattr(mailman, "backend", "locmem")
    monkeypatch.setattr(mailman, "outbox", [], raising=False)
    return mailman.outbox
