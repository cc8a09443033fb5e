"""Catalogue management services against a real database: validation, save, publish, import/export, photos."""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shop.audit import AuditEntry
from shop.catalog import manage
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit, Product, ProductImage
from tests import factories
from tests.backoffice import WINE_HS, png_bytes, wine_row


@pytest.fixture
def refs(session):
    return factories.brand(session, slug="chateau-x", name="Chateau X", name_zh="X酒庄"), factories.category(
        session, slug="wine", name_zh="葡萄酒", name_en="Wine")


def _row(refs, **overrides):
    return wine_row(*refs, **overrides)


def _errors(session, row, **kw) -> dict[str, str]:
    return {k: str(v) for k, v in manage.validate(session, row, **kw).errors.items()}


def _count(session) -> int:
    return session.scalar(select(func.count(Product.id)))


# --- validate and save ------------------------------------------------------------------------------


def test_a_valid_row_saves_a_product_with_the_legal_units_of_its_hs_code(session, in_request, refs):
    product, errors = manage.save_product(session, _row(refs), actor_id=None)

    assert errors == {}
    assert product.id is not None
    assert (product.hs_code, product.legal_unit1, product.legal_unit2) == (WINE_HS, "095", "035")
    assert product.brand.slug == "chateau-x" and product.category.slug == "wine"
    assert product.net_content == Decimal("750") and product.net_content_unit is NetContentUnit.ML
    assert product.consumption_tax_category is ConsumptionTaxCategory.WINE
    assert product.on_positive_list and product.published


def test_the_legal_units_follow_a_changed_hs_code(session, in_request, refs):
    product, _ = manage.save_product(session, _row(refs), actor_id=None)

    manage.save_product(session, _row(refs, hs_code="1901101000", net_content_unit="g",
                                      consumption_tax_category="none"), actor_id=None, product=product)

    assert (product.hs_code, product.legal_unit1, product.legal_unit2) == ("1901101000", "035", None)


@pytest.mark.parametrize("text", ["13", "0.13", "13%", " 13 % ".strip(), "13.00"])
def test_rates_as_a_fraction_or_a_percentage(session, in_request, refs, text):
    checked = manage.validate(session, _row(refs, vat_rate=text))

    assert checked.errors == {}
    assert checked.values["vat_rate"] == Decimal("0.13")


def test_a_small_percentage_with_its_sign_is_a_percentage(session, in_request, refs):
    """0.5% is half a percent: the % sign says so, whatever the size of the number."""
    checked = manage.validate(session, _row(refs, tariff_rate="0.5%"))

    assert checked.values["tariff_rate"] == Decimal("0.005")


@pytest.mark.parametrize(("text", "message"), [
    ("100", "Must be below 100%."),
    ("101", "Must be between 0 and 100."),
    ("-1", "Must be between 0 and 100."),
    ("abc", "Not a number."),
    ("0.123456", "At most 4 decimal places."),
])
def test_bad_rates_are_refused(session, in_request, refs, text, message):
    assert _errors(session, _row(refs, vat_rate=text)) == {"vat_rate": message}


def test_an_unknown_hs_code_is_refused(session, in_request, refs):
    assert _errors(session, _row(refs, hs_code="2204219999")) == {
        "hs_code": "This HS code is not in the tariff table."}


def test_the_positive_list_is_confirmed_before_publishing(session, in_request, refs):
    assert _errors(session, _row(refs, on_positive_list="no")) == {
        "published": "Only goods confirmed on the positive list can be published."}
    assert _errors(session, _row(refs, on_positive_list="no", published="no")) == {}


def test_cosmetics_need_their_net_content(session, in_request, refs):
    errors = _errors(session, _row(refs, hs_code="3304990099", consumption_tax_category="cosmetics",
                                   net_content=""))

    assert errors == {"net_content": "Cosmetics need their net content for the high-end line."}


def test_a_gross_weight_below_the_net_weight_is_refused(session, in_request, refs):
    assert _errors(session, _row(refs, net_weight_kg="1.2", gross_weight_kg="1.1")) == {
        "gross_weight_kg": "The gross weight cannot be below the net weight."}


