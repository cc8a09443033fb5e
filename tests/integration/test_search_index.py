"""The catalogue search index (shop.catalog.search): what it holds, that searches use it, what they find."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from shop.catalog import manage, search, services
from shop.catalog.models import ProductSearch, ProductSearchTerm
from shop.catalog.services import Criteria
from tests import factories

TODAY = date(2026, 6, 1)


def _skus(session, query: str, **criteria) -> list[str]:
    listing = services.list_products(session, Criteria(query=query, **criteria), page=1, page_size=24,
                                     today=TODAY, near_expiry_days=30)
    return [p.sku for p, _ in listing.items]


def _dialect(session) -> str:
    return session.get_bind().dialect.name


# --- terms ------------------------------------------------------------------------------------------


def test_latin_words_stay_whole_and_chinese_runs_become_pairs_and_their_last_character():
    assert search.terms_of("a2 新西兰奶粉 800g") == {"a2", "新西", "西兰", "兰奶", "奶粉", "粉", "800g"}


def test_every_other_character_is_a_term_of_its_own():
    assert search.terms_of("t-001 50% a_b (x)") == {"t", "-", "001", "50", "%", "a", "_", "b", "(", "x", ")"}


def test_chinese_next_to_latin_is_cut_apart():
    assert search.terms_of("a2奶粉") == {"a2", "奶粉", "粉"}
    assert search.terms_of("410克") == {"410", "克"}


def test_query_terms_latin_and_single_characters_as_prefixes_pairs_exactly():
    terms = search.query_terms(["a2", "奶粉", "奶", "全脂奶粉", "%"])

    assert [(t.text, t.prefix) for t in terms] == [
        ("a2", True), ("奶粉", False), ("奶", True), ("全脂", False), ("脂奶", False), ("%", False)]


# --- the index follows the products -----------------------------------------------------------------


def _indexed_terms(session, product_id: int) -> set[str]:
    """The product's terms as its database keeps them."""
    session.flush()
    if _dialect(session) == "postgresql":
        document = session.scalar(text("SELECT array_to_string(tsvector_to_array(document), ' ') "
                                       "FROM product_search WHERE product_id = :id"), {"id": product_id})
        return set(document.split())
    document = session.scalar(select(ProductSearch.document).where(ProductSearch.product_id == product_id))
    terms = set(session.scalars(select(ProductSearchTerm.term).where(ProductSearchTerm.product_id == product_id)))
    assert set(document.split()) == terms  # SQLite: the text and the index table agree
    return terms


def test_a_new_product_is_indexed_by_its_search_text(session):
    anchor = factories.brand(session, name="Anchor", name_zh="安佳")
    p = factories.product(session, sku="NZ-1", name_zh="全脂奶粉", name_en="Whole milk", brand=anchor,
                          origin_code="609")

    assert _indexed_terms(session, p.id) == search.terms_of(p.search_text)
    assert {"nz", "-", "1", "全脂", "奶粉", "whole", "milk", "anchor", "安佳", "新西", "zealand"} <= \
        _indexed_terms(session, p.id)


def test_a_renamed_product_is_found_by_its_new_name_only(session, in_request):
    p = factories.product(session, name_zh="旧名字奶粉", name_en="Old name")
    row = dict(zip(manage.COLUMNS, manage.export_row(p), strict=True))
    row.update(name_zh="新名字面膜", name_en="Fresh title", brand=p.brand.slug, category=p.category.slug)

    manage.save_product(session, row, actor_id=None, product=p)
    session.flush()

    assert _skus(session, "面膜") == [p.sku] and _skus(session, "fresh") == [p.sku]
    assert _skus(session, "旧名") == [] and _skus(session, "old") == []
    assert _indexed_terms(session, p.id) == search.terms_of(p.search_text)


def test_a_change_that_leaves_the_search_text_alone_leaves_the_index_alone(session):
    p = factories.product(session)
    session.flush()
    writes = []
    listener = lambda *args: writes.append(args[2]) if "product_search" in args[2] else None  # noqa: E731
    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        p.price = p.price + 1
        session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert writes == []


def test_bulk_generated_products_are_indexed(session):
    from shop.seed import seed_bulk

    seed_bulk(session, 12, echo=lambda message: None)
    session.flush()
    bulk = session.execute(text("SELECT id, search_text FROM products WHERE sku LIKE 'BULK-%'")).all()

    assert len(bulk) == 12
    for product_id, search_text in bulk:
        assert _indexed_terms(session, product_id) == search.terms_of(search_text)


# --- what a search finds ----------------------------------------------------------------------------


@pytest.fixture
def shelf(session):
    """A few products whose names share characters and words in different ways."""
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def make(key, minutes, **kw):
        return key, factories.product(session, created_at=start + timedelta(minutes=minutes), **kw)

    brand = factories.brand(session, name="a2 Milk", name_zh="a2牛奶")
    made = dict([
        make("a2", 1, sku="A2-800", name_zh="a2白金版婴儿奶粉", name_en="a2 Platinum infant formula", brand=brand,
             origin_code="601"),
        make("whole", 2, sku="NZ-WHOLE", name_zh="新西兰全脂奶粉", name_en="New Zealand whole milk powder",
             origin_code="609"),
        make("mask", 3, sku="KR-MASK", name_zh="蚕丝面膜", name_en="Silk sheet mask", origin_code="133"),
        make("cream", 4, sku="FR-CREAM", name_zh="奶油饼干", name_en="Butter cream biscuits", origin_code="305"),
        make("apart", 5, sku="CN-APART", name_zh="全脂 脂奶 分开", name_en="Words apart", origin_code="116"),
        make("percent", 6, sku="JP-100", name_zh="纯果汁", name_en='Juice 100% "pure" (no_sugar) -kids', origin_code="116"),
        make("quote", 7, sku="UK-TEA", name_zh="红茶", name_en="Builder's tea", origin_code="303"),
    ])
    return {key: p.sku for key, p in made.items()}


