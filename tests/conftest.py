"""Shared fixtures: one migrated database per run, each test inside a transaction that is rolled back."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import event

from shop import create_app, settings
from shop.db import db
from shop.extensions import cache, limiter
from shop.migrate import alembic_config
from tests.clients import OwnContextClient
from tests.dbutil import fresh_database
from tests.localstripe import localstripe, localstripe_server  # noqa: F401  (fixtures for every test directory)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db"), "main") as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "CUSTOMS_OUTBOX": str(tmp_path_factory.mktemp("outbox")),
        "CUSTOMS_INBOX": str(tmp_path_factory.mktemp("inbox")),
        "CUSTOMS_KEYS_DIR": str(tmp_path_factory.mktemp("customs-keys")),
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
    })
    yield app
    db.session.remove()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def session(app):
    """The app's session, bound to one connection whose transaction is rolled back after the test."""
    db.session.remove()
    connection = app.extensions["db_engine"].connect()
    transaction = connection.begin()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    limiter.reset()
    settings._cache.clear()  # saved settings of an earlier (rolled-back) test must not linger
    with app.app_context():
        cache.clear()  # cached catalogue data of an earlier (rolled-back) test must not linger
        yield db.session
    db.session.remove()
    transaction.rollback()
    connection.close()
    db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")


@pytest.fixture
def client(app, session):
    return OwnContextClient(app, app.response_class, use_cookies=True)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app, session):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        # Run-time settings are read once per process every few seconds, not per page: load them first.
        settings._overrides()
        engine = app.extensions["db_engine"]
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
