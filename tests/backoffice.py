"""Helpers shared by the back-office tests (catalogue, stock, audit, roles): signed-in staff, form rows, pages."""

from __future__ import annotations

import html as htmllib
import io
import re

from shop.accounts.models import Role
from tests import factories
from tests.functional.helpers import sign_in

WINE_HS = "2204210000"  # 小包装的鲜葡萄酿造的酒: legal units 095 (litre) and 035 (kg)


def signed_in(session, client, role: Role = Role.STAFF, **kw):
    """A new user with `role`, committed and signed in on `client`."""
    user = factories.user(session, role=role, **kw)
    session.commit()
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.text
    return user


def wine_row(brand, category, /, **overrides) -> dict[str, str]:
    """Every column of a valid product (a French red wine), as text, the way the form and the files send it."""
    row = {
        "sku": "FR-BDX-750", "name_zh": "波尔多红葡萄酒", "name_en": "Bordeaux red wine",
        "description_zh": "法国波尔多产区", "description_en": "From Bordeaux", "brand": brand.slug,
        "category": category.slug, "origin_code": "305", "hs_code": WINE_HS, "on_positive_list": "yes",
        "unit_code": "142", "net_content": "750", "net_content_unit": "ml", "net_weight_kg": "1.2",
        "gross_weight_kg": "1.4", "price": "299.00", "vat_rate": "0.13", "consumption_tax_category": "wine",
        "tariff_rate": "0.14", "barcode": "3760123456789", "item_record_no": "", "max_per_order": "6",
        "published": "yes", "featured": "no",
    }
    row.update(overrides)
    return row


def form_data(row: dict[str, str]) -> dict[str, str]:
    """The product form as a browser posts it: unticked boxes are left out."""
    data = {k: v for k, v in row.items() if k not in ("on_positive_list", "published", "featured")}
    for flag in ("on_positive_list", "published", "featured"):
        if row.get(flag) == "yes":
            data[flag] = "yes"
    return data


def flashes(html: str) -> list[str]:
    return [htmllib.unescape(m).strip() for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', html, re.S)]


def field_errors(html: str) -> dict[str, str]:
    """The error shown under each field of an admin form, by field name."""
    return {name: htmllib.unescape(text) for name, text in
            re.findall(r'<ul class="field-errors" id="([\w-]+)-errors"><li>(.*?)</li></ul>', html, re.S)}


def import_errors(html: str) -> list[tuple[str, str, str]]:
    """(row, column, problem) of the import page's error table."""
    block = re.search(r'data-testid="import-errors">(.*?)</table>', html, re.S)
    assert block, "no import-errors table on the page"
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", block.group(1), re.S)
    return [(r, c, htmllib.unescape(m)) for r, c, m in rows]


def png_bytes(size=(64, 48), color=(200, 30, 30), fmt="PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()
