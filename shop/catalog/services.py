"""Catalogue use cases: the category tree, listing with search/filters/sorting, product details."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from flask import has_app_context
from sqlalchemy import event, func, select, union_all
from sqlalchemy.orm import Session, joinedload

from shop.catalog import pagecache, search
from shop.catalog.models import Brand, Category, Product
from shop.customs import codes
from shop.db import literal_int
from shop.domain import NotFound
from shop.extensions import cache
from shop.inventory import services as inventory
from shop.inventory.models import Lot

SORTS = ("newest", "price_asc", "price_desc")
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 8
# A filtered or searched page first looks among this many products on sale, in the page's order (_page_ids).
WINDOW = 1_000
# The category tree and the catalogue's summary (the facets, the window's ends) are read from the cache: at
# most this old, and dropped when staff change the catalogue (catalogue_changed).
CACHE_SECONDS = 60
TREE_KEY = "catalog:tree"
SUMMARY_KEY = "catalog:summary"


def search_text_for(product: Product, brand: Brand) -> str:
    """What the search box matches: both names, brand (both scripts), SKU, origin in both languages."""
    country = codes.country(product.origin_code)
    parts = [product.sku, product.name_zh, product.name_en, brand.name, brand.name_zh]
    if country:
        parts += [country.name_zh, country.name_en]
    return " ".join(parts).lower()


def _cached(key: str, compute: Callable[[], object]):
    """Plain data (no ORM objects) from the cache; computed and stored when missing or outside the app."""
    if not has_app_context():
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=CACHE_SECONDS)
    return value


def catalogue_changed(session: Session) -> None:
    """Staff changed what the storefront shows: the cached tree, facets and pages are dropped when this commits."""
    session.info["catalogue_changed"] = True


@event.listens_for(Session, "after_commit")
def _drop_cached_catalogue(session: Session) -> None:
    if session.info.pop("catalogue_changed", False) and has_app_context():
        cache.delete_many(TREE_KEY, SUMMARY_KEY)
        pagecache.new_generation()


@event.listens_for(Session, "after_rollback")
def _keep_cached_catalogue(session: Session) -> None:
    session.info.pop("catalogue_changed", None)


@dataclass(frozen=True)
class CategoryEntry:
    """A category as the storefront shows it (from the cache, detached from any session)."""

    id: int
    parent_id: int | None
    slug: str
    name_zh: str
    name_en: str
    position: int
    parent: CategoryEntry | None = None


@dataclass(frozen=True)
class CategoryNode:
    category: CategoryEntry
    children: tuple[CategoryEntry, ...]


def _category_rows(session: Session) -> list[tuple]:
    return [tuple(row) for row in session.execute(
        select(Category.id, Category.parent_id, Category.slug, Category.name_zh, Category.name_en,
               Category.position).order_by(Category.position, Category.id))]


def category_tree(session: Session) -> list[CategoryNode]:
    """Top-level categories with their children: one query, cached."""
    categories = [CategoryEntry(*row) for row in _cached(TREE_KEY, lambda: _category_rows(session))]
    top = {cat.id: cat for cat in categories if cat.parent_id is None}
    children: dict[int, list[CategoryEntry]] = {}
    for cat in categories:
        if cat.parent_id in top:
            children.setdefault(cat.parent_id, []).append(replace(cat, parent=top[cat.parent_id]))
    return [CategoryNode(cat, tuple(children.get(cat.id, ()))) for cat in top.values()]


def find_category(tree: list[CategoryNode], slug: str) -> tuple[CategoryEntry, list[int]] | None:
    """The category with `slug` and the ids it covers (itself and its children)."""
    for node in tree:
        if node.category.slug == slug:
            return node.category, [node.category.id] + [c.id for c in node.children]
        for child in node.children:
            if child.slug == slug:
                return child, [child.id]
    return None


@dataclass
class Criteria:
    query: str = ""
    category_ids: list[int] | None = None
    origin_code: str | None = None
    brand_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = "newest"
    featured_only: bool = False


@dataclass
class Listing:
    items: list[tuple[Product, int]] = field(default_factory=list)  # (product, sellable units)
    page: int = 1
    page_size: int = 24
    has_next: bool = False

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _on_sale(*, indexed: bool = True) -> list:
    published, listed = Product.published, Product.on_positive_list
    if not indexed:
        published, listed = _unindexed(published), _unindexed(listed)
    return [published.is_(True), listed.is_(True)]


def _unindexed(column):
    """The column's value, written so that no index serves it (coalesce(x, x) is x): steers the planner."""
    return func.coalesce(column, column)