def test_a_duplicate_sku_is_refused_but_a_product_keeps_its_own(session, in_request, refs):
    product, _ = manage.save_product(session, _row(refs), actor_id=None)

    assert _errors(session, _row(refs)) == {"sku": "Another product already has this SKU."}
    assert _errors(session, _row(refs), sku_owner=product.id) == {}


@pytest.mark.parametrize(("column", "value", "message"), [
    ("brand", "", "Required."),
    ("brand", "no-such-brand", "No such brand."),
    ("category", "nope", "No such category."),
    ("origin_code", "000", "Not a country code of the customs table."),
    ("unit_code", "xyz", "Not a unit code of the customs table."),
    ("net_content_unit", "kg", "Use ml, g or piece."),
    ("consumption_tax_category", "tobacco", "Unknown consumption-tax category."),
    ("price", "12,00x", "Not a number."),
    ("price", "-1", "Must be between 0 and 9999999999."),
    ("price", "1.005", "At most 2 decimal places."),
    ("net_weight_kg", "0", "Must be between 0.0001 and 9999999999."),
    ("max_per_order", "0", "A whole number from 1 to 99."),
    ("barcode", "37601-2", "Digits only."),
    ("published", "maybe", "Use yes or no."),
    ("name_zh", "长" * 201, "At most 200 characters."),
])
def test_bad_fields_are_named(session, in_request, refs, column, value, message):
    assert _errors(session, _row(refs, **{column: value})) == {column: message}


@pytest.mark.parametrize(("column", "value", "message"), [
    ("barcode", "３７６０１２３４５６７８９", "Digits only."),  # full-width digits, as a Chinese keyboard may type
    ("max_per_order", "²", "A whole number from 1 to 99."),
])
def test_unicode_digits_are_not_numbers(session, in_request, refs, column, value, message):
    assert _errors(session, _row(refs, **{column: value})) == {column: message}


def test_nothing_is_saved_when_a_field_is_wrong(session, in_request, refs):
    before = _count(session)

    product, errors = manage.save_product(session, _row(refs, hs_code="0000000000"), actor_id=None)

    assert product is None and "hs_code" in errors
    assert _count(session) == before


def test_a_cleared_barcode_is_cleared(session, in_request, refs):
    product, _ = manage.save_product(session, _row(refs, item_record_no="T0001"), actor_id=None)

    manage.save_product(session, _row(refs, barcode="", item_record_no=""), actor_id=None, product=product)

    assert product.barcode is None and product.item_record_no is None


def test_save_records_who_changed_what(session, in_request, refs):
    staff = factories.user(session)
    product, _ = manage.save_product(session, _row(refs), actor_id=staff.id)
    manage.save_product(session, _row(refs, price="279.00"), actor_id=staff.id, product=product)

    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.object_type == "product",
                                                             AuditEntry.object_id == str(product.id))
                                   .order_by(AuditEntry.id)))

    assert [e.action for e in entries] == ["product.create", "product.update"]
    assert all(e.actor_id == staff.id for e in entries)
    assert ("price", "299.00", "279.00") in entries[1].changes()
    assert "search_text" not in entries[1].after


def test_set_published_refuses_off_list_goods(session, in_request, refs):
    product = factories.product(session, on_positive_list=False, published=False)

    with pytest.raises(manage.PublishRefused):
        manage.set_published(session, product, True, actor_id=None)
    manage.set_published(session, product, False, actor_id=None)

    assert product.published is False


# --- import and export ------------------------------------------------------------------------------


def test_csv_export_starts_with_a_bom_and_reads_back(session, in_request, refs):
    product, _ = manage.save_product(session, _row(refs), actor_id=None)
    session.refresh(product)  # as the database gives it back

    data = manage.export_csv([product])

    assert data.startswith(b"\xef\xbb\xbf")
    rows = manage.rows_from_csv(data)
    assert rows == [_row(refs, item_record_no="", price="299.00", net_content="750.00", vat_rate="0.1300",
                         tariff_rate="0.1400", net_weight_kg="1.2000", gross_weight_kg="1.4000")]


