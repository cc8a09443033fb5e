"""Shelf labels for the hall: choose products, get a printable PDF (read back with pypdf).

pypdf extracts the Chinese text too: the labels use the standard CID font STSong-Light with the UniGB-UCS2-H
encoding, which maps straight back to Unicode, so the tests read 税费 and the product's Chinese name.
"""

from __future__ import annotations

import html as htmllib
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from shop.accounts.models import Role
from shop.catalog import labels
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from tests import factories
from tests.functional.helpers import sign_in

D = Decimal


def _wine(session, **kw):
    return factories.product(
        session, name_zh="波尔多红葡萄酒", name_en="Bordeaux red wine", hs_code="2204210000", origin_code="305",
        unit_code="142", price=D("299.00"), vat_rate=D("0.13"), consumption_tax_category=ConsumptionTaxCategory.WINE,
        tariff_rate=D("0.14"), net_content=D("750"), net_content_unit=NetContentUnit.ML,
        net_weight_kg=D("1.2"), gross_weight_kg=D("1.4"), **kw)


def _flashes(html: str) -> list[tuple[str, str]]:
    return [(kind, htmllib.unescape(text).strip())
            for kind, text in re.findall(r'<p class="flash flash-(\w+)">(.*?)</p>', html, re.S)]


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.data))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def staff_client(client, session):
    staff = factories.user(session, role=Role.STAFF)
    session.commit()
    assert sign_in(client, staff.email).status_code == 302
    assert client.get("/lang/en?next=/").status_code == 302
    client.get("/")  # shows (and so clears) the sign-in message
    return client


@pytest.fixture
def wine(session):
    product = _wine(session)
    session.commit()
    return product


def test_the_labels_of_chosen_products_are_a_pdf(staff_client, session, wine):
    milk = factories.product(session, name_zh="新西兰全脂奶粉", name_en="NZ whole milk powder", price=D("300.00"))
    session.commit()

    response = staff_client.post("/admin/labels.pdf", data={"sku": [wine.sku, milk.sku]})

    reader = _pdf(response)
    assert response.headers["Content-Disposition"] == "inline; filename=globalbuy-shelf-labels.pdf"
    assert len(reader.pages) == 1
    text = _text(reader)
    for expected in (wine.sku, "¥299.00", "53.49", "Bordeaux red wine", "波尔多红葡萄酒", "税费", "Tax ¥53.49",
                     "原产国 法国 / Origin France", "扫码下单 Scan to order",
                     milk.sku, "¥300.00", "NZ whole milk powder", "新西兰全脂奶粉", "原产国 新西兰"):  # (the rest is cut to fit)
        assert expected in text, expected
    # In the order chosen.
    assert text.index(wine.sku) < text.index(milk.sku)
    # The Chinese text is set in the standard CID font (no font file embedded).
    fonts = {font.get_object()["/BaseFont"] for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert "/STSong-Light" in fonts


def test_21_labels_fit_a_page_so_22_products_take_two(staff_client, session, wine):
    others = [factories.product(session, price=D("100.00") + n) for n in range(21)]
    session.commit()
    skus = [wine.sku] + [p.sku for p in others]

    reader = _pdf(staff_client.post("/admin/labels.pdf", data={"sku": skus}))

    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert all(sku in first for sku in skus[:21])
    assert skus[21] in second and skus[20] not in second
    assert "¥299.00" in first and "53.49" in first


def test_each_qr_code_opens_the_product_page(staff_client, session, wine, app, monkeypatch):
    other = factories.product(session, sku="GB-MK-001")
    session.commit()
    encoded = []

    class RecordingQrCode(labels.QrCodeWidget):
        def __init__(self, value, **kw):
            encoded.append(value)
            super().__init__(value, **kw)

    monkeypatch.setattr(labels, "QrCodeWidget", RecordingQrCode)
    monkeypatch.setitem(app.config, "SHOP_BASE_URL", "https://hall.globalbuy.example/")

    _pdf(staff_client.post("/admin/labels.pdf", data={"sku": [wine.sku, other.sku]}))

    assert encoded == [f"https://hall.globalbuy.example/p/{wine.sku}", "https://hall.globalbuy.example/p/GB-MK-001"]


def test_the_qr_drawing_holds_the_address_it_was_given():
    drawing = labels._qr("https://hall.globalbuy.example/p/GB-WN-001")

    (widget,) = drawing.contents
    assert isinstance(widget, labels.QrCodeWidget) and widget.value == "https://hall.globalbuy.example/p/GB-WN-001"
    assert (drawing.width, drawing.height) == (labels.QR_SIZE, labels.QR_SIZE)


@pytest.mark.parametrize("data", [{}, {"sku": ""}, {"sku": "NO-SUCH-SKU"}], ids=["none", "empty", "unknown"])
def test_without_a_chosen_product_the_form_says_so(staff_client, data):
    response = staff_client.post("/admin/labels.pdf", data=data)

    assert response.status_code == 302 and response.headers["Location"] == "/admin/labels"
    assert _flashes(staff_client.get("/admin/labels").text) == [("error", "Choose at least one product.")]


def test_the_form_lists_published_products_and_searches(staff_client, session, wine):
    draft = factories.product(session, name_en="Unpublished draft", published=False)
    session.commit()

    response = staff_client.get("/admin/labels")

    assert response.status_code == 200
    assert f'value="{wine.sku}"' in response.text and "波尔多红葡萄酒" in response.text
    assert "¥299.00" in response.text
    assert f'value="{draft.sku}"' not in response.text
    assert 'action="/admin/labels.pdf"' in response.text
    found = staff_client.get("/admin/labels?q=bordeaux").text
    assert f'value="{wine.sku}"' in found
    assert f'value="{wine.sku}"' not in staff_client.get("/admin/labels?q=nothing-like-it").text


def test_labels_are_for_staff_only(client, session, wine):
    assert client.post("/admin/labels.pdf", data={"sku": wine.sku}).status_code == 302  # to the sign-in page
    shopper = factories.user(session)
    session.commit()
    sign_in(client, shopper.email)
    assert client.post("/admin/labels.pdf", data={"sku": wine.sku}).status_code == 403
    assert client.get("/admin/labels").status_code == 403
