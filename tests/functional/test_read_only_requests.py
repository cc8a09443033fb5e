"""Storefront pages are marked read_only (shop/db.py): on SQLite their transactions read a snapshot instead of
queueing for the write lock, and on every database a write from one is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event

from shop import db as db_module
from shop.catalog.models import Category
from shop.db import ReadOnlyRequest, reading_only
from tests import factories

READ_ONLY = ["/", "/products", "/c/food", "/p/GB-MP-004", "/media/x.jpg"]
WRITING = ["/cart/", "/cart/add", "/checkout", "/account/login", "/admin/", "/api/v1/orders"]


@pytest.mark.parametrize("path", READ_ONLY)
def test_storefront_pages_are_read_only(app, path):
    with app.test_request_context(path):
        db_module._mark_read_only()
        assert reading_only()


@pytest.mark.parametrize("path", WRITING)
def test_pages_that_write_are_not(app, path):
    with app.test_request_context(path, method="POST" if path in ("/cart/add", "/api/v1/orders") else "GET"):
        db_module._mark_read_only()
        assert not reading_only()


def test_outside_a_request_nothing_is_read_only(app):
    with app.app_context():
        assert not reading_only()


def test_a_write_from_a_read_only_request_is_refused(app, session):
    with app.test_request_context("/products"):
        db_module._mark_read_only()
        session.add(Category(slug="sneaky", name_zh="偷写", name_en="Sneaky"))
        with pytest.raises(ReadOnlyRequest, match="catalog.listing"):
            session.flush()
        session.rollback()


def test_the_storefront_flow_never_writes(client, session):
    """Every marked page answers normally: none of them writes (the guard would turn it into a 500)."""
    food = factories.category(session, slug="food")
    product = factories.product(session, category=food)
    factories.lot(session, product, 5)
    session.commit()
    for path in ["/", "/products", "/products?q=milk", "/c/food", f"/p/{product.sku}"]:
        assert client.get(path).status_code == 200, path


def test_sqlite_begins_read_only_requests_deferred(app, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'begin.sqlite3'}")
    db_module._sqlite_transactions(engine, wal=True)
    begun: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cur, statement, *a: begun.append(statement))
    try:
        for path, expected in (("/products", "BEGIN"), ("/cart/", "BEGIN IMMEDIATE")):
            with app.test_request_context(path):
                db_module._mark_read_only()
                with engine.begin() as conn:
                    conn.exec_driver_sql("SELECT 1")
            assert begun[-2:] == [expected, "SELECT 1"], begun
    finally:
        engine.dispose()