def test_csv_without_a_bom_is_read_too(session, in_request, refs):
    data = manage.export_csv([factories.product(session, name_zh="新西兰奶粉")])

    assert manage.rows_from_csv(data[3:])[0]["name_zh"] == "新西兰奶粉"


def test_import_creates_and_updates_by_sku(session, in_request, refs):
    existing = factories.product(session, price=Decimal("100.00"))
    update = dict(zip(manage.COLUMNS, manage.export_row(existing), strict=True), price="120.00")

    created, updated = manage.import_products(session, [_row(refs), update], actor_id=None)

    assert (created, updated) == (1, 1)
    assert existing.price == Decimal("120.00")
    assert session.scalar(select(Product).where(Product.sku == "FR-BDX-750")).legal_unit1 == "095"


def test_import_checks_every_row_and_imports_nothing_on_any_error(session, in_request, refs):
    before = _count(session)
    rows = [
        _row(refs, sku="GOOD-1"),
        _row(refs, sku="BAD-HS", hs_code="1234567890"),
        _row(refs, sku="BAD-PRICE", price="abc"),
        _row(refs, sku="NO-BRAND", brand=""),
        _row(refs, sku="GOOD-1"),
        _row(refs, sku="HEAVY", gross_weight_kg="1.0"),
        _row(refs, sku="GOOD-2"),
    ]

    with pytest.raises(manage.ImportRefused) as refused:
        manage.import_products(session, rows, actor_id=None)

    assert refused.value.errors == [
        (3, "hs_code", "This HS code is not in the tariff table."),
        (4, "price", "Not a number."),
        (5, "brand", "Required."),
        (6, "sku", "The same SKU is already on row 2."),
        (7, "gross_weight_kg", "The gross weight cannot be below the net weight."),
    ]
    assert _count(session) == before


def test_two_rows_without_a_sku_are_each_told_it_is_required(session, in_request, refs):
    with pytest.raises(manage.ImportRefused) as refused:
        manage.import_products(session, [_row(refs, sku=""), _row(refs, sku="")], actor_id=None)

    assert refused.value.errors == [(2, "sku", "Required."), (3, "sku", "Required.")]


def test_import_needs_the_required_columns_and_a_row(session, in_request, refs):
    with pytest.raises(manage.ImportRefused) as empty:
        manage.import_products(session, [], actor_id=None)
    row = _row(refs)
    del row["hs_code"], row["price"]
    with pytest.raises(manage.ImportRefused) as missing:
        manage.import_products(session, [row], actor_id=None)

    assert empty.value.errors == [(1, "", "The file has no product rows.")]
    assert missing.value.errors == [(1, "hs_code", "Missing column."), (1, "price", "Missing column.")]


def test_export_then_import_changes_nothing(session, in_request, refs):
    factories.product(session, name_zh="爱他美奶粉 1段", description_zh="含“引号”, 逗号\n和换行", barcode="123")
    factories.product(session, name_zh="波尔多红葡萄酒", hs_code=WINE_HS, published=False, on_positive_list=False)
    products = list(session.scalars(select(Product).order_by(Product.id)))
    before = [manage.export_row(p) for p in products]
    count = _count(session)

    created, updated = manage.import_products(session, manage.rows_from_csv(manage.export_csv(products)),
                                              actor_id=None)

    assert (created, updated) == (0, len(products))
    assert _count(session) == count
    session.expire_all()
    assert [manage.export_row(p) for p in session.scalars(select(Product).order_by(Product.id))] == before


def test_xlsx_export_and_import(session, in_request, refs):
    from openpyxl import load_workbook

    product, _ = manage.save_product(session, _row(refs, name_zh="波尔多红葡萄酒"), actor_id=None)

    data = manage.export_xlsx([product])

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == manage.COLUMNS
    assert values[1][manage.COLUMNS.index("name_zh")] == "波尔多红葡萄酒"
    assert values[1][manage.COLUMNS.index("hs_code")] == WINE_HS
    rows = manage.rows_from_xlsx(data)
    assert rows[0]["sku"] == "FR-BDX-750"
    assert manage.import_products(session, rows, actor_id=None) == (0, 1)


