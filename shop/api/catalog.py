"""Catalogue and quote: the storefront's listing, product page and cart figures, as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from flask import current_app
from pydantic import Field

from shop import clock, settings
from shop.api.core import OPTIONAL, ApiError, Money, Query, Rate, Schema, operation
from shop.cart.quote import QuoteItem, build_quote, estimate_for_product
from shop.catalog import services
from shop.catalog.forms import MAX_PAGE, MAX_PRICE
from shop.catalog.models import Product
from shop.catalog.services import MAX_QUERY_LENGTH
from shop.db import db
from shop.domain import NotFound
from shop.templating import localized

MAX_QUOTE_ITEMS = 50


class ProductQuery(Query):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="words that must all appear (Chinese or English)")
    category: str | None = Field(None, max_length=64, description="category slug (its subcategories included)")
    origin: str | None = Field(None, pattern=r"^\d{3}$", description="customs country code, e.g. 304 (Germany)")
    brand: str | None = Field(None, max_length=64, description="brand slug")
    min_price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, allow_inf_nan=False, decimal_places=2)
    max_price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, allow_inf_nan=False, decimal_places=2)
    in_stock: bool = False
    sort: Literal["newest", "price_asc", "price_desc"] = "newest"
    page: int = Field(1, ge=1, le=MAX_PAGE)


class Image(Schema):
    url: str


class ProductSummary(Schema):
    sku: str
    name: str = Field(description="in the language asked for")
    name_zh: str
    name_en: str
    brand: str
    origin_code: str
    price: Money
    estimated_tax: Money = Field(description="the tax on one unit before freight, as on the product page")
    stock: int = Field(description="sellable units")
    image: str | None


class ProductList(Schema):
    items: list[ProductSummary]
    page: int
    page_size: int
    has_next: bool


class Lot(Schema):
    lot_no: str
    best_before: str
    arrival_channel: str


class ProductDetail(ProductSummary):
    description: str
    category: str
    hs_code: str
    legal_unit1: str
    legal_unit2: str | None
    unit_code: str
    net_content: str
    net_content_unit: str
    net_weight_kg: str
    vat_rate: Rate
    consumption_tax_rate: Rate = Field(description="the effective rate for this product, e.g. \"0.15\" or \"0\"")
    tariff_rate: Rate
    max_per_order: int
    lot: Lot | None = Field(description="the lot on sale now (first expiry, first out)")
    images: list[Image]


def _image_url(filename: str) -> str:
    from flask import url_for

    return url_for("catalog.media", filename=filename)


def _summary(product: Product, stock: int, **extra) -> dict:
    estimate = estimate_for_product(product)
    return dict(
        sku=product.sku, name=localized(product, "name"), name_zh=product.name_zh, name_en=product.name_en,
        brand=localized(product.brand, "name"), origin_code=product.origin_code, price=product.price,
        estimated_tax=estimate.tax, stock=stock,
        image=_image_url(product.images[0].filename) if product.images else None, **extra)


@operation("GET", "/products", summary="List and search the catalogue", tag="catalogue", query=ProductQuery,
           response=ProductList, errors=("not_found",))
def list_products(query: ProductQuery):
    """The storefront's listing: search, filters, sorting and pages (no total count: `has_next` says more)."""
    criteria = services.Criteria(query=query.q.strip(), origin_code=query.origin, min_price=query.min_price,
                                 max_price=query.max_price, in_stock=query.in_stock, sort=query.sort)
    if query.category:
        found = services.find_category(services.category_tree(db.session), query.category)
        if found is None:
            raise ApiError("not_found", f"category {query.category}")
        criteria.category_ids = found[1]
    if query.brand:
        brand = next((b for b in services.facet_brands(db.session) if b.slug == query.brand), None)
        criteria.brand_id = brand.id if brand else -1
    page_size = current_app.config["PAGE_SIZE"]
    listing = services.list_products(db.session, criteria, page=query.page, page_size=page_size,
                                     today=clock.today(), near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))
    return ProductList(items=[ProductSummary(**_summary(p, stock)) for p, stock in listing.items],
                       page=listing.page, page_size=page_size, has_next=listing.has_next)


@operation("GET", "/products/{sku}", summary="One product", tag="catalogue", response=ProductDetail,
           errors=("not_found",), path_params={"sku": {"type": "string", "maxLength": 32}})
