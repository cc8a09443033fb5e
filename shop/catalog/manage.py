"""Catalogue management for staff: validate, create and edit products, publish, images, bulk import/export.

One validator (`validate`) serves the product form and every row of a bulk import, so a product that can be
saved by hand can be imported and the other way round.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.audit import record, snapshot
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product, ProductImage
from shop.catalog.services import catalogue_changed
from shop.customs import codes

COLUMNS = (
    "sku", "name_zh", "name_en", "description_zh", "description_en", "brand", "category", "origin_code",
    "hs_code", "on_positive_list", "unit_code", "net_content", "net_content_unit", "net_weight_kg",
    "gross_weight_kg", "price", "vat_rate", "consumption_tax_category", "tariff_rate", "barcode",
    "item_record_no", "max_per_order", "published", "featured",
)
REQUIRED = ("sku", "name_zh", "name_en", "brand", "category", "origin_code", "hs_code", "unit_code",
            "net_content", "net_content_unit", "net_weight_kg", "gross_weight_kg", "price", "vat_rate",
            "tariff_rate", "max_per_order")
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
TRUE = {"1", "true", "yes", "y", "是", "x"}
FALSE = {"", "0", "false", "no", "n", "否"}
MAX_IMPORT_ROWS = 20_000


class ImportRefused(Exception):
    """The file could not be imported; `errors` lists (row, column, message), nothing was changed."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class Checked:
    values: dict = field(default_factory=dict)  # attribute -> typed value
    errors: dict = field(default_factory=dict)  # column -> message


def _decimal(text: str, *, places: int, minimum: Decimal, maximum: Decimal | None = None):
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None, _l("Not a number.")
    if not value.is_finite() or value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            return None, _l("Must be %(min)s or more.", min=minimum)
        return None, _l("Must be between %(min)s and %(max)s.", min=minimum, max=maximum)
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        return None, _l("At most %(n)d decimal places.", n=places)
    return value.quantize(quantum), None  # as the database keeps it: "310" is 310.00, so the audit log agrees


def _rate(text: str):
    """A rate as a fraction (0.13) or a percentage (13 or 13%)."""
    text = text.strip()
    percent = text.endswith("%")  # "0.5%" is half a percent, not 50%
    value, error = _decimal(text.rstrip("%").strip(), places=4, minimum=Decimal(0), maximum=Decimal(100))
    if error:
        return None, error
    if percent or value >= 1:
        value = value / 100
    if value >= 1:
        # A variable makes gettext %-format the message, which turns its "%%" into "%".
        return None, _l("Must be below 100%%.", limit=100)
    return value.quantize(Decimal("0.0001")), None


def _bool(text: str):
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True, None
    if lowered in FALSE:
        return False, None
    return None, _l("Use yes or no.")


