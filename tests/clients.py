"""Test clients."""

from __future__ import annotations

from flask.testing import FlaskClient


class OwnContextClient(FlaskClient):
    """A test client whose every request runs in a fresh application context, as it does in production.

    The `session` fixture keeps an application context pushed for the whole test, and Flask reuses a pushed
    context for requests. Without a fresh one, `g` (where Flask-Login keeps the current user and Flask-Babel
    the chosen locale) would carry over from one request to the next, and so would another browser's sign-in.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)
