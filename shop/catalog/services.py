"""Catalogue use cases: the category tree, listing with search/filters/sorting, product details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.catalog.models import Brand, Category, Product
from shop.customs import codes
from shop.domain import NotFound
from shop.inventory import services as inventory
from shop.inventory.models import Lot

SORTS = ("newest", "price_asc", "price_desc")
MAX_QUERY_LENGTH = 100


def search_text_for(product: Product, brand: Brand) -> str:
    """What the search box matches: both names, brand (both scripts), SKU, origin in both languages."""
    country = codes.country(product.origin_code)
    parts = [product.sku, product.name_zh, product.name_en, brand.name, brand.name_zh]
    if country:
        parts += [country.name_zh, country.name_en]
    return " ".join(parts).lower()


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    children: tuple[Category, ...]


def category_tree(session: Session) -> list[CategoryNode]:
    """Top-level categories with their children, in one query."""
    categories = list(session.scalars(select(Category).order_by(Category.position, Category.id)))
    children: dict[int, list[Category]] = {}
    for cat in categories:
        if cat.parent_id is not None:
            children.setdefault(cat.parent_id, []).append(cat)
    return [CategoryNode(c, tuple(children.get(c.id, ()))) for c in categories if c.parent_id is None]


def find_category(tree: list[CategoryNode], slug: str) -> tuple[Category, list[int]] | None:
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


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _on_sale() -> list:
    return [Product.published.is_(True), Product.on_positive_list.is_(True)]


def list_products(session: Session, criteria: Criteria, *, page: int, page_size: int, today: date,
                  near_expiry_days: int) -> Listing:
    """One page of products on sale, with their sellable stock, in a fixed number of queries.

    No COUNT over the catalogue: one row more than the page tells whether a next page exists.
    """
    available = inventory.available_quantity_expr(inventory.sale_cutoff(today, near_expiry_days))
    stmt: Select = select(Product, available.label("available")).where(*_on_sale())
    for term in criteria.query.lower().split()[:8]:
        stmt = stmt.where(Product.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
    if criteria.category_ids is not None:
        stmt = stmt.where(Product.category_id.in_(criteria.category_ids))
    if criteria.origin_code:
        stmt = stmt.where(Product.origin_code == criteria.origin_code)
    if criteria.brand_id:
        stmt = stmt.where(Product.brand_id == criteria.brand_id)
    if criteria.min_price is not None:
        stmt = stmt.where(Product.price >= criteria.min_price)
    if criteria.max_price is not None:
        stmt = stmt.where(Product.price <= criteria.max_price)
    if criteria.in_stock:
        stmt = stmt.where(available > 0)
    if criteria.featured_only:
        stmt = stmt.where(Product.featured.is_(True))
    order = {
        "price_asc": (Product.price.asc(), Product.id.asc()),
        "price_desc": (Product.price.desc(), Product.id.desc()),
    }.get(criteria.sort, (Product.created_at.desc(), Product.id.desc()))
    stmt = (
        stmt.order_by(*order)
        .options(joinedload(Product.brand), selectinload(Product.images))
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = [(product, int(qty)) for product, qty in session.execute(stmt).unique()]
    return Listing(items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size)


def facet_brands(session: Session) -> list[Brand]:
    """Brands that have something on sale."""
    has_products = select(Product.id).where(Product.brand_id == Brand.id, *_on_sale()).exists()
    return list(session.scalars(select(Brand).where(has_products).order_by(Brand.name)))


def facet_origins(session: Session) -> list[str]:
    """Origin country codes that have something on sale."""
    return list(session.scalars(select(Product.origin_code).where(*_on_sale()).distinct()
                                .order_by(Product.origin_code)))


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
    product = session.scalar(
        select(Product)
        .where(Product.sku == sku, *_on_sale())
        .options(joinedload(Product.brand), joinedload(Product.category).joinedload(Category.parent),
                 selectinload(Product.images))
    )
    if product is None:
        raise NotFound(sku)
    lots = inventory.sellable_lots(session, product.id, inventory.sale_cutoff(today, near_expiry_days))
    return ProductPage(product=product, lots=lots)


def related_products(session: Session, product: Product, *, limit: int = 4, today: date,
                     near_expiry_days: int) -> list[tuple[Product, int]]:
    """Other products of the same category."""
    available = inventory.available_quantity_expr(inventory.sale_cutoff(today, near_expiry_days))
    stmt = (
        select(Product, available.label("available"))
        .where(and_(*_on_sale()), Product.category_id == product.category_id, Product.id != product.id)
        .order_by(Product.featured.desc(), Product.id)
        .options(joinedload(Product.brand), selectinload(Product.images))
        .limit(limit)
    )
    return [(p, int(q)) for p, q in session.execute(stmt).unique()]
