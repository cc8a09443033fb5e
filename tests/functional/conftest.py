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
