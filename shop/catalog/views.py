"""Storefront pages: home, listing and search, category pages, product pages, product images."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from shop import clock, settings
from shop.cart.quote import estimate_for_product
from shop.catalog import pagecache, services
from shop.catalog.forms import SearchForm
from shop.db import db, read_only
from shop.domain import NotFound
from shop.templating import localized

bp = Blueprint("catalog", __name__)


def _today() -> date:
    return clock.today()


def _expiry_days() -> int:
    return settings.value("NEAR_EXPIRY_DAYS")


@bp.get("/")
@read_only
def home():
    return _page(pagecache.cached("home", _home_body))


def _page(fragment: pagecache.Fragment):
    """A storefront page around its part under the header, from the page cache or rendered just now."""
    return render_template("catalog/page.html", fragment=fragment), fragment.status


def _home_body() -> pagecache.Fragment:
    tree = services.category_tree(db.session)
    featured = services.list_products(
        db.session, services.Criteria(featured_only=True), page=1, page_size=8,
        today=_today(), near_expiry_days=_expiry_days())
    newest = services.list_products(
        db.session, services.Criteria(), page=1, page_size=8, today=_today(), near_expiry_days=_expiry_days())
    body = render_template("catalog/_home.html", tree=tree, featured=featured.items, newest=newest.items)
    return pagecache.Fragment(gettext("Buy from the whole world at bonded prices"), Markup(body))


@bp.get("/products")
@read_only
def listing():
    return _listing(category_slug=None)


@bp.get("/c/<slug>")
@read_only
def category(slug: str):
    return _listing(category_slug=slug)


def _listing(category_slug: str | None):
    return _page(pagecache.cached("listing", lambda: _listing_body(category_slug)))


def _title(category, query: str) -> str:
    if category:
        return localized(category, "name")
    if query:
        return gettext("Search: %(q)s", q=query[:100])
    return gettext("All goods")


def _listing_body(category_slug: str | None) -> pagecache.Fragment:
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
    title = _title(current_category, form.q.data or "")

    def body(listing) -> Markup:
        return Markup(render_template("catalog/_listing.html", form=form, tree=tree, brands=brands,
                                      origins=origins, category=current_category, listing=listing))

    if not form.validate():
        return pagecache.Fragment(title, body(None), 400)

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
    return pagecache.Fragment(title, body(listing))


@bp.get("/p/<sku>")
@read_only
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
@read_only
def media(filename: str):
    """Product images from the configured storage directory."""
    return send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=7 * 24 * 3600)
