"""Staff screens for the catalogue: products, publishing, photos, bulk import and export."""

from __future__ import annotations

import csv
import zipfile

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop import labels
from shop.admin.auth import STAFF, role_required
from shop.admin.views import bp
from shop.catalog import manage
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product
from shop.customs import codes
from shop.db import db

PAGE = 50


def _choices():
    """(value, label) options for the product form's lists."""
    blank = [("", "—")]
    brands = db.session.scalars(select(Brand).order_by(Brand.name))
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id))
    return {
        "brands": blank + [(b.slug, f"{b.name} {b.name_zh}") for b in brands],
        "categories": blank + [(c.slug, f"{c.name_zh} / {c.name_en}") for c in categories],
        "countries": blank + [(c.code, f"{c.code} {c.name_zh} / {c.name_en}")
                              for c in sorted(codes.countries().values(), key=lambda c: c.code)],
        "units": blank + [(code, f"{code} {name}") for code, name in sorted(codes.units().items())],
        "net_units": [(u.value, str(labels.NET_CONTENT_UNITS[u])) for u in NetContentUnit],
        "ct_categories": [(c.value, str(labels.CONSUMPTION_TAX_CATEGORIES[c])) for c in ConsumptionTaxCategory],
    }


def _product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    return product


@bp.get("/products")
@role_required(*STAFF)
def products():
    query = (request.args.get("q") or "").strip()[:100].lower()
    page = request.args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < int(page) < 10_000 else 1
    stmt = select(Product).options(joinedload(Product.brand)).order_by(Product.id.desc())
    if query:
        stmt = stmt.where(Product.search_text.contains(query, autoescape=True))
    rows = list(db.session.scalars(stmt.offset((page - 1) * PAGE).limit(PAGE + 1)))
    return render_template("admin/products.html", products=rows[:PAGE], page=page, has_next=len(rows) > PAGE,
                           q=query)


def _form_row(product: Product | None) -> dict[str, str]:
    if request.method == "POST":
        row = {key: request.form.get(key, "") for key in manage.COLUMNS}
        for flag in ("on_positive_list", "published", "featured"):
            row[flag] = "yes" if request.form.get(flag) else "no"
        return row
    if product is None:
        return {"vat_rate": "0.13", "tariff_rate": "0", "max_per_order": "5", "net_content_unit": "g",
                "consumption_tax_category": "none"}
    return dict(zip(manage.COLUMNS, manage.export_row(product), strict=True))


@bp.route("/products/new", methods=["GET", "POST"])
@role_required(*STAFF)
def product_new():
    return _edit(None)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def product_edit(product_id: int):
    return _edit(_product_or_404(product_id))


def _edit(product: Product | None):
    row = _form_row(product)
    errors = {}
    if request.method == "POST":
        saved, errors = manage.save_product(db.session, row, actor_id=current_user.id, product=product)
        if not errors:
            flash(_("The product %(sku)s is saved.", sku=saved.sku), "success")
            return redirect(url_for("admin.product_edit", product_id=saved.id))
    hs = codes.hs_code(row.get("hs_code", ""))
    return render_template("admin/product_form.html", product=product, row=row, errors=errors, hs=hs,
                           **_choices()), 400 if errors else 200


@bp.post("/products/<int:product_id>/publish")
@role_required(*STAFF)
def product_publish(product_id: int):
    product = _product_or_404(product_id)
    publish = request.form.get("publish") == "1"
    try:
        manage.set_published(db.session, product, publish, actor_id=current_user.id)
    except manage.PublishRefused as exc:
        flash(str(exc.args[0]), "error")
        return redirect(url_for("admin.product_edit", product_id=product.id)), 303
    flash(_("Published.") if publish else _("Withdrawn from sale."), "success")
    return redirect(url_for("admin.product_edit", product_id=product.id))


@bp.post("/products/<int:product_id>/images")
@role_required(*STAFF)
def product_image(product_id: int):
    product = _product_or_404(product_id)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        flash(_("Please choose a photo to upload."), "error")
        return redirect(url_for("admin.product_edit", product_id=product.id))
    try:
        manage.add_image(db.session, product, upload.read(manage.MAX_IMAGE_BYTES + 1),
                         media_root=current_app.config["MEDIA_ROOT"], actor_id=current_user.id)
    except manage.BadImage as exc:
        flash(str(exc.args[0]), "error")
    else:
        flash(_("The photo is added."), "success")
    return redirect(url_for("admin.product_edit", product_id=product.id))


@bp.route("/products/import", methods=["GET", "POST"])
@role_required(*STAFF)
def product_import():
    errors = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = [(0, "", _("Please choose a CSV or XLSX file."))]
        else:
            data = upload.read()
            try:
                rows = (manage.rows_from_xlsx(data) if upload.filename.lower().endswith(".xlsx")
                        else manage.rows_from_csv(data))
                created, updated = manage.import_products(db.session, rows, actor_id=current_user.id)
            except manage.ImportRefused as exc:
                db.session.rollback()
                errors = exc.errors
            except (UnicodeDecodeError, ValueError, KeyError, OSError, csv.Error, zipfile.BadZipFile):
                db.session.rollback()
                errors = [(0, "", _("The file could not be read. Please upload a UTF-8 CSV or an XLSX file."))]
            else:
                flash(_("Imported: %(created)d new and %(updated)d updated products.", created=created,
                        updated=updated), "success")
                return redirect(url_for("admin.products"))
    return render_template("admin/product_import.html", errors=errors, columns=manage.COLUMNS), (
        400 if errors else 200)


@bp.get("/products/export.<fmt>")
@role_required(*STAFF)
def product_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    products = db.session.scalars(select(Product).options(joinedload(Product.brand), joinedload(Product.category))
                                  .order_by(Product.id))
    if fmt == "csv":
        body, mimetype = manage.export_csv(products), "text/csv; charset=utf-8"
    else:
        body = manage.export_xlsx(products)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return current_app.response_class(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=globalbuy-products.{fmt}"})