def product_detail(sku: str):
    """Everything the product page shows: price, rates, customs codes, origin, net content and stock."""
    try:
        page = services.product_page(db.session, sku, today=clock.today(),
                                     near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"))
    except NotFound:
        raise ApiError("not_found", f"product {sku}") from None
    product, lot = page.product, page.current_lot
    estimate = estimate_for_product(product)
    return ProductDetail(
        **_summary(product, page.available), description=localized(product, "description"),
        category=localized(product.category, "name"), hs_code=product.hs_code, legal_unit1=product.legal_unit1,
        legal_unit2=product.legal_unit2, unit_code=product.unit_code, net_content=f"{product.net_content.normalize():f}",
        net_content_unit=str(product.net_content_unit), net_weight_kg=f"{product.net_weight_kg.normalize():f}",
        vat_rate=product.vat_rate, consumption_tax_rate=estimate.lines[0].consumption_tax_rate,
        tariff_rate=product.tariff_rate, max_per_order=product.max_per_order,
        lot=Lot(lot_no=lot.lot_no, best_before=lot.best_before.isoformat(),
                arrival_channel=str(lot.arrival_channel)) if lot else None,
        images=[Image(url=_image_url(image.filename)) for image in product.images])


# --- Quote ----------------------------------------------------------------------------------------------


class QuoteItemIn(Schema):
    sku: str = Field(min_length=1, max_length=32)
    qty: int = Field(ge=1, le=999)


class QuoteRequest(Schema):
    items: list[QuoteItemIn] = Field(min_length=1, max_length=MAX_QUOTE_ITEMS)


class QuoteLineOut(Schema):
    sku: str
    qty: int
    unit_price: Money
    goods_value: Money
    duty_paid_value: Money
    customs_duty: Money
    vat: Money
    consumption_tax: Money
    tax: Money


class QuoteTax(Schema):
    customs_duty: Money
    vat: Money
    consumption_tax: Money
    total: Money


class QuoteLimits(Schema):
    single_order_limit: Money
    within_single_limit: bool
    full_tax_single_item: bool = Field(description="one unit over the limit: allowed, taxed in full")
    annual_limit: Money
    annual_remaining: Money | None = Field(description="null for an anonymous caller")


class QuoteResponse(Schema):
    currency: Literal["CNY"] = "CNY"
    goods_value: Money
    freight: Money
    insurance: Money
    duty_paid_value: Money
    lines: list[QuoteLineOut]
    tax: QuoteTax
    total: Money
    limits: QuoteLimits


def products_for(items: list[QuoteItemIn]) -> list[tuple[Product, int]]:
    """The products on sale for these items, quantities of one SKU added up, in the items' order."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    wanted: dict[str, int] = {}
    for item in items:
        wanted[item.sku] = wanted.get(item.sku, 0) + item.qty
    found = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_(list(wanted)), Product.published.is_(True),
                              Product.on_positive_list.is_(True))
        .options(joinedload(Product.brand)))}  # an order's lines keep the brand's name
    missing = [sku for sku in wanted if sku not in found]
    if missing:
        raise ApiError("not_for_sale", f"not for sale: {', '.join(missing)}", skus=",".join(missing))
    return [(found[sku], qty) for sku, qty in wanted.items()]


def quote_response(quote, annual_remaining) -> QuoteResponse:
    from shop.customs import rules

    return QuoteResponse(
        goods_value=quote.goods_value, freight=quote.freight, insurance=quote.insurance,
        duty_paid_value=quote.duty_paid_value,
        lines=[QuoteLineOut(sku=line.item.sku, qty=line.item.quantity, unit_price=line.item.unit_price,
                            goods_value=line.goods_value, duty_paid_value=line.duty_paid_value,
                            customs_duty=line.customs_duty, vat=line.vat, consumption_tax=line.consumption_tax,
                            tax=line.tax) for line in quote.lines],
        tax=QuoteTax(customs_duty=quote.customs_duty, vat=quote.vat, consumption_tax=quote.consumption_tax,
                     total=quote.tax),
        total=quote.total,
        limits=QuoteLimits(single_order_limit=rules.SINGLE_ORDER_LIMIT, within_single_limit=quote.limit.within_limit,
                           full_tax_single_item=quote.limit.full_tax_single_item, annual_limit=rules.ANNUAL_LIMIT,
                           annual_remaining=annual_remaining))


@operation("POST", "/quote", summary="Quote a cart", tag="catalogue", auth=OPTIONAL, body=QuoteRequest,
           response=QuoteResponse, errors=("not_for_sale",))
def quote(body: QuoteRequest, user):
    """Goods, freight, tax per line and in total, and the customs limits: exactly the figures of the cart page.
    With a bearer token, `annual_remaining` is what is left of this calendar year's ¥26,000 for the user's
    default buyer (the first saved real-name identity); null when anonymous or when no buyer is saved."""
    from shop.cart.services import freight_rule

    items = products_for(body.items)
    result = build_quote([QuoteItem.for_product(p, q) for p, q in items], freight_rule())
    return quote_response(result, annual_remaining_of(user))


def annual_remaining_of(user) -> Decimal | None:
    """What is left of this year's annual limit for the user's first saved buyer (None: anonymous or none)."""
    if user is None:
        return None
    from shop.accounts import services as accounts
    from shop.customs import rules
    from shop.db import utcnow
    from shop.orders.services import annual_used

    identities = accounts.identities_of(db.session, user.id)
    if not identities:
        return None
    used = annual_used(db.session, identities[0].id_number_digest, now=utcnow(), tz=clock.shop_timezone())
    return max(rules.ANNUAL_LIMIT - used, Decimal(0))