def _newest_first(shelf, *keys) -> list[str]:
    order = ["quote", "percent", "apart", "cream", "mask", "whole", "a2"]
    return [shelf[key] for key in order if key in keys]


CASES = [
    # Chinese: one, two, three and four characters
    ("奶", ("a2", "whole", "cream", "apart")),  # 奶粉, 奶油, 脂奶 and 牛奶 (the a2 brand) start with 奶
    ("粉", ("a2", "whole")),  # the last character of a run
    ("奶粉", ("a2", "whole")),
    ("面膜", ("mask",)),
    ("全脂奶", ("whole",)),  # not "apart": it has 全脂 and 脂奶, but not together
    ("新西兰", ("whole",)),
    ("全脂奶粉", ("whole",)),
    ("新西兰奶粉", ()),  # 新西兰 and 奶粉 are not next to each other
    ("新西兰 奶粉", ("whole",)),
    # English: whole words and prefixes, any case
    ("milk", ("a2", "whole")),  # the a2 Milk brand, and whole milk powder
    ("mil", ("a2", "whole")),
    ("MILK POW", ("whole",)),
    ("ilk", ()),  # a word is found from its start
    ("zealand", ("whole",)),
    ("biscuit", ("cream",)),
    # SKUs, numbers and mixed queries
    ("nz-whole", ("whole",)),
    ("KR-MASK", ("mask",)),
    ("a2", ("a2",)),
    ("a2 奶粉", ("a2",)),
    ("a2奶粉", ()),  # as typed: the shop has a2白金版…奶粉, not a2奶粉
    ("a2牛奶", ("a2",)),
    ("100", ("percent",)),
    ("100%", ("percent",)),
    ("10%", ()),
    # characters that mean something to LIKE, tsquery or FTS syntax are plain characters
    ("%", ("percent",)),
    ("_", ("percent",)),
    ('"pure"', ("percent",)),
    ('"', ("percent",)),
    ("(no_sugar)", ("percent",)),
    ("-kids", ("percent",)),
    ("*", ()),
    ("milk*", ()),
    ("builder's", ("quote",)),
    ("'", ("quote",)),
    ("''", ()),
    ("\\", ()),
    ("a & b | !c", ()),
    ("milk:*", ()),
    ("caviar", ()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
@pytest.mark.parametrize("window", [0, 10_000], ids=["from the index", "walking the listing"])
def test_search_finds_the_products_with_every_term(session, shelf, monkeypatch, query, expected, window):
    # A window of 0 products sends every search to the index; a large one finds everything in the walk.
    monkeypatch.setattr(services, "WINDOW", max(window, 1))

    assert _skus(session, query) == _newest_first(shelf, *expected)


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_lists_everything(session, shelf, query):
    assert len(_skus(session, query)) == len(shelf)


def test_search_combines_with_filters_and_sorts(session, shelf):
    assert _skus(session, "奶粉", origin_code="609") == [shelf["whole"]]
    same_price_by_id = [shelf["a2"], shelf["whole"], shelf["cream"], shelf["apart"]]
    assert _skus(session, "奶", sort="price_asc") == same_price_by_id


# --- searches use the index -------------------------------------------------------------------------


def _statements(session, query: str, **criteria) -> list[tuple[str, object]]:
    """The statements a search runs, with their parameters (the catalogue's summary already cached)."""
    _skus(session, query, **criteria)
    seen = []
    engine = session.get_bind().engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        _skus(session, query, **criteria)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def _plan(session, statement: str, parameters) -> str:
    connection = session.connection()
    if _dialect(session) == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table: else a scan is cheaper
        try:
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        finally:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        return "\n".join(row[0] for row in rows)
    return "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))


@pytest.mark.parametrize("query", ["奶粉", "面膜", "奶", "全脂奶粉", "milk", "a2 奶粉", "nz-whole", "%"])
def test_a_search_with_few_matches_starts_from_the_search_index(session, shelf, monkeypatch, query):
    monkeypatch.setattr(services, "WINDOW", 1)  # the walk finds too little: the second query runs

    walk, from_index, _products = _statements(session, query)
    plan = _plan(session, *from_index)

    if _dialect(session) == "postgresql":
        assert "Bitmap Index Scan on ix_product_search_document" in plan, plan
    else:
        assert "product_search_terms USING PRIMARY KEY" in plan, plan
        assert "SEARCH products USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN products" not in plan, plan


@pytest.mark.parametrize("sort, index", [("newest", "ix_products_listing"), ("price_asc", "ix_products_price"),
                                         ("price_desc", "ix_products_price")])
def test_a_search_first_walks_the_index_of_its_sort(session, shelf, sort, index):
    walk, *_rest = _statements(session, "奶粉", sort=sort)
    plan = _plan(session, *walk)

    assert index in plan, plan
    assert "SCAN products" not in plan and "Seq Scan on products" not in plan, plan