def validate(session: Session, row: dict[str, str], *, sku_owner: int | None = None) -> Checked:
    """Check one product's fields (as text, from a form or a file row) the way a customs clerk would."""
    out = Checked()
    text = {key: (row.get(key) or "").strip() for key in COLUMNS}
    for key in REQUIRED:
        if not text[key]:
            out.errors[key] = _l("Required.")

    def put(key, value, error):
        if error:
            out.errors.setdefault(key, error)
        else:
            out.values[key] = value

    if text["sku"]:
        if len(text["sku"]) > 32:
            out.errors["sku"] = _l("At most %(n)d characters.", n=32)
        elif not SKU_PATTERN.fullmatch(text["sku"]):
            # The SKU is part of the product page's address and of customs documents (itemNo).
            out.errors["sku"] = _l("Use only letters, digits, dots, hyphens and underscores.")
        else:
            other = session.scalar(select(Product.id).where(Product.sku == text["sku"]))
            if other is not None and other != sku_owner:
                out.errors["sku"] = _l("Another product already has this SKU.")
            out.values["sku"] = text["sku"]
    for key, limit in (("name_zh", 200), ("name_en", 200), ("barcode", 32), ("item_record_no", 32)):
        if len(text[key]) > limit:
            out.errors[key] = _l("At most %(n)d characters.", n=limit)
        else:  # an emptied barcode or item number is cleared
            out.values[key] = text[key] or None if key in ("barcode", "item_record_no") else text[key]
    out.values["description_zh"] = text["description_zh"]
    out.values["description_en"] = text["description_en"]
    if text["barcode"] and not (text["barcode"].isascii() and text["barcode"].isdigit()):
        out.errors["barcode"] = _l("Digits only.")

    if text["brand"]:
        brand = session.scalar(select(Brand).where((Brand.slug == text["brand"]) | (Brand.name == text["brand"])))
        put("brand", brand, None if brand else _l("No such brand."))
    if text["category"]:
        category = session.scalar(select(Category).where(Category.slug == text["category"]))
        put("category", category, None if category else _l("No such category."))
    if text["origin_code"]:
        put("origin_code", text["origin_code"],
            None if codes.country(text["origin_code"]) else _l("Not a country code of the customs table."))
    if text["hs_code"]:
        hs = codes.hs_code(text["hs_code"])
        put("hs_code", text["hs_code"], None if hs else _l("This HS code is not in the tariff table."))
    if text["unit_code"]:
        put("unit_code", text["unit_code"],
            None if text["unit_code"] in codes.units() else _l("Not a unit code of the customs table."))
    if text["net_content_unit"]:
        try:
            put("net_content_unit", NetContentUnit(text["net_content_unit"]), None)
        except ValueError:
            out.errors["net_content_unit"] = _l("Use ml, g or piece.")
    ct = text["consumption_tax_category"] or ConsumptionTaxCategory.NONE.value
    try:
        out.values["consumption_tax_category"] = ConsumptionTaxCategory(ct)
    except ValueError:
        out.errors["consumption_tax_category"] = _l("Unknown consumption-tax category.")

    for key, places in (("net_content", 2), ("price", 2), ("net_weight_kg", 4), ("gross_weight_kg", 4)):
        if text[key]:
            minimum = Decimal(0) if key == "price" else Decimal("0.0001")
            put(key, *_decimal(text[key], places=places, minimum=minimum, maximum=Decimal("9999999999")))
    for key in ("vat_rate", "tariff_rate"):
        if text[key]:
            put(key, *_rate(text[key]))
    if text["max_per_order"]:
        if text["max_per_order"].isdecimal() and 1 <= int(text["max_per_order"]) <= 99:
            out.values["max_per_order"] = int(text["max_per_order"])
        else:
            out.errors["max_per_order"] = _l("A whole number from 1 to 99.")
    for key in ("on_positive_list", "published", "featured"):
        put(key, *_bool(text[key]))

    weights = out.values.get("net_weight_kg"), out.values.get("gross_weight_kg")
    if None not in weights and weights[1] < weights[0]:
        out.errors["gross_weight_kg"] = _l("The gross weight cannot be below the net weight.")
    if out.values.get("published") and out.values.get("on_positive_list") is False:
        out.errors["published"] = _l("Only goods confirmed on the positive list can be published.")
    category = out.values.get("consumption_tax_category")
    if category is ConsumptionTaxCategory.COSMETICS and not text["net_content"]:
        out.errors["net_content"] = _l("Cosmetics need their net content for the high-end line.")
    return out


def apply(product: Product, values: dict) -> None:
    for key, value in values.items():
        setattr(product, key, value)


def save_product(session: Session, row: dict[str, str], *, actor_id: int | None,
                 product: Product | None = None) -> tuple[Product | None, dict]:
    """Create or update a product from form fields; returns (product, errors). Nothing changes on errors."""
    checked = validate(session, row, sku_owner=product.id if product else None)
    if checked.errors:
        return None, checked.errors
    before = snapshot(product) if product else None
    if product is None:
        product = Product()
        session.add(product)
    apply(product, checked.values)
    session.flush()
    record(session, actor_id=actor_id, action="product.update" if before else "product.create", obj=product,
           before=before, summary=product.sku)
    catalogue_changed(session)
    return product, {}


class PublishRefused(Exception):
    pass


def set_published(session: Session, product: Product, published: bool, *, actor_id: int | None) -> None:
    """Publish or withdraw a product; only positive-list goods can be published."""
    if published and not product.on_positive_list:
        raise PublishRefused(_l("Only goods confirmed on the positive list can be published."))
    before = snapshot(product)
    product.published = published
    record(session, actor_id=actor_id, action="product.publish" if published else "product.unpublish",
           obj=product, before=before, summary=product.sku)
    catalogue_changed(session)


