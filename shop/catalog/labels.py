"""Shelf labels for the exhibition hall: a printable PDF, 3 × 7 labels on A4.

Each label has the Chinese and English name, the price with its estimated tax, the origin, and a QR code that
opens the product page (scan to order). Chinese text uses the standard Adobe-GB1 font STSong-Light, which
every PDF viewer supplies, so no font file ships with the shop.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from shop.cart.quote import estimate_for_product
from shop.catalog.models import Product
from shop.customs import codes
from shop.money import format_cny

CJK_FONT = "STSong-Light"
COLUMNS, ROWS = 3, 7
MARGIN_X, MARGIN_Y = 7 * mm, 10 * mm
LABEL_W = (A4[0] - 2 * MARGIN_X) / COLUMNS
LABEL_H = (A4[1] - 2 * MARGIN_Y) / ROWS
QR_SIZE = 24 * mm


def _fonts() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def _wrap(text: str, font: str, size: float, width: float, lines: int) -> list[str]:
    """Break text (Chinese has no spaces) into at most `lines` lines that fit `width`."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        cut = len(rest)
        while cut > 1 and pdfmetrics.stringWidth(rest[:cut], font, size) > width:
            cut -= 1
        out.append(rest[:cut])
        rest = rest[cut:].lstrip()
    if rest and out:
        out[-1] = _fit(None, out[-1] + rest, font, size, width)
    return out


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x2 - x1), 0, 0, QR_SIZE / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def render(products: Iterable[Product], product_url) -> bytes:
    """The PDF of shelf labels; `product_url(sku)` gives the address each QR code opens."""
    _fonts()
    products = list(products)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle("GlobalBuy shelf labels")
    text_w = LABEL_W - QR_SIZE - 8 * mm
    for index, product in enumerate(products):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            c.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + col * LABEL_W
        y = A4[1] - MARGIN_Y - (row + 1) * LABEL_H
        c.setStrokeGray(0.75)
        c.rect(x + 1 * mm, y + 1 * mm, LABEL_W - 2 * mm, LABEL_H - 2 * mm)
        tax = estimate_for_product(product).tax
        country = codes.country(product.origin_code)
        left, top = x + 4 * mm, y + LABEL_H - 7 * mm
        c.setFillGray(0)
        c.setFont(CJK_FONT, 9)
        for n, line in enumerate(_wrap(product.name_zh, CJK_FONT, 9, text_w, 2)):
            c.drawString(left, top - n * 3.8 * mm, line)
        c.setFont("Helvetica", 6.5)
        c.drawString(left, top - 8 * mm, _fit(c, product.name_en, "Helvetica", 6.5, text_w))
        c.setFont("Helvetica-Bold", 13)
        c.drawString(left, top - 14 * mm, format_cny(product.price))
        c.setFont(CJK_FONT, 7.5)
        c.drawString(left, top - 18 * mm, f"+ 税费 Tax {format_cny(tax)}")
        if country:  # (STSong-Light has no middle dot: a slash separates the languages)
            c.drawString(left, top - 21.5 * mm, _fit(c, f"原产国 {country.name_zh} / Origin {country.name_en}",
                                                     CJK_FONT, 7.5, text_w))
        c.setFont("Helvetica", 6.5)
        c.drawString(left, y + 4 * mm, product.sku)
        renderPDF.draw(_qr(product_url(product.sku)), c, x + LABEL_W - QR_SIZE - 3 * mm, y + (LABEL_H - QR_SIZE) / 2)
        c.setFont(CJK_FONT, 6)
        c.drawCentredString(x + LABEL_W - QR_SIZE / 2 - 3 * mm, y + 3 * mm, "扫码下单 Scan to order")
    c.showPage()
    c.save()
    return buffer.getvalue()
