"""The storefront pages issue a fixed number of SQL statements, at most five, however many products they show.

Counted as rendered, with the shared page cache (shop/catalog/pagecache.py) off: a page served from it issues
none (tests/functional/test_page_cache.py)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from shop.catalog.models import ProductImage
from shop.extensions import cache
from tests import factories

MAX_QUERIES = 5


@pytest.fixture(autouse=True)
def rendered_every_time(app, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_PAGE_CACHE_SECONDS", 0)


@pytest.fixture
def shelves(session):
    """A catalogue like the shop's: two top categories with children, several brands and origins."""
    food = factories.category(session, slug="food", name_zh="食品", name_en="Food")
    beauty = factories.category(session, slug="beauty", name_zh="美妆", name_en="Beauty")
    return {
        "food": food,
        "formula": factories.category(session, slug="formula", name_zh="婴儿奶粉", name_en="Formula", parent=food),
        "snacks": factories.category(session, slug="snacks", name_zh="零食", name_en="Snacks", parent=food),
        "masks": factories.category(session, slug="masks", name_zh="面膜", name_en="Masks", parent=beauty),
        "brands": [factories.brand(session, slug=f"brand-{i}", name=f"Brand {i}", name_zh=f"品牌{i}")
                   for i in range(4)],
    }


def _stock(session, shelves, n: int, **kw):
    """n products spread over the brands, origins and categories, each with two photos and two lots."""
    categories = [shelves["formula"], shelves["snacks"], shelves["masks"]]
    products = []
    for i in range(n):
        values = dict(brand=shelves["brands"][i % 4], category=categories[i % 3],
                      origin_code=("609", "304", "116")[i % 3], name_zh=f"新西兰全脂奶粉{i}",
                      name_en=f"Whole milk powder {i}")
        p = factories.product(session, **{**values, **kw})
        session.add_all([ProductImage(product=p, filename=f"{p.sku}-a.jpg", position=0),
                         ProductImage(product=p, filename=f"{p.sku}-b.jpg", position=1)])
        factories.lot(session, p, 20)
        factories.lot(session, p, 20)
        products.append(p)
    session.commit()
    return products


def _count(client, count_queries, url: str, *, cold: bool = False) -> int:
    client.get(url)  # warm up: the first request of a test may load lazily cached settings
    if cold:
        cache.clear()  # the category tree and the facets are read again
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter.count


PAGES = {
    "home": "/",
    "listing": "/products",
    "listing by price": "/products?sort=price_desc",
    "listing with filters": "/products?origin=609&brand=brand-0&min_price=1&max_price=1000&in_stock=y",
    "parent category": "/c/food",
    "child category": "/c/formula",
    "category by price": "/c/food?sort=price_asc",
    "search zh": "/products?q=" + quote("奶粉"),
    "search zh, one character": "/products?q=" + quote("奶"),
    "search en": "/products?q=milk",
    "search mixed": "/products?q=" + quote("whole 奶粉"),
    "search with filters": "/products?q=milk&origin=609&min_price=1&max_price=1000&in_stock=y&sort=price_asc",
    "search in a category": "/c/food?q=" + quote("全脂"),
    "search without matches": "/products?q=caviar",
}


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_catalogue_pages_issue_at_most_five_queries_however_large_the_catalogue(client, session, count_queries,
                                                                                 shelves, url):
    _stock(session, shelves, 3, featured=True)
    small = _count(client, count_queries, url)

    _stock(session, shelves, 30)
    full, cold = _count(client, count_queries, url), _count(client, count_queries, url, cold=True)

    assert small <= MAX_QUERIES and full <= MAX_QUERIES and cold <= MAX_QUERIES, (small, full, cold)


def test_listing_and_category_pages_issue_the_same_queries_at_any_size(client, session, count_queries, shelves):
    _stock(session, shelves, 3)
    small = [_count(client, count_queries, url) for url in ("/products", "/c/food", "/c/formula")]

    _stock(session, shelves, 60)
    full = [_count(client, count_queries, url) for url in ("/products", "/c/food", "/c/formula")]

    # The listing: its products with their brands and photos. A category first finds its products' ids: among
    # the newest products, then (when they hold too few, as in the small catalogue) through its index.
    assert small == [1, 3, 3]
    assert full == [1, 2, 3]


def test_home_query_count_does_not_grow_with_the_catalogue(client, session, count_queries, shelves):
    _stock(session, shelves, 3, featured=True)
    small = _count(client, count_queries, "/")

    _stock(session, shelves, 21, featured=True)
    full = _count(client, count_queries, "/")

    # featured goods, new arrivals (each with brands and photos); the category tree comes from the cache
    assert small == full == 2


def test_product_page_query_count_does_not_grow_with_photos_lots_or_related_goods(client, session, count_queries,
                                                                                  shelves):
    plain, _sibling = _stock(session, shelves, 2)
    small = _count(client, count_queries, f"/p/{plain.sku}")

    busy = _stock(session, shelves, 9)[0]
    session.add_all([ProductImage(product=busy, filename=f"extra-{i}.jpg", position=2 + i) for i in range(6)])
    for _ in range(4):
        factories.lot(session, busy, 5)
    session.commit()
    full = _count(client, count_queries, f"/p/{busy.sku}")

    # the product with brand, category and photos; its lots; related goods with brands and photos
    assert small == full == 3


def test_catalogue_pages_write_their_limits_and_offsets_into_the_sql(client, session, count_queries, shelves):
    """LIMIT 13, not LIMIT $1: with a parameter PostgreSQL's plan for the prepared statement guesses a tenth of
    the catalogue is wanted, and every request is planned again (shop.db.literal_int)."""
    product = _stock(session, shelves, 6, featured=True)[0]
    _stock(session, shelves, 30)  # a second page
    urls = [*PAGES.values(), "/products?page=2", f"/p/{product.sku}"]
    statements = []
    for url in urls:
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        statements += counter.statements

    sql = " ".join(statements)
    limits = re.findall(r"\bLIMIT\s+([^\s),]+)", sql)
    # SQLite's dialect adds "OFFSET ?" of its own after a subquery's limit; its planner makes no guess from it.
    offsets = re.findall(r"\bOFFSET\s+([^\s),]+)", sql) if session.get_bind().dialect.name == "postgresql" else []
    assert limits and all(re.fullmatch(r"-?\d+", value) for value in limits + offsets), sorted({*limits, *offsets})