def test_xlsx_with_typed_cells_is_read_as_text(session, in_request, refs):
    """A sheet typed by hand in Excel holds numbers and empty cells, not text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    row = _row(refs, sku="XL-1")
    sheet.append(list(row))
    typed = {**row, "price": 299, "net_content": 750, "vat_rate": 0.13, "net_weight_kg": 1.2,
             "gross_weight_kg": 1.4, "max_per_order": 6, "hs_code": int(WINE_HS), "barcode": None}
    sheet.append([typed[k] for k in row])
    sheet.append([None] * len(row))  # an empty row at the end is skipped
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert manage.import_products(session, manage.rows_from_xlsx(buffer.getvalue()), actor_id=None) == (1, 0)
    product = session.scalar(select(Product).where(Product.sku == "XL-1"))
    assert (product.price, product.vat_rate, product.hs_code) == (Decimal("299.00"), Decimal("0.13"), WINE_HS)


# --- photos -----------------------------------------------------------------------------------------


def _stored(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


@pytest.fixture
def media(tmp_path):
    return tmp_path


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_photo_is_stored_as_jpeg_with_a_thumbnail(session, in_request, media, fmt):
    from PIL import Image

    product = factories.product(session, sku=f"IMG-{fmt}")

    image = manage.add_image(session, product, png_bytes((2000, 1000), fmt=fmt), media_root=str(media),
                             actor_id=None)

    assert image.filename == f"products/{product.id}-u1.jpg"
    thumb_name = f"products/{product.id}-u1-thumb.jpg"
    assert _stored(media) == {image.filename, thumb_name}
    with Image.open(media / image.filename) as big, Image.open(media / thumb_name) as thumb:
        assert big.format == thumb.format == "JPEG"
        assert big.size == (manage.IMAGE_SIZE, manage.IMAGE_SIZE // 2)
        assert max(thumb.size) == manage.THUMB_SIZE
    assert session.scalar(select(func.count(ProductImage.id)).where(ProductImage.product_id == product.id)) == 1


def test_a_second_photo_gets_the_next_position(session, in_request, media):
    product = factories.product(session, sku="IMG-TWO")

    manage.add_image(session, product, png_bytes(), media_root=str(media), actor_id=None)
    second = manage.add_image(session, product, png_bytes(), media_root=str(media), actor_id=None)

    assert (second.position, second.filename) == (2, f"products/{product.id}-u2.jpg")


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge picture (a decompression bomb) with hardly any data."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(
        b"IEND", b"")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "This file is not a photo the shop can use (JPEG, PNG or WebP)."),
    (b"this is a text file, renamed to .jpg\n", "This file is not a photo the shop can use (JPEG, PNG or WebP)."),
    (png_bytes()[:60], "This file is not a photo the shop can use (JPEG, PNG or WebP)."),
    (png_bytes(fmt="GIF"), "This file is not a photo the shop can use (JPEG, PNG or WebP)."),
    (_png_header(40_000, 40_000), "This file is not a photo the shop can use (JPEG, PNG or WebP)."),
    (b"\x89PNG" + b"\0" * manage.MAX_IMAGE_BYTES, "The photo is larger than 5 MB."),
], ids=["empty", "text", "truncated", "gif", "bomb", "too-large"])
def test_a_bad_photo_is_refused_and_nothing_is_stored(session, in_request, media, data, message):
    product = factories.product(session)

    with pytest.raises(manage.BadImage) as refused:
        manage.add_image(session, product, data, media_root=str(media), actor_id=None)

    assert str(refused.value.args[0]) == message
    assert _stored(media) == set()
    assert session.scalar(select(func.count(ProductImage.id)).where(ProductImage.product_id == product.id)) == 0