def _sort_keys(sort: str) -> tuple[tuple, bool]:
    """The sort's columns (tie-breaker last) and whether it is ascending."""
    if sort in ("price_asc", "price_desc"):
        return (Product.price, Product.id), sort == "price_asc"
    return (Product.created_at, Product.id), False


def _order(sort: str, *, indexed: bool = True) -> list:
    columns, ascending = _sort_keys(sort)
    columns = columns if indexed else tuple(_unindexed(c) for c in columns)
    return [c.asc() if ascending else c.desc() for c in columns]


def _window_end(sort: str):
    """The sort key of the WINDOW-th product on sale in the sort's order (a scalar subquery)."""
    (key, _), ascending = _sort_keys(sort)
    first = select(key.label("key")).where(*_on_sale()).order_by(*_order(sort)).limit(literal_int(WINDOW)).subquery()
    return select((func.max if ascending else func.min)(first.c.key)).scalar_subquery()


def _in_window(session: Session, sort: str) -> list:
    """The products on sale up to about the WINDOW-th in the sort's order: a range of the sort's index.

    Where the range ends comes from the cache (_summary), as a value the planners can estimate. An end gone
    out of date (products added or re-priced since) still marks a start of the order, only a longer or
    shorter one, so the pages are right all the same.
    """
    end = _summary(session)["window"][sort]
    if end is None:  # nothing on sale
        return []
    (key, _), ascending = _sort_keys(sort)
    return [key <= end if ascending else key >= end]


def _query_words(criteria: Criteria) -> list[str]:
    return criteria.query.lower().split()[:MAX_QUERY_WORDS]


def _narrowed(criteria: Criteria) -> bool:
    """Whether the listing asks for more than being on sale (featured goods have an index of their own)."""
    return bool(_query_words(criteria) or criteria.category_ids is not None or criteria.origin_code
                or criteria.brand_id or criteria.min_price is not None or criteria.max_price is not None
                or criteria.in_stock)


def _filters(criteria: Criteria, available, *, indexed: bool = True) -> list:
    """The criteria (but the search) as conditions; with indexed=False written so that no index serves them."""
    def col(column):
        return column if indexed else _unindexed(column)

    conditions = []
    if criteria.category_ids is not None:
        conditions.append(col(Product.category_id).in_(criteria.category_ids))
    if criteria.origin_code:
        conditions.append(col(Product.origin_code) == criteria.origin_code)
    if criteria.brand_id:
        conditions.append(col(Product.brand_id) == criteria.brand_id)
    if criteria.min_price is not None:
        conditions.append(col(Product.price) >= criteria.min_price)
    if criteria.max_price is not None:
        conditions.append(col(Product.price) <= criteria.max_price)
    if criteria.in_stock:
        conditions.append(available > 0)
    if criteria.featured_only:
        conditions.append(Product.featured.is_(True))
    return conditions


def _page_ids(session: Session, criteria: Criteria, available, *, offset: int, limit: int) -> list[int]:
    """The ids on one page of a filtered or searched listing, in one or two queries.

    First the page's sort index is walked over the first WINDOW products on sale, the filters and the search
    checked row by row: a common word (奶粉, milk) or a broad filter fills the page within a few dozen rows,
    however large the catalogue. When the window holds too few, the matches are rare: they are then found
    through the search index (or the filters' own indexes), and only their ids are sorted.
    """
    dialect = session.get_bind().dialect.name
    words = _query_words(criteria)
    sort = criteria.sort if criteria.sort in SORTS else "newest"
    walk = (select(Product.id)
            .where(*_on_sale(), *_in_window(session, sort), *_filters(criteria, available, indexed=False),
                   *search.conditions(words, dialect))
            .order_by(*_order(sort)).offset(literal_int(offset)).limit(literal_int(limit)))
    ids = list(session.scalars(walk))
    if len(ids) == limit:
        return ids
    if words:  # from the search index alone
        rare = select(Product.id).where(*_on_sale(indexed=False), *_filters(criteria, available, indexed=False),
                                        *search.conditions(words, dialect, from_index=True))
    else:  # from the filters' indexes
        rare = select(Product.id).where(*_on_sale(), *_filters(criteria, available))
    rare = rare.order_by(*_order(sort, indexed=False)).offset(literal_int(offset)).limit(literal_int(limit))
    return list(session.scalars(rare))


