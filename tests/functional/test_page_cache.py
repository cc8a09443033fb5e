"""The home page and the listings are rendered once and shared for a few seconds (shop/catalog/pagecache.py):
served from the cache without a query, per language and query string, the header still each visitor's own,
never an error page, and a new generation as soon as staff change the catalogue."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from shop.accounts.models import Role
from shop.catalog import manage
from shop.catalog.models import Product
from shop.catalog.services import catalogue_changed
from shop.inventory.models import Lot
from tests import factories
from tests.backoffice import png_bytes, signed_in
from tests.functional.helpers import skus_on_page

PAGES = ["/", "/products", "/products?q=" + quote("奶粉"), "/products?q=milk&sort=price_asc", "/c/formula"]


@pytest.fixture
def shelf(session):
    food = factories.category(session, slug="food", name_zh="食品", name_en="Food")
    formula = factories.category(session, slug="formula", name_zh="婴儿奶粉", name_en="Formula", parent=food)
    products = [factories.product(session, category=formula, name_zh=f"全脂奶粉{i}", name_en=f"Milk powder {i}",
                                  featured=True) for i in range(3)]
    lots = [factories.lot(session, product, 20) for product in products]
    session.commit()
    return products, lots


def _body(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_again_is_served_from_the_cache_without_a_query(client, session, count_queries, shelf,
                                                                          url):
    first = client.get(url)
    with count_queries() as counter:
        again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert counter.count == 0, counter.statements
    assert _body(again.text) == _body(first.text)
    assert skus_on_page(again.text) == skus_on_page(first.text) != []


def test_each_language_and_query_string_has_its_own_page(client, session, shelf):
    zh = client.get("/products").text
    client.get("/lang/en?next=/")
    en = client.get("/products").text
    assert "全部商品" in zh and "All goods" in en and "All goods" not in _body(zh)
    assert '<option selected value="price_asc">' in client.get("/products?sort=price_asc").text
    assert '<option selected value="price_asc">' not in client.get("/products").text
    # A repeated argument: the form reads its first value, so the order of the values makes another page.
    assert '<option selected value="price_desc">' in client.get("/products?sort=price_desc&sort=newest").text
    assert '<option selected value="price_desc">' not in client.get("/products?sort=newest&sort=price_desc").text
    assert "Results for “Milk powder 1”" in client.get("/products?q=Milk+powder+1").text
    assert "Results for “Milk powder 2”" in client.get("/products?q=Milk+powder+2").text


def test_the_header_stays_each_visitors_own(client, other_client, session, shelf):
    other_client.get("/lang/en?next=/")
    client.get("/lang/en?next=/")
    client.get("/products")  # cached by an anonymous visitor
    signed_in(session, other_client, Role.SHOPPER, name="Wang Fang")
    page = other_client.get("/products").text
    assert "My orders" in page and "Sign out" in page and "Sign in" not in page
    assert "Sign in" in client.get("/products").text


def test_a_staff_change_shows_at_once(client, session, shelf):
    assert "全脂奶粉0" in client.get("/products").text
    session.get(Product, shelf[0][0].id).name_zh = "有机全脂奶粉"  # the request closed the test's session
    catalogue_changed(session)
    session.commit()
    page = client.get("/products").text
    assert "有机全脂奶粉" in page and "全脂奶粉0<" not in page
    assert "有机全脂奶粉" in client.get("/").text


def test_a_new_photo_shows_at_once(app, client, session, shelf):
    product = shelf[0][0]
    assert "no-image.svg" in client.get(f"/products?q={product.sku}").text
    product = session.get(Product, product.id)
    image = manage.add_image(session, product, png_bytes(), media_root=app.config["MEDIA_ROOT"], actor_id=None)
    session.commit()
    assert image.filename in client.get(f"/products?q={product.sku}").text


def test_stock_changes_show_once_the_page_expires(app, client, session, shelf, monkeypatch):
    """Orders do not start a new generation: a card's stock state may be as old as the cache's seconds."""
    assert "仅剩" not in client.get("/c/formula").text
    session.get(Lot, shelf[1][0].id).on_hand = 3
    session.commit()
    assert "仅剩" not in client.get("/c/formula").text  # still the shared page
    monkeypatch.setitem(app.config, "CATALOGUE_PAGE_CACHE_SECONDS", 0)
    assert "仅剩 3 件" in client.get("/c/formula").text


def test_error_pages_are_never_kept(client, session, shelf, count_queries):
    for _ in range(2):
        bad = client.get("/products?min_price=abc")
        assert bad.status_code == 400 and "请更正下面的筛选条件" in bad.text
    assert client.get("/c/no-such-category").status_code == 404
    assert client.get("/products?page=99").status_code == 404
    with count_queries() as counter:
        assert client.get("/products?page=99").status_code == 404
    assert counter.count > 0  # looked up again, not answered from a cached page


def test_nothing_is_kept_when_the_cache_is_off(app, client, session, shelf, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_PAGE_CACHE_SECONDS", 0)
    client.get("/products")
    with count_queries() as counter:
        client.get("/products")
    assert counter.count > 0
