"""The imported-goods catalogue: categories (a tree), brands, products and their images."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from shop.customs import codes
from shop.db import Base, Rate, ScaledDecimal, enum_column, utcnow


class ConsumptionTaxCategory(enum.StrEnum):
    """The consumption-tax kinds a bonded shop meets (CBEC-RULES §5)."""

    NONE = "none"
    COSMETICS = "cosmetics"  # 15% only when high-end: >= 10 CNY per ml/g or >= 15 CNY per piece
    WATCH = "watch"  # 20% only when >= 10,000 CNY per watch
    WINE = "wine"  # 10%
    JEWELLERY_5 = "jewellery_5"  # 5% (gold, silver, platinum jewellery)
    JEWELLERY_10 = "jewellery_10"  # 10% (other jewellery and precious stones)
    GOLF = "golf"  # 10%


class NetContentUnit(enum.StrEnum):
    ML = "ml"
    G = "g"
    PIECE = "piece"



class UnknownHSCode(ValueError):
    """An HS code that the shipped tariff table does not have."""


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(64))


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("max_per_order >= 1", name="max_per_order_positive"),
        CheckConstraint("net_content > 0", name="net_content_positive"),
        CheckConstraint("net_weight_kg > 0 AND gross_weight_kg >= net_weight_kg", name="weights"),
        # Only scale-free checks: on SQLite decimals are stored as scaled integers (shop.db.ScaledDecimal),
        # so a literal like "< 1" would mean something else there. Upper bounds are checked in the services.
        CheckConstraint("vat_rate >= 0", name="vat_rate_not_negative"),
        CheckConstraint("tariff_rate >= 0", name="tariff_rate_not_negative"),
        # The storefront's sorts and filters (shop.catalog.services): a page walks one of these in order and
        # stops when it is full. The id at the end is the sorts' tie-breaker.
        Index("ix_products_listing", "published", "on_positive_list", "created_at", "id"),
        Index("ix_products_price", "published", "on_positive_list", "price", "id"),
        Index("ix_products_featured", "published", "on_positive_list", "featured", "created_at", "id"),
        Index("ix_products_category", "category_id", "published", "on_positive_list", "created_at", "id"),
        Index("ix_products_related", "category_id", "featured", "id"),
        # The brand and origin facets, read from the index alone.
        Index("ix_products_facets", "published", "on_positive_list", "brand_id", "origin_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    # Customs codes: 3-digit country of origin, 10-digit HS code and its legal units (from the HS table),
    # the transaction unit (JGS-20 code) and the bonded account-book item number.
    origin_code: Mapped[str] = mapped_column(String(3), index=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    legal_unit1: Mapped[str] = mapped_column(String(3))
    legal_unit2: Mapped[str | None] = mapped_column(String(3))
    on_positive_list: Mapped[bool] = mapped_column(default=False)
    unit_code: Mapped[str] = mapped_column(String(3))
    net_content: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 2))
    net_content_unit: Mapped[NetContentUnit] = mapped_column(enum_column(NetContentUnit, "net_content_unit", 16))
    net_weight_kg: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 4))
    gross_weight_kg: Mapped[Decimal] = mapped_column(ScaledDecimal(12, 4))
    price: Mapped[Decimal]
    vat_rate: Mapped[Decimal] = mapped_column(Rate())
    consumption_tax_category: Mapped[ConsumptionTaxCategory] = mapped_column(
        enum_column(ConsumptionTaxCategory, "consumption_tax_category", 16), default=ConsumptionTaxCategory.NONE
    )
    tariff_rate: Mapped[Decimal] = mapped_column(Rate())
    barcode: Mapped[str | None] = mapped_column(String(32))
    item_record_no: Mapped[str | None] = mapped_column(String(32))
    max_per_order: Mapped[int] = mapped_column(default=5)
    published: Mapped[bool] = mapped_column(default=False)
    featured: Mapped[bool] = mapped_column(default=False)
    # Lower-cased Chinese and English names, brand and origin names: what the search box matches. Its terms
    # are kept in product_search (shop.catalog.search), where the search looks products up.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    brand: Mapped[Brand] = relationship()
    category: Mapped[Category] = relationship()
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )

    @validates("hs_code")
    def _validate_hs_code(self, key: str, value: str) -> str:
        """The HS code must be in the shipped tariff table; its legal units come from there."""
        hs = codes.hs_code(value)
        if hs is None:
            raise UnknownHSCode(value)
        self.legal_unit1 = hs.unit1
        self.legal_unit2 = hs.unit2
        return hs.code

    @property
    def on_sale(self) -> bool:
        """Only published products on the positive list are sold."""
        return self.published and self.on_positive_list


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductSearch(Base):
    """What a product is found by: the terms of its search text (shop.catalog.search), one row per product.

    On PostgreSQL `document` is a tsvector of the terms and its GIN index answers searches. SQLite has no such
    index: there `document` holds the terms as text, checked product by product, and product_search_terms is
    the index. The schema is the same on both databases; each leaves empty what only the other uses (the GIN
    index on SQLite, product_search_terms on PostgreSQL).
    """

    __tablename__ = "product_search"
    __table_args__ = (
        Index("ix_product_search_document", "document", postgresql_using="gin", sqlite_where=text("0")),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    document: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


class ProductSearchTerm(Base):
    """SQLite's search index: one row per term and product, found by the term or by a prefix of it."""

    __tablename__ = "product_search_terms"
    __table_args__ = (PrimaryKeyConstraint("term", "product_id"), {"sqlite_with_rowid": False})

    term: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _refresh_search_text(mapper, connection, product: Product) -> None:
    # The search box matches search_text: rebuilt whenever the product is saved, so a renamed product is found
    # by its new name. (Renaming a brand does not touch its products; the brand services re-save them.)
    from shop.catalog.services import search_text_for

    if product.brand is not None:
        product.search_text = search_text_for(product, product.brand)


@event.listens_for(Product, "after_insert")
@event.listens_for(Product, "after_update")
def _refresh_search_terms(mapper, connection, product: Product) -> None:
    # The index follows the search text in the same flush. (Core bulk inserts skip this: shop.seed.bulk
    # indexes its rows itself.)
    from shop.catalog import search

    if inspect(product).attrs.search_text.history.has_changes():
        search.index_product(connection, product.id, product.search_text)
