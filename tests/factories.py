"""Small factories for test data. Each takes keyword overrides and flushes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product
from shop.catalog.services import search_text_for
from shop.customs import codes
from shop.inventory.models import ArrivalChannel, Warehouse
from shop.inventory.services import receive_lot

_seq = itertools.count(1)


def category(session, **kw) -> Category:
    n = next(_seq)
    cat = Category(slug=kw.pop("slug", f"cat-{n}"), name_zh=kw.pop("name_zh", f"类目{n}"),
                   name_en=kw.pop("name_en", f"Category {n}"), **kw)
    session.add(cat)
    session.flush()
    return cat


def brand(session, **kw) -> Brand:
    n = next(_seq)
    b = Brand(slug=kw.pop("slug", f"brand-{n}"), name=kw.pop("name", f"Brand{n}"),
              name_zh=kw.pop("name_zh", f"品牌{n}"), **kw)
    session.add(b)
    session.flush()
    return b


def product(session, **kw) -> Product:
    """A published, positive-list product (infant formula by default)."""
    n = next(_seq)
    hs = codes.hs_code(kw.pop("hs_code", "1901101000"))
    b = kw.pop("brand", None) or brand(session)
    c = kw.pop("category", None) or category(session)
    values = dict(
        sku=f"T-{n:05d}", name_zh=f"测试奶粉{n}", name_en=f"Test milk powder {n}", description_zh="描述",
        description_en="Description", origin_code="609", hs_code=hs.code, legal_unit1=hs.unit1,
        legal_unit2=hs.unit2, on_positive_list=True, unit_code="122", net_content=Decimal("800"),
        net_content_unit=NetContentUnit.G, net_weight_kg=Decimal("0.8"), gross_weight_kg=Decimal("0.95"),
        price=Decimal("300.00"), vat_rate=Decimal("0.13"), consumption_tax_category=ConsumptionTaxCategory.NONE,
        tariff_rate=Decimal("0.15"), max_per_order=6, published=True,
    )
    values.update(kw)
    p = Product(brand=b, category=c, **values)
    p.search_text = search_text_for(p, b)
    session.add(p)
    session.flush()
    return p


def warehouse(session, **kw) -> Warehouse:
    n = next(_seq)
    w = Warehouse(code=kw.pop("code", f"WH-{n}"), name_zh=kw.pop("name_zh", f"仓库{n}"),
                  name_en=kw.pop("name_en", f"Warehouse {n}"))
    session.add(w)
    session.flush()
    return w


def lot(session, product: Product, quantity: int = 50, *, best_before: date | None = None, wh=None, **kw):
    n = next(_seq)
    return receive_lot(
        session, product=product, warehouse=wh or warehouse(session), lot_no=kw.pop("lot_no", f"L{n:05d}"),
        quantity=quantity, best_before=best_before or date.today() + timedelta(days=365),
        arrival_channel=kw.pop("arrival_channel", ArrivalChannel.RAIL_EUROPE),
        arrived_on=kw.pop("arrived_on", date.today() - timedelta(days=10)), **kw)


def user(session, role: Role = Role.SHOPPER, password: str = "correct horse", **kw):
    n = next(_seq)
    return accounts.register(session, name=kw.pop("name", f"User {n}"),
                             email=kw.pop("email", f"user{n}@example.com"), password=password, role=role, **kw)
