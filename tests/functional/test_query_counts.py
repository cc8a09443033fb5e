"""The storefront pages issue a fixed number of SQL statements, however many products they show."""

from __future__ import annotations

from shop.catalog.models import ProductImage
from tests import factories


def _stocked_products(session, n: int, **kw):
    """n products, each with two photos and two lots (so lazy loads would show up as extra statements)."""
    products = []
    for i in range(n):
        p = factories.product(session, **kw)
        session.add_all([ProductImage(product=p, filename=f"{p.sku}-{i}-a.jpg", position=0),
                         ProductImage(product=p, filename=f"{p.sku}-{i}-b.jpg", position=1)])
        factories.lot(session, p, 20)
        factories.lot(session, p, 20)
        products.append(p)
    session.commit()
    return products


def _count(client, count_queries, url: str) -> int:
    client.get(url)  # warm up: the first request of a test may load lazily cached settings
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter.count


def test_listing_page_query_count_does_not_grow_with_the_page(client, session, count_queries):
    _stocked_products(session, 3)
    small = _count(client, count_queries, "/products")

    _stocked_products(session, 21)
    full = _count(client, count_queries, "/products")

    # category tree, brand facet, origin facet, the page of products, their photos
    assert small == full == 5


def test_search_with_filters_query_count_does_not_grow_with_the_page(client, session, count_queries):
    _stocked_products(session, 3, name_en="Milk")
    url = "/products?q=milk&origin=609&min_price=1&max_price=1000&in_stock=y&sort=price_asc"
    small = _count(client, count_queries, url)

    _stocked_products(session, 21, name_en="Milk")
    full = _count(client, count_queries, url)

    assert small == full == 5


def test_category_page_query_count_does_not_grow_with_the_page(client, session, count_queries):
    parent = factories.category(session, slug="food")
    child = factories.category(session, slug="formula", parent=parent)
    _stocked_products(session, 3, category=child)
    small = _count(client, count_queries, "/c/food")

    _stocked_products(session, 21, category=child)
    full = _count(client, count_queries, "/c/food")

    assert small == full == 5
    assert small == _count(client, count_queries, "/c/formula")


def test_home_query_count_does_not_grow_with_the_catalogue(client, session, count_queries):
    _stocked_products(session, 3, featured=True)
    small = _count(client, count_queries, "/")

    _stocked_products(session, 21, featured=True)
    full = _count(client, count_queries, "/")

    # category tree, featured goods and their photos, new arrivals and their photos
    assert small == full == 5


def test_product_page_query_count_does_not_grow_with_photos_lots_or_related_goods(client, session, count_queries):
    plain_cat = factories.category(session)
    plain, _sibling = _stocked_products(session, 2, category=plain_cat)
    small = _count(client, count_queries, f"/p/{plain.sku}")

    busy_cat = factories.category(session)
    busy = _stocked_products(session, 6, category=busy_cat)[0]
    session.add_all([ProductImage(product=busy, filename=f"extra-{i}.jpg", position=2 + i) for i in range(6)])
    for _ in range(4):
        factories.lot(session, busy, 5)
    session.commit()
    full = _count(client, count_queries, f"/p/{busy.sku}")

    # the product with brand and category, its photos, its lots, related goods, their photos
    assert small == full == 5