def list_products(session: Session, criteria: Criteria, *, page: int, page_size: int, today: date,
                  near_expiry_days: int) -> Listing:
    """One page of products on sale, with their sellable stock, brand and photos, in at most three queries.

    No COUNT over the catalogue: one row more than the page tells whether a next page exists. A page of
    everything on sale (or of the featured goods) walks its sort's index and stops when full; a filtered or
    searched page first finds its ids (_page_ids), then loads those products.
    """
    available = inventory.available_quantity_expr(inventory.sale_cutoff(today, near_expiry_days))
    offset = (page - 1) * page_size
    if _narrowed(criteria):
        ids = _page_ids(session, criteria, available, offset=offset, limit=page_size + 1)
        conditions, offset = [Product.id.in_(ids)], 0
    else:
        conditions = [*_on_sale(), *_filters(criteria, available)]
    stmt = (
        select(Product, available.label("available")).where(*conditions)
        .order_by(*_order(criteria.sort))
        .options(joinedload(Product.brand), joinedload(Product.images))
        .offset(literal_int(offset))
        .limit(literal_int(page_size + 1))
    )
    rows = [(product, int(qty)) for product, qty in session.execute(stmt).unique()]
    return Listing(items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class BrandEntry:
    """A brand offered as a filter (from the cache, detached from any session)."""

    id: int
    slug: str
    name: str
    name_zh: str


def _summary_rows(session: Session) -> dict:
    """The catalogue as its listings see it, in one query: the brands and origin countries with goods on sale
    (the filters, from the covering index ix_products_facets), and where the first WINDOW products on sale end
    in each order (_in_window)."""
    pairs = select(Product.brand_id, Product.origin_code).where(*_on_sale()).distinct().subquery()
    rows = session.execute(
        select(Brand.id, Brand.slug, Brand.name, Brand.name_zh, pairs.c.origin_code,
               *(_window_end(sort).label(sort) for sort in SORTS))
        .join(pairs, pairs.c.brand_id == Brand.id)
        .order_by(Brand.name, Brand.id)
    ).all()
    return {"brands": list(dict.fromkeys(tuple(row[:4]) for row in rows)),
            "origins": sorted({row.origin_code for row in rows}),
            "window": {sort: rows[0]._mapping[sort] if rows else None for sort in SORTS}}


def _summary(session: Session) -> dict:
    return _cached(SUMMARY_KEY, lambda: _summary_rows(session))


def facet_brands(session: Session) -> list[BrandEntry]:
    """Brands that have something on sale, by name (cached)."""
    return [BrandEntry(*row) for row in _summary(session)["brands"]]


def facet_origins(session: Session) -> list[str]:
    """Origin country codes that have something on sale (cached)."""
    return list(_summary(session)["origins"])


@dataclass
class ProductPage:
    product: Product
    lots: list[Lot]

    @property
    def available(self) -> int:
        return sum(lot.free for lot in self.lots)

    @property
    def current_lot(self) -> Lot | None:
        """The lot on sale now: first expiry first out."""
        return self.lots[0] if self.lots else None


def product_page(session: Session, sku: str, *, today: date, near_expiry_days: int) -> ProductPage:
    """A product on sale, with its sellable lots; NotFound for unknown or withdrawn products."""
    product = session.execute(
        select(Product)
        .where(Product.sku == sku, *_on_sale())
        .options(joinedload(Product.brand), joinedload(Product.category).joinedload(Category.parent),
                 joinedload(Product.images))
    ).unique().scalar_one_or_none()
    if product is None:
        raise NotFound(sku)
    lots = inventory.sellable_lots(session, product.id, inventory.sale_cutoff(today, near_expiry_days))
    return ProductPage(product=product, lots=lots)


def related_products(session: Session, product: Product, *, limit: int = 4, today: date,
                     near_expiry_days: int) -> list[tuple[Product, int]]:
    """Other products of the same category: featured ones first, then by id.

    The first few featured and the first few others each come from the category index in order, so the
    query reads a handful of rows however large the category.
    """
    available = inventory.available_quantity_expr(inventory.sale_cutoff(today, near_expiry_days))

    def first(featured: bool):
        return (select(Product.id)
                .where(Product.category_id == product.category_id, Product.featured.is_(featured), *_on_sale(),
                       Product.id != product.id)
                .order_by(Product.id).limit(literal_int(limit)).subquery())

    candidates = union_all(select(first(True).c.id), select(first(False).c.id))
    stmt = (
        select(Product, available.label("available"))
        .where(Product.id.in_(candidates))
        .order_by(Product.featured.desc(), Product.id)
        .options(joinedload(Product.brand), joinedload(Product.images))
        .limit(literal_int(limit))
    )
    return [(p, int(q)) for p, q in session.execute(stmt).unique()]
