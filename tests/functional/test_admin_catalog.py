"""The back office's catalogue pages: the product form, publishing, photos, bulk import and export."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from shop.catalog import manage
from shop.catalog.models import Product, ProductImage
from tests import factories
from tests.backoffice import (
    WINE_HS,
    field_errors,
    flashes,
    form_data,
    import_errors,
    png_bytes,
    signed_in,
    wine_row,
)

HS_UNKNOWN = "This HS code is not in the tariff table."
NOT_A_PHOTO = "This file is not a photo the shop can use (JPEG, PNG or WebP)."


@pytest.fixture
def refs(session):
    refs = (factories.brand(session, slug="chateau-x", name="Chateau X", name_zh="X酒庄"),
            factories.category(session, slug="red-wine", name_zh="红葡萄酒", name_en="Red wine"))
    session.commit()
    return refs


@pytest.fixture
def staff(session, english):
    return signed_in(session, english)


@pytest.fixture
def media(app, tmp_path, monkeypatch):
    """A media folder of this test's own (the app's is shared by the whole run)."""
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    return tmp_path


def _product(session, sku: str) -> Product | None:
    session.expire_all()
    return session.scalar(select(Product).where(Product.sku == sku))


def _count(session) -> int:
    return session.scalar(select(func.count(Product.id)))


def _create(client, refs, **overrides):
    return client.post("/admin/products/new", data=form_data(wine_row(*refs, **overrides)))


# --- the product form -------------------------------------------------------------------------------


def test_the_new_product_form(english, session, staff, refs):
    html = english.get("/admin/products/new").text

    assert "<h1>New product</h1>" in html
    assert 'value="chateau-x"' in html and 'value="red-wine"' in html
    assert 'name="vat_rate" type="text" value="0.13"' in html


def test_creating_a_product_fills_the_legal_units_from_the_hs_code(english, session, staff, refs):
    response = _create(english, refs)

    product = _product(session, "FR-BDX-750")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/products/{product.id}"
    assert (product.hs_code, product.legal_unit1, product.legal_unit2) == (WINE_HS, "095", "035")
    assert (product.price, product.vat_rate, product.tariff_rate) == (Decimal("299.00"), Decimal("0.13"),
                                                                     Decimal("0.14"))
    html = english.get(response.headers["Location"]).text
    assert "The product FR-BDX-750 is saved." in flashes(html)
    assert "legal unit 1: litre" in html and "legal unit 2: kg" in html


def test_editing_a_product(english, session, staff, refs):
    _create(english, refs)
    product = _product(session, "FR-BDX-750")

    response = english.post(f"/admin/products/{product.id}",
                            data=form_data(wine_row(*refs, name_en="Bordeaux red wine 2019", price="279.5")))

    assert response.status_code == 302
    product = _product(session, "FR-BDX-750")
    assert (product.name_en, product.price) == ("Bordeaux red wine 2019", Decimal("279.50"))
    html = english.get(f"/admin/products/{product.id}").text
    assert 'value="Bordeaux red wine 2019"' in html and 'value="279.50"' in html


@pytest.mark.parametrize("rate", ["13", "0.13", "13%"])
def test_the_vat_rate_as_a_fraction_or_a_percentage(english, session, staff, refs, rate):
    assert _create(english, refs, vat_rate=rate).status_code == 302

    assert _product(session, "FR-BDX-750").vat_rate == Decimal("0.13")


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"hs_code": "2204219999"}, "hs_code", HS_UNKNOWN),
    ({"on_positive_list": "no"}, "published", "Only goods confirmed on the positive list can be published."),
    ({"hs_code": "3304990099", "consumption_tax_category": "cosmetics", "net_content": ""}, "net_content",
     "Cosmetics need their net content for the high-end line."),
    ({"gross_weight_kg": "1.0"}, "gross_weight_kg", "The gross weight cannot be below the net weight."),
    ({"price": "-5"}, "price", "Must be between 0 and 9999999999."),
    ({"vat_rate": "abc"}, "vat_rate", "Not a number."),
], ids=["unknown-hs", "off-list", "cosmetics", "gross-below-net", "negative-price", "bad-rate"])
def test_the_form_refuses_bad_values_and_saves_nothing(english, session, staff, refs, overrides, field, message):
    before = _count(session)

    response = _create(english, refs, **overrides)

    assert response.status_code == 400
    assert field_errors(response.text) == {field: message}
    assert "Please correct the fields marked below. Nothing was saved." in response.text
    assert _count(session) == before
    assert f'aria-describedby="{field}-errors"' in response.text
    assert 'value="FR-BDX-750"' in response.text  # what was typed is kept


def test_a_duplicate_sku_is_refused(english, session, staff, refs):
    factories.product(session, sku="FR-BDX-750")
    session.commit()

    response = _create(english, refs)

    assert response.status_code == 400
    assert field_errors(response.text) == {"sku": "Another product already has this SKU."}


def test_a_product_keeps_its_own_sku_when_edited(english, session, staff, refs):
    _create(english, refs)
    product = _product(session, "FR-BDX-750")

    assert english.post(f"/admin/products/{product.id}", data=form_data(wine_row(*refs))).status_code == 302


def test_an_unknown_product_is_404(english, session, staff):
    assert english.get("/admin/products/999999").status_code == 404


def test_the_form_in_chinese(client, session, refs):
    signed_in(session, client)

    response = _create(client, refs, hs_code="2204219999")

    assert '<html lang="zh-CN">' in response.text
    assert field_errors(response.text) == {"hs_code": "税则中没有这个海关商品编码。"}
    assert HS_UNKNOWN not in response.text
    assert "Please correct the fields" not in response.text


# --- publishing -------------------------------------------------------------------------------------


def test_publish_and_withdraw_change_what_the_shop_sells(english, session, staff, refs, other_client):
    _create(english, refs, published="no")
    product = _product(session, "FR-BDX-750")
    factories.lot(session, product, 20)
    session.commit()
    product_id = product.id
    assert other_client.get("/p/FR-BDX-750").status_code == 404
    assert "FR-BDX-750" not in other_client.get("/products").text

    response = english.post(f"/admin/products/{product_id}/publish", data={"publish": "1"})

    assert response.status_code == 302
    assert "Published." in flashes(english.get(response.headers["Location"]).text)
    assert other_client.get("/p/FR-BDX-750").status_code == 200
    assert "/p/FR-BDX-750" in other_client.get("/products").text

    english.post(f"/admin/products/{product_id}/publish", data={"publish": "0"})

    assert _product(session, "FR-BDX-750").published is False
    assert other_client.get("/p/FR-BDX-750").status_code == 404


def test_the_edit_page_offers_publish_or_withdraw(english, session, staff):
    draft = factories.product(session, published=False)
    live = factories.product(session)
    session.commit()

    assert ">Publish</button>" in english.get(f"/admin/products/{draft.id}").text
    html = english.get(f"/admin/products/{live.id}").text
    assert ">Withdraw from sale</button>" in html and f'href="/p/{live.sku}"' in html


def test_an_off_list_product_cannot_be_published_with_the_button(english, session, staff):
    product = factories.product(session, on_positive_list=False, published=False)
    session.commit()

    response = english.post(f"/admin/products/{product.id}/publish", data={"publish": "1"})

    assert response.status_code == 303
    assert "Only goods confirmed on the positive list can be published." in flashes(
        english.get(response.headers["Location"]).text)
    assert _product(session, product.sku).published is False


# --- photos -----------------------------------------------------------------------------------------


def _multipart(client, url: str, field: str, data: bytes, filename: str):
    """POST one file. (Encoded in memory: the test client would spool a large body to a file it never closes.)"""
    boundary, body = encode_multipart({field: FileStorage(io.BytesIO(data), filename)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _upload(client, product, data: bytes, filename: str = "photo.png"):
    return _multipart(client, f"/admin/products/{product.id}/images", "image", data, filename)


def _files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def _images(session, product) -> list[str]:
    return list(session.scalars(select(ProductImage.filename).where(ProductImage.product_id == product.id)))


@pytest.mark.parametrize(("fmt", "filename"), [("PNG", "photo.png"), ("JPEG", "photo.jpg")])
def test_a_photo_is_stored_with_a_thumbnail_and_shown_in_the_shop(english, session, staff, media, other_client,
                                                                   fmt, filename):
    product = factories.product(session, name_zh="新西兰奶粉")
    factories.lot(session, product)
    session.commit()

    response = _upload(english, product, png_bytes((800, 600), fmt=fmt), filename)

    assert response.status_code == 302
    assert "The photo is added." in flashes(english.get(response.headers["Location"]).text)
    [stored] = _images(session, product)
    thumb = stored.replace(".jpg", "-thumb.jpg")
    assert _files(media) == {stored, thumb}
    assert stored.startswith("products/")
    html = other_client.get(f"/p/{product.sku}").text
    assert f'src="/media/{stored}"' in html
    served = other_client.get(f"/media/{stored}")
    assert served.status_code == 200 and served.data.startswith(b"\xff\xd8")  # a JPEG
    served.close()


def test_a_photo_of_a_sku_with_a_slash_stays_in_the_media_folder(english, session, staff, media):
    product = factories.product(session, sku="FR/BDX-1")
    session.commit()

    assert _upload(english, product, png_bytes()).status_code == 302

    [stored] = _images(session, product)
    assert _files(media) == {stored, stored.replace(".jpg", "-thumb.jpg")}
    assert stored.count("/") == 1  # products/<file>


def test_a_renamed_products_photo_is_not_overwritten_by_the_next_owner_of_its_sku(english, session, staff, media):
    first = factories.product(session, sku="SKU-A")
    session.commit()
    _upload(english, first, png_bytes(color=(255, 0, 0)))
    session.get(Product, first.id).sku = "SKU-A-OLD"
    second = factories.product(session, sku="SKU-A")
    session.commit()

    _upload(english, second, png_bytes(color=(0, 0, 255)))

    [first_file], [second_file] = _images(session, first), _images(session, second)
    assert first_file != second_file
    assert len(_files(media)) == 4


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"Not a photo at all, just text.\n", "photo.jpg", NOT_A_PHOTO),
    (b"", "empty.jpg", NOT_A_PHOTO),
    (png_bytes() + b"\0" * (5 * 1024 * 1024), "huge.png", "The photo is larger than 5 MB."),
], ids=["text-renamed-jpg", "empty", "over-5-MB"])
def test_a_bad_photo_is_refused_with_a_clear_message(english, session, staff, media, data, filename, message):
    product = factories.product(session)
    session.commit()

    response = _upload(english, product, data, filename)

    assert response.status_code == 302
    assert message in flashes(english.get(response.headers["Location"]).text)
    assert _files(media) == set()
    assert _images(session, product) == []


def test_uploading_without_a_file_asks_for_one(english, session, staff, media):
    product = factories.product(session)
    session.commit()

    response = english.post(f"/admin/products/{product.id}/images", data={},
                            content_type="multipart/form-data")

    assert "Please choose a photo to upload." in flashes(english.get(response.headers["Location"]).text)


def test_a_bad_photo_in_chinese(client, session, media):
    signed_in(session, client)
    product = factories.product(session)
    session.commit()

    response = _upload(client, product, b"text", "a.jpg")

    html = client.get(response.headers["Location"]).text
    assert "此文件不是可用的图片（JPEG、PNG 或 WebP）。" in flashes(html)
    assert NOT_A_PHOTO not in html


# --- import and export ------------------------------------------------------------------------------


def _import(client, data: bytes, filename: str = "products.csv"):
    return _multipart(client, "/admin/products/import", "file", data, filename)


def _csv(rows: list[dict[str, str]], bom: bool = True) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=manage.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def test_export_csv_is_utf8_with_a_bom_for_excel(english, session, staff):
    factories.product(session, name_zh="新西兰全脂奶粉")
    session.commit()

    response = english.get("/admin/products/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=globalbuy-products.csv"
    assert response.data.startswith(b"\xef\xbb\xbf" + b"sku,name_zh,")
    assert "新西兰全脂奶粉" in response.data.decode("utf-8-sig")


def test_an_unknown_export_format_is_404(english, session, staff):
    assert english.get("/admin/products/export.pdf").status_code == 404


def test_csv_with_a_bom_and_chinese_names_round_trips(english, session, staff):
    factories.product(session, name_zh="爱他美婴儿配方奶粉 1段", description_zh="含有“引号”，逗号, 和\n换行")
    factories.product(session, name_zh="波尔多红葡萄酒", hs_code=WINE_HS, published=False, on_positive_list=False)
    session.commit()
    exported = english.get("/admin/products/export.csv").data
    count = _count(session)

    response = _import(english, exported)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/products"
    assert f"Imported: 0 new and {count} updated products." in flashes(english.get("/admin/products").text)
    assert _count(session) == count
    assert english.get("/admin/products/export.csv").data == exported


def test_a_csv_creates_new_products(english, session, staff, refs):
    response = _import(english, _csv([wine_row(*refs, sku="NEW-1"), wine_row(*refs, sku="NEW-2", vat_rate="13%")],
                                     bom=False))

    assert response.status_code == 302
    assert _product(session, "NEW-2").vat_rate == Decimal("0.13")
    assert _product(session, "NEW-1").legal_unit1 == "095"


def test_a_csv_with_broken_rows_lists_every_error_and_imports_nothing(english, session, staff, refs):
    before = _count(session)
    rows = [
        wine_row(*refs, sku="GOOD-1"),
        wine_row(*refs, sku="BAD-HS", hs_code="9999999999"),
        wine_row(*refs, sku="BAD-PRICE", price="12元"),
        wine_row(*refs, sku="NO-BRAND", brand=""),
        wine_row(*refs, sku="GOOD-1", name_zh="重复"),
        wine_row(*refs, sku="LIGHT", net_weight_kg="2", gross_weight_kg="1.5"),
        wine_row(*refs, sku="GOOD-2"),
    ]

    response = _import(english, _csv(rows))

    assert response.status_code == 400
    assert "Nothing was imported. Please correct these 5 problems and upload the file again:" in response.text
    assert import_errors(response.text) == [
        ("3", "hs_code", HS_UNKNOWN),
        ("4", "price", "Not a number."),
        ("5", "brand", "Required."),
        ("6", "sku", "The same SKU is already on row 2."),
        ("7", "gross_weight_kg", "The gross weight cannot be below the net weight."),
    ]
    assert _count(session) == before
    assert _product(session, "GOOD-1") is None and _product(session, "GOOD-2") is None


def test_a_csv_with_broken_rows_in_chinese(client, session, refs):
    signed_in(session, client)

    response = _import(client, _csv([wine_row(*refs, hs_code="9999999999")]))

    assert response.status_code == 400
    assert '<html lang="zh-CN">' in response.text
    assert import_errors(response.text) == [("2", "hs_code", "税则中没有这个海关商品编码。")]
    assert "Nothing was imported" not in response.text


def test_a_csv_missing_a_column_is_refused(english, session, staff, refs):
    data = "\ufeffsku,name_zh\nX-1,某商品\n".encode()

    response = _import(english, data)

    assert response.status_code == 400
    assert ("1", "hs_code", "Missing column.") in import_errors(response.text)


@pytest.mark.parametrize(("data", "filename"), [
    ("sku,name_zh\n1,奶粉\n".encode("gbk"), "products.csv"),
    (b"PK\x03\x04 this is not a workbook", "products.xlsx"),
    (b"", "products.xlsx"),
], ids=["gbk-csv", "broken-xlsx", "empty-xlsx"])
def test_an_unreadable_file_is_refused(english, session, staff, data, filename):
    before = _count(session)

    response = _import(english, data, filename)

    assert response.status_code == 400
    assert "The file could not be read. Please upload a UTF-8 CSV or an XLSX file." in response.text
    assert _count(session) == before


def test_an_empty_csv_has_no_rows(english, session, staff):
    response = _import(english, b"\xef\xbb\xbf")

    assert response.status_code == 400
    assert import_errors(response.text) == [("1", "", "The file has no product rows.")]


def test_import_without_a_file(english, session, staff):
    response = english.post("/admin/products/import", data={}, content_type="multipart/form-data")

    assert response.status_code == 400
    assert "Please choose a CSV or XLSX file." in response.text


def test_xlsx_export_reads_back_with_openpyxl_and_imports(english, session, staff):
    from openpyxl import load_workbook

    product = factories.product(session, name_zh="新西兰全脂奶粉", price=Decimal("268.00"))
    session.commit()

    response = english.get("/admin/products/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == manage.COLUMNS
    mine = next(r for r in rows[1:] if r[0] == product.sku)
    assert mine[manage.COLUMNS.index("name_zh")] == "新西兰全脂奶粉"
    assert mine[manage.COLUMNS.index("price")] == "268.00"

    count = _count(session)
    assert _import(english, response.data, "globalbuy-products.xlsx").status_code == 302
    assert _count(session) == count


def test_an_xlsx_with_broken_rows_imports_nothing(english, session, staff, refs):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(manage.COLUMNS))
    sheet.append(list(wine_row(*refs, sku="XL-GOOD").values()))
    sheet.append(list(wine_row(*refs, sku="XL-BAD", max_per_order="0").values()))
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _import(english, buffer.getvalue(), "products.xlsx")

    assert response.status_code == 400
    assert import_errors(response.text) == [("3", "max_per_order", "A whole number from 1 to 99.")]
    assert _product(session, "XL-GOOD") is None


def test_the_products_list_searches_and_pages(english, session, staff):
    factories.product(session, sku="FIND-ME-1", name_en="Findable powder")
    session.commit()

    html = english.get("/admin/products?q=findable").text

    assert 'href="/admin/products/' in html and "FIND-ME-1" in html
    assert english.get("/admin/products?page=²").status_code == 200
    assert english.get("/admin/products?page=abc").status_code == 200
