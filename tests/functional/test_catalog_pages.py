"""The storefront's catalogue pages: home, the listing with search, filters, sorting and pages, categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop import clock
from tests import factories
from tests.functional.helpers import add_to_cart, skus_on_page


def _section(html: str, start_id: str, end_marker: str | None = None) -> str:
    start = html.index(f'id="{start_id}"')
    end = html.index(end_marker, start) if end_marker else len(html)
    return html[start:end]


def _milk_powder(session, **kw):
    """新西兰全脂奶粉 by Anchor 安佳, from New Zealand (609)."""
    anchor = factories.brand(session, slug="anchor", name="Anchor", name_zh="安佳")
    return factories.product(session, name_zh="新西兰全脂奶粉", name_en="New Zealand whole milk powder",
                             brand=anchor, origin_code="609", **kw)


def _french_wine(session, **kw):
    chateau = factories.brand(session, slug="chateau-lune", name="Chateau Lune", name_zh="月亮酒庄")
    return factories.product(session, name_zh="法国红葡萄酒", name_en="French red wine", brand=chateau,
                             origin_code="305", hs_code="2204210000", **kw)


# --- home -------------------------------------------------------------------------------------------


def test_home_lists_top_level_categories(client, session):
    food = factories.category(session, slug="food", name_zh="食品", name_en="Food")
    factories.category(session, slug="wine", name_zh="酒类", name_en="Wine")
    factories.category(session, slug="formula", name_zh="婴儿奶粉", name_en="Infant formula", parent=food)

    html = client.get("/").text

    categories = _section(html, "cats", "</section>")
    assert 'href="/c/food"' in categories and "食品" in categories
    assert 'href="/c/wine"' in categories and "酒类" in categories
    assert 'href="/c/formula"' not in categories  # children are reached from their parent's page


def test_home_shows_featured_goods_in_their_own_section(client, session):
    star = factories.product(session, name_zh="精选奶粉", featured=True, price=Decimal("1234.00"))
    plain = factories.product(session, name_zh="普通奶粉")

    html = client.get("/").text

    featured = _section(html, "featured", "</section>")
    assert star.sku in featured and "精选奶粉" in featured and "¥1,234.00" in featured
    assert plain.sku not in featured
    assert plain.sku in _section(html, "newest", "</section>")


def test_home_without_featured_goods_has_no_featured_section(client, session):
    factories.product(session)

    html = client.get("/").text

    assert 'id="featured"' not in html
    assert 'id="newest"' in html


def test_home_is_in_chinese_by_default(client, session):
    assert '<html lang="zh-CN">' in client.get("/").text


# --- goods that are not on sale --------------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    sku: str
    name_zh: str
    category_slug: str
    brand_slug: str


@pytest.fixture
def hidden_goods(session) -> list[Hidden]:
    """An unpublished product and one that is not on the positive list, both in stock and featured."""
    unpublished = factories.product(session, name_zh="未上架奶粉", name_en="Unpublished powder",
                                    published=False, featured=True)
    off_list = factories.product(session, name_zh="非清单奶粉", name_en="Off-list powder",
                                 on_positive_list=False, featured=True)
    for p in (unpublished, off_list):
        factories.lot(session, p)
    session.commit()
    return [Hidden(p.sku, p.name_zh, p.category.slug, p.brand.slug) for p in (unpublished, off_list)]


def test_goods_not_on_sale_never_appear_on_home(client, session, hidden_goods):
    html = client.get("/").text
    for p in hidden_goods:
        assert p.sku not in html
        assert p.name_zh not in html


def test_goods_not_on_sale_never_appear_in_the_listing_or_search(client, session, hidden_goods):
    visible = factories.product(session, name_en="Visible powder")
    factories.lot(session, visible)
    for url in ("/products", "/products?q=powder", "/products?q=奶粉", "/products?in_stock=y"):
        html = client.get(url).text
        assert skus_on_page(html) == [visible.sku], url


def test_goods_not_on_sale_never_appear_on_their_category_page(client, session, hidden_goods):
    for p in hidden_goods:
        html = client.get(f"/c/{p.category_slug}").text
        assert skus_on_page(html) == []


def test_brands_with_nothing_on_sale_are_not_offered_as_a_filter(client, session, hidden_goods):
    html = client.get("/products").text
    for p in hidden_goods:
        assert f'value="{p.brand_slug}"' not in html


def test_goods_not_on_sale_have_no_product_page(client, session, hidden_goods):
    for p in hidden_goods:
        assert client.get(f"/p/{p.sku}").status_code == 404


def test_goods_not_on_sale_cannot_be_added_to_the_cart(english, session, hidden_goods):
    for p in hidden_goods:
        response = add_to_cart(english, p.sku, 1, next_path="/")
        assert response.status_code == 302
        assert "This product is not on sale." in english.get("/").text
    cart = english.get("/cart/").text
    assert "Your cart is empty." in cart


# --- categories -------------------------------------------------------------------------------------


def test_a_parent_category_shows_its_childrens_products(client, session):
    food = factories.category(session, slug="food", name_zh="食品", name_en="Food")
    formula = factories.category(session, slug="formula", name_zh="婴儿奶粉", name_en="Infant formula",
                                 parent=food)
    snacks = factories.category(session, slug="snacks", name_zh="零食", name_en="Snacks", parent=food)
    elsewhere = factories.category(session, slug="beauty", name_zh="美妆", name_en="Beauty")
    in_parent = factories.product(session, category=food)
    in_formula = factories.product(session, category=formula)
    in_snacks = factories.product(session, category=snacks)
    other = factories.product(session, category=elsewhere)

    html = client.get("/c/food").text

    assert sorted(skus_on_page(html)) == sorted([in_parent.sku, in_formula.sku, in_snacks.sku])
    assert other.sku not in html
    assert 'href="/c/formula"' in html and 'href="/c/snacks"' in html  # the subcategory links


def test_a_child_category_shows_only_its_own_products(client, session):
    food = factories.category(session, slug="food")
    formula = factories.category(session, slug="formula", parent=food)
    in_parent = factories.product(session, category=food)
    in_formula = factories.product(session, category=formula)

    html = client.get("/c/formula").text

    assert skus_on_page(html) == [in_formula.sku]
    assert in_parent.sku not in html
    assert 'href="/c/food"' in html  # breadcrumb back to the parent


def test_category_filter_on_the_listing_matches_the_category_page(client, session):
    food = factories.category(session, slug="food")
    formula = factories.category(session, slug="formula", parent=food)
    in_formula = factories.product(session, category=formula)
    factories.product(session)

    assert skus_on_page(client.get("/products?category=food").text) == [in_formula.sku]


def test_unknown_category_is_404(client, session):
    assert client.get("/c/no-such-category").status_code == 404
    assert client.get("/products?category=no-such-category").status_code == 404


# --- search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "奶粉", "全脂", "milk powder", "Milk", "WHOLE MILK", "Anchor", "anchor", "安佳", "新西兰", "new zealand",
    "New Zealand", "zealand 奶粉",
])
def test_search_finds_a_product_by_names_brand_and_origin_in_both_languages(client, session, query):
    milk = _milk_powder(session)
    _french_wine(session)

    html = client.get("/products", query_string={"q": query}).text

    assert skus_on_page(html) == [milk.sku]


@pytest.mark.parametrize("query", ["法国", "France", "月亮酒庄", "chateau lune", "red wine"])
def test_search_finds_the_wine_by_its_own_words(client, session, query):
    _milk_powder(session)
    wine = _french_wine(session)

    assert skus_on_page(client.get("/products", query_string={"q": query}).text) == [wine.sku]


def test_search_finds_a_product_by_its_sku(client, session):
    milk = _milk_powder(session)
    _french_wine(session)

    assert skus_on_page(client.get("/products", query_string={"q": milk.sku}).text) == [milk.sku]


def test_search_with_no_match_says_so(english, session):
    _milk_powder(session)

    html = english.get("/products?q=caviar").text

    assert skus_on_page(html) == []
    assert "No goods match your search." in html


def test_search_treats_percent_literally(client, session):
    juice = factories.product(session, name_en="Juice 100% pure")
    factories.product(session, name_en="Juice 1000 pure")
    factories.product(session, name_en="Juice pure")

    assert skus_on_page(client.get("/products", query_string={"q": "100%"}).text) == [juice.sku]
    assert skus_on_page(client.get("/products", query_string={"q": "%"}).text) == [juice.sku]


def test_search_treats_underscore_literally(client, session):
    snake = factories.product(session, name_en="Tea snake_case edition")
    factories.product(session, name_en="Tea snakeXcase edition")

    assert skus_on_page(client.get("/products", query_string={"q": "snake_case"}).text) == [snake.sku]
    assert skus_on_page(client.get("/products", query_string={"q": "_"}).text) == [snake.sku]


def test_search_keeps_the_query_in_the_search_boxes(client, session):
    html = client.get("/products", query_string={"q": "奶粉"}).text
    assert html.count('value="奶粉"') == 2  # the header's search box and the filter form's


@pytest.mark.parametrize("query", ["面膜", "蚕丝", "丝面", "膜", "KR-SILK", "silk mask", "sheet 面膜", "韩国"])
def test_search_finds_two_character_chinese_words_skus_and_mixed_queries(client, session, query):
    mask = factories.product(session, sku="KR-SILK", name_zh="蚕丝面膜", name_en="Silk sheet mask",
                             origin_code="133", hs_code="3304990099")
    _milk_powder(session)

    assert skus_on_page(client.get("/products", query_string={"q": query}).text) == [mask.sku]


@pytest.mark.parametrize("window", [1, 10_000], ids=["from the search index", "walking the listing"])
def test_search_results_page_like_the_listing(english, session, monkeypatch, window):
    from shop.catalog import services

    monkeypatch.setattr(services, "WINDOW", window)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    powders = [factories.product(session, name_zh=f"奶粉{i}", created_at=start + timedelta(minutes=i))
               for i in range(30)]
    factories.product(session, name_zh="面膜")
    newest_first = [p.sku for p in reversed(powders)]

    first = english.get("/products?q=奶粉").text
    second = english.get("/products?q=奶粉&page=2").text

    assert skus_on_page(first) == newest_first[:24]
    assert skus_on_page(second) == newest_first[24:]
    assert 'rel="next"' in first and 'rel="next"' not in second
    assert english.get("/products?q=奶粉&page=3").status_code == 404


def test_staff_changes_show_in_the_filters_and_categories_at_once(client, session):
    from shop.catalog import manage
    from tests.backoffice import wine_row

    _milk_powder(session)
    session.commit()
    html = client.get("/products").text  # the category tree and the filters are cached from here on
    assert 'value="chateau-x"' not in html and 'value="305"' not in html
    brand = factories.brand(session, slug="chateau-x", name="Chateau X", name_zh="X酒庄")
    category = factories.category(session, slug="red-wine")

    manage.save_product(session, wine_row(brand, category), actor_id=None)
    session.commit()

    html = client.get("/products").text
    assert 'value="chateau-x"' in html and '<option value="305" >法国</option>' in html
    assert client.get("/c/red-wine").status_code == 200


# --- filters ----------------------------------------------------------------------------------------


def test_origin_filter_takes_a_country_code(client, session):
    milk = _milk_powder(session)
    _french_wine(session)

    html = client.get("/products?origin=609").text

    assert skus_on_page(html) == [milk.sku]
    assert '<option value="609" selected>新西兰</option>' in html


def test_origin_filter_lists_countries_with_goods_on_sale(english, session):
    _milk_powder(session)
    _french_wine(session)

    html = english.get("/products").text

    assert '<option value="609" >New Zealand</option>' in html
    assert '<option value="305" >France</option>' in html
    assert 'value="502"' not in html  # nothing from the United States


def test_brand_filter_takes_a_brand_slug(client, session):
    _milk_powder(session)
    wine = _french_wine(session)

    assert skus_on_page(client.get("/products?brand=chateau-lune").text) == [wine.sku]


def test_unknown_brand_filter_finds_nothing(client, session):
    _milk_powder(session)

    response = client.get("/products?brand=no-such-brand")

    assert response.status_code == 200
    assert skus_on_page(response.text) == []


def test_price_filters_are_inclusive(client, session):
    cheap = factories.product(session, price=Decimal("99.99"))
    low = factories.product(session, price=Decimal("100.00"))
    high = factories.product(session, price=Decimal("200.00"))
    factories.product(session, price=Decimal("200.01"))

    html = client.get("/products?min_price=100&max_price=200&sort=price_asc").text

    assert skus_on_page(html) == [low.sku, high.sku]
    assert skus_on_page(client.get("/products?max_price=99.99").text) == [cheap.sku]


def test_in_stock_filter_ignores_expired_and_nearly_expired_lots(client, session):
    today = clock.today()
    fresh = factories.product(session, name_en="Fresh")
    factories.lot(session, fresh, 5, best_before=today + timedelta(days=31))
    expired = factories.product(session, name_en="Expired")
    factories.lot(session, expired, 50, best_before=today - timedelta(days=1))
    near = factories.product(session, name_en="Near expiry")
    factories.lot(session, near, 50, best_before=today + timedelta(days=30))  # NEAR_EXPIRY_DAYS = 30
    factories.product(session, name_en="Never stocked")

    html = client.get("/products?in_stock=y").text

    assert skus_on_page(html) == [fresh.sku]


def test_without_the_in_stock_filter_sold_out_goods_are_listed_as_sold_out(english, session):
    sold_out = factories.product(session)

    html = english.get("/products").text

    assert skus_on_page(html) == [sold_out.sku]
    assert "Sold out" in html


def test_filters_combine(client, session):
    milk = _milk_powder(session, price=Decimal("300.00"))
    factories.lot(session, milk)
    _french_wine(session, price=Decimal("300.00"))
    factories.product(session, origin_code="609", price=Decimal("900.00"))

    html = client.get("/products?q=milk&origin=609&brand=anchor&min_price=1&max_price=500&in_stock=y").text

    assert skus_on_page(html) == [milk.sku]


# --- sorting ----------------------------------------------------------------------------------------


@pytest.fixture
def three_products(session):
    """(oldest, middle, newest), priced 300, 50 and 120."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    oldest = factories.product(session, price=Decimal("300.00"), created_at=start)
    middle = factories.product(session, price=Decimal("50.00"), created_at=start + timedelta(days=1))
    newest = factories.product(session, price=Decimal("120.00"), created_at=start + timedelta(days=2))
    return oldest, middle, newest