# --- import and export -----------------------------------------------------------------------------


def rows_from_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")  # Excel writes a BOM; accept files with or without one
    reader = csv.DictReader(io.StringIO(text))
    return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]


def rows_from_xlsx(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    out = []
    for values in rows:
        if values is None or all(v is None for v in values):
            continue
        out.append({header[i]: "" if v is None else str(v) for i, v in enumerate(values) if i < len(header)})
    workbook.close()
    return out


def import_products(session: Session, rows: list[dict[str, str]], *, actor_id: int | None) -> tuple[int, int]:
    """Create or update products by SKU from rows — all of them, or none (ImportRefused lists every error)."""
    errors: list[tuple[int, str, str]] = []
    if not rows:
        raise ImportRefused([(1, "", str(_l("The file has no product rows.")))])
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise ImportRefused([(1, c, str(_l("Missing column."))) for c in missing])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRefused([(1, "", str(_l("At most %(n)d rows per file.", n=MAX_IMPORT_ROWS)))])
    seen: dict[str, int] = {}
    checked_rows = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        sku = (row.get("sku") or "").strip()
        owner = session.scalar(select(Product).where(Product.sku == sku)) if sku else None
        checked = validate(session, row, sku_owner=owner.id if owner else None)
        if sku and sku in seen:
            checked.errors["sku"] = _l("The same SKU is already on row %(row)d.", row=seen[sku])
        seen.setdefault(sku, number)
        errors += [(number, column, str(message)) for column, message in checked.errors.items()]
        checked_rows.append((owner, checked))
    if errors:
        raise ImportRefused(sorted(errors))
    created = updated = 0
    for owner, checked in checked_rows:
        before = snapshot(owner) if owner else None
        product = owner or Product()
        if owner is None:
            session.add(product)
            created += 1
        else:
            updated += 1
        apply(product, checked.values)
        session.flush()
        record(session, actor_id=actor_id, action="product.import", obj=product, before=before,
               summary=product.sku)
    catalogue_changed(session)
    return created, updated


def export_row(product: Product) -> list[str]:
    values = {
        **{key: getattr(product, key) for key in COLUMNS if hasattr(product, key)},
        "brand": product.brand.slug, "category": product.category.slug,
    }
    out = []
    for key in COLUMNS:
        value = values.get(key)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif hasattr(value, "value"):
            value = value.value
        out.append("" if value is None else str(value))
    return out


def export_csv(products) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for product in products:
        writer.writerow(export_row(product))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(products) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    sheet.append(list(COLUMNS))
    for product in products:
        sheet.append(export_row(product))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- images ----------------------------------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_SIZE = 1200
THUMB_SIZE = 400


class BadImage(Exception):
    pass


def add_image(session: Session, product: Product, data: bytes, *, media_root: str, actor_id: int | None):
    """Check an uploaded photo (a real JPEG, PNG or WebP of at most 5 MB), store it and its thumbnail."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise BadImage(_l("The photo is larger than 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise BadImage(_l("This file is not a photo the shop can use (JPEG, PNG or WebP).")) from exc
    if image.format not in IMAGE_FORMATS:
        raise BadImage(_l("This file is not a photo the shop can use (JPEG, PNG or WebP)."))
    position = len(product.images) + 1
    folder = Path(media_root) / "products"
    folder.mkdir(parents=True, exist_ok=True)
    # Named by the product's id: a SKU may hold characters unfit for a file name ("/"), and may change hands.
    name = f"{product.id}-u{position}"
    image = image.convert("RGB")
    image.thumbnail((IMAGE_SIZE, IMAGE_SIZE))
    image.save(folder / f"{name}.jpg", "JPEG", quality=85)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    thumb.save(folder / f"{name}-thumb.jpg", "JPEG", quality=80)
    product_image = ProductImage(product=product, filename=f"products/{name}.jpg", position=position)
    session.add(product_image)
    record(session, actor_id=actor_id, action="product.image", obj=product, summary=product_image.filename)
    catalogue_changed(session)  # the cards show the first photo
    return product_image
