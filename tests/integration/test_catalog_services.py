"""The catalogue services against a real database: listing, product pages, facets, the category tree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shop.catalog import services
from shop.catalog.models import ProductImage
from shop.catalog.services import Criteria
from shop.domain import NotFound
from tests import factories

TODAY = date(2026, 6, 1)
NEAR = 30


def _list(session, criteria: Criteria | None = None, *, page: int = 1, page_size: int = 24):
    return services.list_products(session, criteria or Criteria(), page=page, page_size=page_size, today=TODAY,
                                  near_expiry_days=NEAR)


def _skus(listing) -> list[str]:
    return [p.sku for p, _ in listing.items]


# --- search text ------------------------------------------------------------------------------------


def test_search_text_holds_both_names_brand_sku_and_origin_in_lower_case(session):
    anchor = factories.brand(session, name="Anchor", name_zh="安佳")
    p = factories.product(session, sku="NZ-MILK-1", name_zh="新西兰全脂奶粉", name_en="New Zealand Whole Milk Powder",
                          brand=anchor, origin_code="609")

    text = services.search_text_for(p, anchor)

    for part in ("nz-milk-1", "新西兰全脂奶粉", "new zealand whole milk powder", "anchor", "安佳", "新西兰"):
        assert part in text
    assert text == text.lower()


def test_search_text_of_an_unknown_origin_code_has_no_country(session):
    b = factories.brand(session, name="B", name_zh="乙")
    p = factories.product(session, brand=b, origin_code="000", name_en="Thing", name_zh="东西")

    assert services.search_text_for(p, b) == f"{p.sku.lower()} 东西 thing b 乙"


# --- list_products ----------------------------------------------------------------------------------


def test_lists_only_published_positive_list_products(session):
    on_sale = factories.product(session)
    factories.product(session, published=False)
    factories.product(session, on_positive_list=False)

    assert _skus(_list(session)) == [on_sale.sku]


def test_reports_sellable_units_per_product(session):
    p = factories.product(session)
    factories.lot(session, p, 7, best_before=TODAY + timedelta(days=NEAR + 1))
    factories.lot(session, p, 5, best_before=TODAY + timedelta(days=200))
    factories.lot(session, p, 50, best_before=TODAY + timedelta(days=NEAR))  # too close to its date
    factories.lot(session, p, 50, best_before=TODAY - timedelta(days=1))  # expired
    unstocked = factories.product(session)

    stock = {prod.sku: qty for prod, qty in _list(session).items}

    assert stock == {p.sku: 12, unstocked.sku: 0}


def test_a_lot_with_nothing_left_does_not_count(session):
    p = factories.product(session)
    lot = factories.lot(session, p, 5)
    lot.on_hand = 0
    session.flush()

    assert _list(session, Criteria(in_stock=True)).items == []


def test_search_terms_must_all_match(session):
    milk = factories.product(session, name_en="Whole milk powder", origin_code="609")
    factories.product(session, name_en="Skimmed milk powder", origin_code="116")

    assert _skus(_list(session, Criteria(query="milk new zealand"))) == [milk.sku]
    assert _skus(_list(session, Criteria(query="MILK   Zealand"))) == [milk.sku]


def test_search_escapes_like_wildcards_and_backslashes(session):
    percent = factories.product(session, name_en="Tea 50% off")
    underscore = factories.product(session, name_en="Tea a_b")
    backslash = factories.product(session, name_en="Tea c\\d")
    factories.product(session, name_en="Tea 50x off axb cd")

    assert _skus(_list(session, Criteria(query="50%"))) == [percent.sku]
    assert _skus(_list(session, Criteria(query="a_b"))) == [underscore.sku]
    assert _skus(_list(session, Criteria(query="c\\d"))) == [backslash.sku]


def test_filters_by_category_ids_origin_brand_and_price(session):
    cat = factories.category(session)
    brand = factories.brand(session)
    wanted = factories.product(session, category=cat, brand=brand, origin_code="609", price=Decimal("150.00"))
    factories.product(session, category=cat, brand=brand, origin_code="609", price=Decimal("250.00"))
    factories.product(session, category=cat, brand=brand, origin_code="116", price=Decimal("150.00"))
    factories.product(session, brand=brand, origin_code="609", price=Decimal("150.00"))
    factories.product(session, category=cat, origin_code="609", price=Decimal("150.00"))

    criteria = Criteria(category_ids=[cat.id], origin_code="609", brand_id=brand.id,
                        min_price=Decimal("100.00"), max_price=Decimal("200.00"))

    assert _skus(_list(session, criteria)) == [wanted.sku]


def test_an_empty_category_id_list_finds_nothing(session):
    factories.product(session)

    assert _list(session, Criteria(category_ids=[])).items == []


def test_featured_only(session):
    star = factories.product(session, featured=True)
    factories.product(session)

    assert _skus(_list(session, Criteria(featured_only=True))) == [star.sku]


@pytest.mark.parametrize(("sort", "expected"), [
    ("newest", ["c", "b", "a"]),
    ("price_asc", ["b", "c", "a"]),
    ("price_desc", ["a", "c", "b"]),
    ("anything else", ["c", "b", "a"]),
])
def test_sorting(session, sort, expected):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = {
        "a": factories.product(session, price=Decimal("300.00"), created_at=start),
        "b": factories.product(session, price=Decimal("50.00"), created_at=start + timedelta(hours=1)),
        "c": factories.product(session, price=Decimal("120.00"), created_at=start + timedelta(hours=2)),
    }

    assert _skus(_list(session, Criteria(sort=sort))) == [made[k].sku for k in expected]


def test_equal_prices_keep_a_stable_order(session):
    first = factories.product(session, price=Decimal("100.00"))
    second = factories.product(session, price=Decimal("100.00"))

    assert _skus(_list(session, Criteria(sort="price_asc"))) == [first.sku, second.sku]
    assert _skus(_list(session, Criteria(sort="price_desc"))) == [second.sku, first.sku]


def test_pages_without_counting_the_catalogue(session):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = [factories.product(session, created_at=start + timedelta(minutes=i)) for i in range(7)]
    newest_first = [p.sku for p in reversed(made)]

    first = _list(session, page=1, page_size=3)
    last = _list(session, page=3, page_size=3)
    beyond = _list(session, page=4, page_size=3)

    assert (_skus(first), first.has_prev, first.has_next) == (newest_first[:3], False, True)
    assert (_skus(last), last.has_prev, last.has_next) == (newest_first[6:], True, False)
    assert (beyond.items, beyond.has_next) == ([], False)


def test_an_exactly_full_last_page_has_no_next(session):
    for _ in range(3):
        factories.product(session)

    assert _list(session, page=1, page_size=3).has_next is False


def test_brand_and_photos_come_loaded(session):
    p = factories.product(session)
    session.add(ProductImage(product=p, filename="a.jpg"))
    session.flush()
    session.expunge_all()

    product, _ = _list(session).items[0]
    session.expunge_all()  # a lazy load from here on would fail

    assert product.brand.name
    assert [img.filename for img in product.images] == ["a.jpg"]


# --- facets -----------------------------------------------------------------------------------------


def test_facet_brands_lists_brands_with_goods_on_sale_by_name(session):
    zeta = factories.brand(session, name="Zeta")
    alpha = factories.brand(session, name="Alpha")
    hidden = factories.brand(session, name="Hidden")
    factories.brand(session, name="Unused")
    factories.product(session, brand=zeta)
    factories.product(session, brand=alpha)
    factories.product(session, brand=alpha)
    factories.product(session, brand=hidden, published=False)

    assert [b.name for b in services.facet_brands(session)] == ["Alpha", "Zeta"]


def test_facet_origins_lists_distinct_codes_of_goods_on_sale(session):
    factories.product(session, origin_code="609")
    factories.product(session, origin_code="609")
    factories.product(session, origin_code="116")
    factories.product(session, origin_code="502", on_positive_list=False)

    assert services.facet_origins(session) == ["116", "609"]


# --- category tree ----------------------------------------------------------------------------------


def _slugs(categories) -> list[str]:
    return [c.slug for c in categories]


def test_category_tree_nests_children_under_their_parents_in_position_order(session):
    food = factories.category(session, slug="food", position=2, name_zh="食品", name_en="Food")
    factories.category(session, slug="beauty", position=1)
    factories.category(session, slug="snacks", parent=food, position=2)
    factories.category(session, slug="formula", parent=food, position=1)

    tree = services.category_tree(session)

    assert _slugs(node.category for node in tree) == ["beauty", "food"]
    assert tree[0].children == ()
    assert _slugs(tree[1].children) == ["formula", "snacks"]
    top = tree[1].category
    assert (top.id, top.name_zh, top.name_en, top.parent_id, top.parent) == (food.id, "食品", "Food", None, None)
    assert {child.parent for child in tree[1].children} == {top}  # for the breadcrumbs


def test_find_category_covers_a_parent_and_its_children(session):
    food = factories.category(session, slug="food")
    formula = factories.category(session, slug="formula", parent=food)
    tree = services.category_tree(session)

    found, ids = services.find_category(tree, "food")
    assert (found.slug, ids) == ("food", [food.id, formula.id])
    found, ids = services.find_category(tree, "formula")
    assert (found.slug, found.parent.slug, ids) == ("formula", "food", [formula.id])
    assert services.find_category(tree, "nothing") is None


# --- cached tree and facets -------------------------------------------------------------------------


class _Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


@pytest.fixture
def statements(app):
    """Counts the SQL statements run from here on."""
    from sqlalchemy import event

    counter = _Statements()
    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def test_the_tree_and_the_facets_are_read_once_then_from_the_cache(session, statements):
    factories.category(session, slug="food")
    factories.product(session, origin_code="609")
    session.flush()
    before = statements.count
    first = (services.category_tree(session), services.facet_brands(session), services.facet_origins(session))
    read = statements.count

    again = (services.category_tree(session), services.facet_brands(session), services.facet_origins(session))

    assert read - before == 2  # the tree; the brands and origins (with the window's ends)
    assert statements.count == read
    assert again == first


def test_the_cache_holds_plain_data(session):
    from shop.extensions import cache

    factories.category(session)
    factories.product(session)
    services.category_tree(session)
    services.facet_brands(session)

    for key in (services.TREE_KEY, services.SUMMARY_KEY):
        value = repr(cache.get(key))
        assert "shop.catalog" not in value and "object at" not in value, value


def test_committed_catalogue_changes_drop_the_cached_tree_and_facets(session):
    factories.product(session, origin_code="609")
    session.commit()
    assert services.facet_origins(session) == ["609"]
    factories.product(session, origin_code="116")  # not through the staff services: the cache stays
    session.commit()
    assert services.facet_origins(session) == ["609"]

    services.catalogue_changed(session)
    assert services.facet_origins(session) == ["609"]  # not before the change is committed
    session.commit()

    assert services.facet_origins(session) == ["116", "609"]


def test_a_rolled_back_change_keeps_the_cache(session, statements):
    factories.product(session)
    services.facet_brands(session)
    services.catalogue_changed(session)
    session.rollback()
    read = statements.count

    services.facet_brands(session)

    assert statements.count == read


# --- product_page -----------------------------------------------------------------------------------


def test_product_page_has_the_sellable_lots_first_expiry_first(session):
    p = factories.product(session)
    later = factories.lot(session, p, 3, best_before=TODAY + timedelta(days=300))
    sooner = factories.lot(session, p, 4, best_before=TODAY + timedelta(days=60))
    factories.lot(session, p, 9, best_before=TODAY + timedelta(days=NEAR))
    factories.lot(session, p, 9, best_before=TODAY - timedelta(days=5))

    page = services.product_page(session, p.sku, today=TODAY, near_expiry_days=NEAR)

    assert page.product is p
    assert page.lots == [sooner, later]
    assert page.current_lot is sooner
    assert page.available == 7


def test_product_page_without_stock(session):
    p = factories.product(session)

    page = services.product_page(session, p.sku, today=TODAY, near_expiry_days=NEAR)

    assert (page.lots, page.current_lot, page.available) == ([], None, 0)


@pytest.mark.parametrize("hidden", [{"published": False}, {"on_positive_list": False}])
def test_product_page_of_goods_not_on_sale_is_not_found(session, hidden):
    p = factories.product(session, **hidden)

    with pytest.raises(NotFound):
        services.product_page(session, p.sku, today=TODAY, near_expiry_days=NEAR)


def test_product_page_of_an_unknown_sku_is_not_found(session):
    with pytest.raises(NotFound):
        services.product_page(session, "NOPE", today=TODAY, near_expiry_days=NEAR)


def test_related_products_are_other_goods_on_sale_in_the_same_category_featured_first(session):
    cat = factories.category(session)
    p = factories.product(session, category=cat)
    plain = factories.product(session, category=cat)
    star = factories.product(session, category=cat, featured=True)
    factories.product(session, category=cat, published=False)
    factories.product(session)
    factories.lot(session, plain, 8)

    related = services.related_products(session, p, today=TODAY, near_expiry_days=NEAR)

    assert [(r.sku, qty) for r, qty in related] == [(star.sku, 0), (plain.sku, 8)]


def test_related_products_are_limited(session):
    cat = factories.category(session)
    p = factories.product(session, category=cat)
    for _ in range(6):
        factories.product(session, category=cat)

    assert len(services.related_products(session, p, today=TODAY, near_expiry_days=NEAR)) == 4