def test_sort_newest_first_by_default(client, session, three_products):
    oldest, middle, newest = three_products
    expected = [newest.sku, middle.sku, oldest.sku]
    assert skus_on_page(client.get("/products").text) == expected
    assert skus_on_page(client.get("/products?sort=newest").text) == expected


def test_sort_by_price_ascending(client, session, three_products):
    oldest, middle, newest = three_products
    assert skus_on_page(client.get("/products?sort=price_asc").text) == [middle.sku, newest.sku, oldest.sku]


def test_sort_by_price_descending(client, session, three_products):
    oldest, middle, newest = three_products
    assert skus_on_page(client.get("/products?sort=price_desc").text) == [oldest.sku, newest.sku, middle.sku]


# --- pagination -------------------------------------------------------------------------------------


@pytest.fixture
def thirty_products(session):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    products = [factories.product(session, created_at=start + timedelta(minutes=i)) for i in range(30)]
    return list(reversed(products))  # newest first, as listed


def test_first_page_has_a_full_page_and_a_next_link(english, session, thirty_products):
    html = english.get("/products").text

    assert skus_on_page(html) == [p.sku for p in thirty_products[:24]]
    assert 'rel="next" href="/products?page=2"' in html
    assert 'rel="prev"' not in html


def test_second_page_has_the_rest_and_a_previous_link(english, session, thirty_products):
    html = english.get("/products?page=2").text

    assert skus_on_page(html) == [p.sku for p in thirty_products[24:]]
    assert 'rel="prev" href="/products?page=1"' in html
    assert 'rel="next"' not in html
    assert "Page 2" in html


