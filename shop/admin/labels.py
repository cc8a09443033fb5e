"""Shelf labels for the hall: choose products, download the PDF."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.admin.auth import STAFF, role_required
from shop.admin.views import bp
from shop.catalog import labels
from shop.catalog.models import Product
from shop.db import db

MAX_LABELS = 420  # 20 pages


@bp.get("/labels")
@role_required(*STAFF)
def labels_form():
    query = (request.args.get("q") or "").strip()[:100].lower()
    stmt = select(Product).where(Product.published.is_(True)).options(joinedload(Product.brand)).order_by(Product.sku)
    if query:
        stmt = stmt.where(Product.search_text.contains(query, autoescape=True))
    return render_template("admin/labels.html", products=list(db.session.scalars(stmt.limit(300))), q=query)


@bp.post("/labels.pdf")
@role_required(*STAFF)
def labels_pdf():
    skus = request.form.getlist("sku")[:MAX_LABELS]
    # Only goods on sale: a label's QR code must open a product page that exists.
    found = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_(skus), Product.published.is_(True), Product.on_positive_list.is_(True)))}
    chosen = [found[s] for s in skus if s in found]
    if not chosen:
        flash(_("Choose at least one product."), "error")
        return redirect(url_for("admin.labels_form"))
    base = current_app.config["SHOP_BASE_URL"].rstrip("/")
    pdf = labels.render(chosen, lambda sku: f"{base}{url_for('catalog.product', sku=sku)}")
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": "inline; filename=globalbuy-shelf-labels.pdf"})
