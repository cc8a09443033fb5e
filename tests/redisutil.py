"""A Redis for the tests that need one: its own database, emptied; skipped where none runs (never in CI)."""

from __future__ import annotations

import os

import pytest

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def empty_redis():
    """A connection to the test database, emptied; the test is skipped when no Redis answers (outside CI)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except RedisDown:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_TEST_URL} (CI always has one)")
    connection.flushdb()
    return connection