def test_page_links_keep_the_filters(client, session, thirty_products):
    html = client.get("/products?sort=price_asc&min_price=1").text
    assert 'rel="next" href="/products?sort=price_asc&amp;min_price=1&amp;page=2"' in html


def test_page_links_on_a_category_page_keep_the_filters(client, session):
    food = factories.category(session, slug="food")
    for _ in range(25):
        factories.product(session, category=food)

    html = client.get("/c/food?sort=price_desc&q=奶粉").text

    assert 'rel="next" href="/c/food?sort=price_desc&amp;q=%E5%A5%B6%E7%B2%89&amp;page=2"' in html


@pytest.mark.parametrize("extra", ["slug=other", "endpoint=other", "_method=POST", "_external=1", "_anchor=x"])
def test_page_links_survive_query_arguments_named_like_url_building_options(client, session, extra):
    food = factories.category(session, slug="food")
    for _ in range(25):
        factories.product(session, category=food)

    response = client.get(f"/c/food?{extra}&page=2")

    assert response.status_code == 200
    assert f'rel="prev" href="/c/food?{extra}&amp;page=1"' in response.text


def test_a_page_past_the_end_is_404(client, session, thirty_products):
    assert client.get("/products?page=3").status_code == 404


def test_an_empty_catalogue_has_a_first_page(english, session):
    response = english.get("/products")
    assert response.status_code == 200
    assert "No goods match your search." in response.text


