"""Fixtures for the service-level tests. (localstripe's fixtures come from tests/localstripe.py, for every folder.)"""

from __future__ import annotations

import pytest


@pytest.fixture
def in_request(app, session):
    """A request context around the test, as the services always have in the shop.

    The services raise DomainErrors with lazily translated messages, which are rendered when raised; the
    locale selector (shop.i18n.select_locale) reads the request's cookies, so it needs a request.
    English, so that the tests can read the messages.
    """
    with app.test_request_context("/", headers={"Cookie": "locale=en"}):  # messages in English
        yield
