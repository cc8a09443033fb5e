"""Storefront pages: home, listing and search, category pages, product pages, product images."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from werkzeug.datastructures import MultiDict

from shop import clock, settings
from shop.cart.quote import estimate_for_product
from shop.catalog import services
from shop.catalog.forms import SearchForm
from shop.db import db
from shop.domain import NotFound

bp = Blueprint("catalog", __name__)


def _today() -> date:
    return clock.today()


def _expiry_days() -> int:
    return settings.value("NEAR_EXPIRY_DAYS")


@bp.get("/")
def home():
    tree = services.category_tree(db.session)
    featured = services.list_products(
        db.session, services.Criteria(featured_only=True), page=1, page_size=8,
        today=_today(), near_expiry_days=_expiry_days())
    newest = services.list_products(
        db.session, services.Criteria(), page=1, page_size=8, today=_today(), near_expiry_days=_expiry_days())
    return render_template("catalog/home.html", tree=tree, featured=featured.items, newest=newest.items)


@bp.get("/products")
def listing():
    return _listing(category_slug=None)


@bp.get("/c/<slug>")
def category(slug: str):
    return _listing(category_slug=slug)


def _listing(category_slug: str | None):
    form = SearchForm(formdata=MultiDict(request.args))
    tree = services.category_tree(db.session)
    brands = services.facet_brands(db.session)
    origins = services.facet_origins(db.session)
    current_category = None
    criteria = services.Criteria()
    slug = category_slug or form.category.data
    if slug:
        found = services.find_category(tree, slug)
        if found is None:
            abort(404)
        current_category, criteria.category_ids = found

    if not form.validate():
        return render_template("catalog/listing.html", form=form, tree=tree, brands=brands, origins=origins,
                               category=current_category, listing=None), 400

    criteria.query = (form.q.data or "").strip()
    criteria.origin_code = form.origin.data or None
    if form.brand.data:
        brand = next((b for b in brands if b.slug == form.brand.data), None)
        criteria.brand_id = brand.id if brand else -1
    criteria.min_price = form.min_price.data
    criteria.max_price = form.max_price.data
    criteria.in_stock = bool(form.in_stock.data)
    criteria.sort = form.sort.data if form.sort.data in services.SORTS else "newest"
    page = form.page.data or 1
    listing = services.list_products(db.session, criteria, page=page, page_size=current_app.config["PAGE_SIZE"],
                                     today=_today(), near_expiry_days=_expiry_days())
    if page > 1 and not listing.items:
        abort(404)
    return render_template("catalog/listing.html", form=form, tree=tree, brands=brands, origins=origins,
                           category=current_category, listing=listing)


@bp.get("/p/<sku>")
def product(sku: str):
    try:
        page = services.product_page(db.session, sku, today=_today(), near_expiry_days=_expiry_days())
    except NotFound:
        abort(404)
    related = services.related_products(db.session, page.product, today=_today(),
                                        near_expiry_days=_expiry_days())
    estimate = estimate_for_product(page.product)
    return render_template("catalog/product.html", page=page, product=page.product, estimate=estimate,
                           related=related)


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Product images from the configured storage directory."""
    return send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=7 * 24 * 3600)