# --- bad input --------------------------------------------------------------------------------------

LONG_QUERY = "奶" * 101

BAD_INPUT = [
    # (query string, the field's message in English, what was typed and must still be on the page)
    ({"page": "abc", "q": "milk"}, "Not a valid integer value.", 'value="milk"'),
    ({"page": "0", "q": "milk"}, "Please choose a page between 1 and 1000.", 'value="milk"'),
    ({"page": "99999", "q": "milk"}, "Please choose a page between 1 and 1000.", 'value="milk"'),
    ({"q": LONG_QUERY}, "Please use at most 100 characters.", f'value="{LONG_QUERY}"'),
    ({"min_price": "-1"}, "Please enter a price of 0 or more.", 'value="-1"'),
    ({"min_price": "abc"}, "Not a valid decimal value.", 'value="abc"'),
    ({"max_price": "-5"}, "Please enter a price of 0 or more.", 'value="-5"'),
    ({"min_price": "200", "max_price": "100"}, "The maximum price must not be below the minimum price.",
     'value="100"'),
    ({"sort": "bogus", "q": "milk"}, "Not a valid choice.", 'value="milk"'),
    ({"origin": "XYZ", "q": "milk"}, "Please choose a country from the list.", 'value="milk"'),
]


@pytest.mark.parametrize(("args", "message", "kept"), BAD_INPUT)
def test_bad_listing_input_is_a_400_with_the_fields_message(english, session, args, message, kept):
    factories.product(session, name_en="Milk")

    response = english.get("/products", query_string=args)

    assert response.status_code == 400
    assert message in response.text
    assert kept in response.text
    assert "Please correct the filters below." in response.text
    assert skus_on_page(response.text) == []


