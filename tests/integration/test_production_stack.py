"""The production stack's wiring: Redis behind caches and rate limits, a replica behind reports, gunicorn."""

from __future__ import annotations

import pytest

from shop import config as shop_config
from shop import create_app
from shop.db import db
from tests.redisutil import REDIS_TEST_URL, empty_redis


@pytest.fixture
def redis():
    connection = empty_redis()
    yield connection
    connection.flushdb()


def test_redis_url_puts_caches_and_rate_limits_in_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    settings = shop_config.from_environment()
    assert settings["CACHE_TYPE"] == "RedisCache" and settings["CACHE_REDIS_URL"] == "redis://cache.internal:6379/2"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    monkeypatch.delenv("REDIS_URL")
    settings = shop_config.from_environment()
    assert settings["CACHE_TYPE"] == "SimpleCache" and settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_cached_values_and_rate_limits_are_shared_through_redis(tmp_path, redis):
    from shop.extensions import cache, limiter

    def app():
        return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                           "MEDIA_ROOT": str(tmp_path / "media"), "REDIS_URL": REDIS_TEST_URL,
                           "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_TEST_URL,
                           "RATELIMIT_STORAGE_URI": REDIS_TEST_URL, "SECRET_KEY": "x" * 40})

    one, two = app(), app()  # two app servers
    with one.app_context():
        cache.set("shared", {"n": 1})
    with two.app_context():
        assert cache.get("shared") == {"n": 1}
    assert any(key.startswith(b"globalbuy:cache:") for key in redis.scan_iter("globalbuy:*"))
    with one.app_context():
        assert limiter.storage.check() and type(limiter.storage).__name__ == "RedisStorage"


def test_heavy_reports_read_from_the_replica_when_one_is_configured(tmp_path):
    primary, replica = f"sqlite:///{tmp_path / 'primary.sqlite3'}", f"sqlite:///{tmp_path / 'replica.sqlite3'}"
    base = {"TESTING": True, "DATABASE_URL": primary, "MEDIA_ROOT": str(tmp_path / "media"), "SECRET_KEY": "x" * 40}
    app = create_app({**base, "DATABASE_REPLICA_URL": replica})
    with app.test_request_context():
        assert str(db.reports.get_bind().url) == replica
        with db.read_session() as reader:
            assert str(reader.get_bind().url) == replica
        assert str(db.session.get_bind().url) == primary
    app.extensions["db_read_engine"].dispose()
    app.extensions["db_engine"].dispose()

    app = create_app(base)
    with app.test_request_context():
        assert db.reports is db.session
        with db.read_session() as reader:  # on SQLite: a reader that does not take the write lock
            assert str(reader.get_bind().url) == primary
            assert reader.get_bind() is not db.engine
    app.extensions["db_read_engine"].dispose()
    app.extensions["db_engine"].dispose()


def test_gunicorn_takes_its_worker_count_from_the_cores(monkeypatch):
    import importlib
    import multiprocessing

    import shop.gunicorn_conf as conf

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert importlib.reload(conf).workers == multiprocessing.cpu_count() * 2 + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert importlib.reload(conf).workers == 3 and conf.accesslog is None and conf.preload_app is True
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    assert importlib.reload(conf).preload_app is False


def test_a_forked_worker_starts_with_empty_database_pools(database_url):
    from types import SimpleNamespace

    from sqlalchemy import create_engine

    import shop.gunicorn_conf as conf

    engine = create_engine(database_url)
    with engine.connect() as conn:
        inherited = conn.connection.dbapi_connection
    assert engine.pool.checkedin() == 1
    conf.forget_inherited_connections(SimpleNamespace(extensions={"db_engine": engine}))
    assert engine.pool.checkedin() == 0
    inherited.close()  # the parent's to close, after a real fork
    engine.dispose()


def test_the_master_compiles_every_template_before_the_workers_fork(app):
    import gc

    import shop.gunicorn_conf as conf

    templates = app.jinja_env.list_templates(extensions=("html", "txt", "xml"))
    try:
        conf.warm_up(app)
        assert gc.get_freeze_count() > 0  # the loaded app is out of the collector's sight
    finally:
        gc.unfreeze()
    assert "catalog/_listing.html" in templates and len(app.jinja_env.cache) >= len(templates)