@pytest.mark.parametrize(("args", "message", "kept"), BAD_INPUT)
def test_bad_listing_input_is_a_400_in_chinese_too(client, session, args, message, kept):
    response = client.get("/products", query_string=args)

    assert response.status_code == 400
    assert '<html lang="zh-CN">' in response.text
    assert kept in response.text
    assert "请更正下面的筛选条件。" in response.text
    assert message not in response.text  # the field's message is in Chinese too


def test_the_filter_form_as_a_browser_sends_it_with_empty_boxes(english, session):
    product = factories.product(session, name_en="Milk")
    factories.lot(session, product)
    args = {"q": "milk", "category": "", "origin": "", "brand": "", "min_price": "", "max_price": "",
            "in_stock": "y", "sort": "price_asc"}

    response = english.get("/products", query_string=args)

    assert response.status_code == 200
    assert skus_on_page(response.text) == [product.sku]


def test_an_unreadable_price_gets_one_message_and_keeps_the_text(english, session):
    response = english.get("/products", query_string={"min_price": "abc"})

    assert '<input id="min_price" inputmode="decimal" name="min_price" size="8" type="text" value="abc">' in response.text
    assert "Not a valid decimal value." in response.text
    assert "Please enter a price of 0 or more." not in response.text


@pytest.mark.parametrize(("args", "message", "kept"), BAD_INPUT[:3])
def test_bad_input_on_a_category_page_is_a_400(english, session, args, message, kept):
    factories.category(session, slug="food")

    response = english.get("/c/food", query_string=args)

    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "1e"])
def test_a_price_that_is_not_a_finite_number_is_a_400(english, session, value):
    response = english.get("/products", query_string={"min_price": value})

    assert response.status_code == 400
    assert "Not a valid decimal value." in response.text
    assert f'value="{value}"' in response.text


def test_a_huge_maximum_price_is_no_limit(client, session):
    p = factories.product(session, price=Decimal("12000.00"))

    response = client.get("/products", query_string={"max_price": "1e30"})

    assert response.status_code == 200
    assert skus_on_page(response.text) == [p.sku]
    assert 'value="1e30"' in response.text


def test_a_huge_minimum_price_finds_nothing(client, session):
    factories.product(session, price=Decimal("12000.00"))

    response = client.get("/products", query_string={"min_price": "99999999999999999999999999999999"})

    assert response.status_code == 200
    assert skus_on_page(response.text) == []


def test_a_search_query_is_escaped_everywhere_it_is_shown(client, session):
    response = client.get("/products", query_string={"q": '<script>alert(1)</script>"'})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in response.text


def test_both_bad_prices_keep_what_was_typed(english, session):
    html = english.get("/products?min_price=200&max_price=100").text
    assert 'value="200"' in html and 'value="100"' in html


# --- money ------------------------------------------------------------------------------------------


def test_prices_show_in_yuan_with_thousands_separators(client, session):
    factories.product(session, price=Decimal("1234.00"))
    factories.product(session, price=Decimal("12000.50"))

    html = client.get("/products").text

    assert "¥1,234.00" in html
    assert "¥12,000.50" in html
