"""The demo and benchmark data (shop.seed) against a freshly migrated SQLite database.

Self-contained on purpose: each test builds its own app, database and media directory under tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

import shop
from shop import clock, seed
from shop.accounts.models import Role, User
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product, ProductImage
from shop.catalog.services import search_text_for
from shop.customs import codes, rules
from shop.db import db
from shop.inventory.models import Lot, MovementReason, StockMovement, Warehouse
from shop.migrate import alembic_config

NEAR_EXPIRY_DAYS = 30


@contextmanager
def _app_context(tmp_path: Path) -> Iterator[Path]:
    """A migrated database and an app context; yields the media root."""
    url = f"sqlite:///{tmp_path}/t.sqlite3"
    media = tmp_path / "media"
    app = shop.create_app({"DATABASE_URL": url, "MEDIA_ROOT": str(media), "TESTING": True})
    command.upgrade(alembic_config(url), "head")
    # Other tests rebind the global scoped session to their own connection; start from the factory's defaults.
    db.session.remove()
    for leftover in ("bind", "join_transaction_mode"):
        db.session.session_factory.kw.pop(leftover, None)
    try:
        with app.app_context():
            yield media
    finally:
        db.session.remove()
        engine = app.extensions.get("db_engine")
        if engine is not None:
            engine.dispose()


def _counts(session: Session) -> dict[str, int]:
    models = (Product, Category, Brand, ProductImage, Warehouse, Lot, StockMovement, User)
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


def _valid_ean13(code: str) -> bool:
    if len(code) != 13 or not code.isdigit():
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


def _estimated_tax(product: Product) -> Decimal:
    rate = rules.consumption_tax_rate(product.consumption_tax_category, product.price, product.net_content,
                                      product.net_content_unit)
    return rules.line_tax(product.price, product.vat_rate, rate, product.tariff_rate).total


def _assert_receipts_match_lots(session: Session) -> None:
    """Each lot entered with exactly one receipt movement of its received quantity."""
    rows = session.execute(
        select(Lot.id, Lot.quantity_received, Lot.on_hand, func.count(StockMovement.id), func.sum(StockMovement.quantity))
        .join(StockMovement, StockMovement.lot_id == Lot.id, isouter=True)
        .where((StockMovement.reason == MovementReason.RECEIPT) | StockMovement.id.is_(None))
        .group_by(Lot.id, Lot.quantity_received, Lot.on_hand)
    ).all()
    assert rows
    for lot_id, received, on_hand, movements, moved in rows:
        assert (movements, moved, on_hand) == (1, received, received), lot_id


def test_seed_demo_builds_a_believable_catalogue_once(tmp_path):
    with _app_context(tmp_path) as media:
        session = db.session
        first = seed.seed_demo(session, str(media))
        session.commit()
        counts = _counts(session)
        second = seed.seed_demo(session, str(media))
        session.commit()

        # Idempotent: the second run finds everything by its natural key.
        assert second.total == 0
        assert _counts(session) == counts
        assert "Created 0 products" in second.summary()
        assert f"Created {counts['Product']} products" in first.summary()
        assert (first.products, first.categories, first.lots, first.users) == (
            counts["Product"], counts["Category"], counts["Lot"], 4)

        products = list(session.scalars(
            select(Product).options(selectinload(Product.images), selectinload(Product.brand))))
        assert len(products) >= 150
        top_level = session.scalar(select(func.count()).select_from(Category).where(Category.parent_id.is_(None)))
        assert top_level >= 10
        assert session.scalar(select(func.count()).select_from(Category).where(Category.parent_id.is_not(None))) > 0
        origins = {p.origin_code for p in products}
        assert len(origins) >= 10
        assert origins <= set(codes.countries())

        hs_table = codes.hs_codes()
        for p in products:
            hs = hs_table.get(p.hs_code)
            assert hs is not None, p.sku
            assert p.hs_code in codes.positive_list() or not p.on_positive_list, p.sku
            assert (p.legal_unit1, p.legal_unit2) == (hs.unit1, hs.unit2), p.sku
            assert p.unit_code in codes.units(), p.sku
            assert p.gross_weight_kg >= p.net_weight_kg > 0, p.sku
            assert p.net_content > 0 and p.price > 0, p.sku
            assert p.barcode and _valid_ean13(p.barcode), p.sku
            assert p.search_text == search_text_for(p, p.brand), p.sku
            assert p.created_at.tzinfo is not None
            assert p.images, p.sku
            for image in p.images:
                assert (media / image.filename).is_file(), image.filename
        assert len({p.item_record_no for p in products}) == len(products)
        assert len({p.created_at.date() for p in products}) > 30  # "newest first" has something to sort

        on_sale = [p for p in products if p.on_sale]
        assert len([p for p in products if not p.published]) == 3
        # Not on the positive list means not published (CBEC rules §3).
        assert [p.sku for p in products if not p.on_positive_list] == ["GB-NT-008"]
        assert not [p for p in products if p.published and not p.on_positive_list]
        assert 8 <= len([p for p in products if p.featured]) <= 16
        milk_powders = [p for p in on_sale if "奶粉" in p.name_zh and "milk powder" in p.name_en.lower()]
        assert len(milk_powders) >= 8

        by_sku = {p.sku: p for p in products}
        wine = next(p for p in on_sale if p.price == Decimal("299.00")
                    and p.consumption_tax_category is ConsumptionTaxCategory.WINE)
        assert (wine.net_content, wine.net_content_unit, wine.vat_rate) == (
            Decimal("750.00"), NetContentUnit.ML, Decimal("0.1300"))
        assert _estimated_tax(wine) == Decimal("53.49")
        serum = next(p for p in on_sale if p.price == Decimal("800.00")
                     and p.consumption_tax_category is ConsumptionTaxCategory.COSMETICS)
        assert (serum.net_content, serum.net_content_unit) == (Decimal("50.00"), NetContentUnit.ML)
        assert _estimated_tax(serum) == Decimal("184.47")
        cosmetics = [p for p in on_sale if p.consumption_tax_category is ConsumptionTaxCategory.COSMETICS]
        high_end = [p for p in cosmetics if rules.consumption_tax_rate(
            p.consumption_tax_category, p.price, p.net_content, p.net_content_unit) > 0]
        assert len(high_end) >= 3 and len(cosmetics) - len(high_end) >= 3
        watches = [p for p in on_sale if p.consumption_tax_category is ConsumptionTaxCategory.WATCH]
        assert len([w for w in watches if w.price > Decimal("5000")]) == 1
        assert len(watches) >= 3
        assert by_sku["GB-WN-001"].price == Decimal("299.00")

        # Stock: most products sellable, a few sold out or low, some lots expired or about to expire.
        today = clock.today()
        cutoff = today + timedelta(days=NEAR_EXPIRY_DAYS)
        sellable = dict(session.execute(
            select(Lot.product_id, func.sum(Lot.on_hand)).where(Lot.best_before > cutoff).group_by(Lot.product_id)
        ).all())
        assert len([p for p in products if sellable.get(p.id, 0) == 0]) >= 5
        assert len([p for p in products if 0 < sellable.get(p.id, 0) < 10]) >= 3
        assert len(sellable) >= 0.9 * len(products) - 10
        best_befores = list(session.scalars(select(Lot.best_before)))
        assert any(d < today for d in best_befores)
        assert any(today <= d <= cutoff for d in best_befores)
        assert session.scalar(select(func.count(func.distinct(Lot.arrival_channel)))) >= 4
        _assert_receipts_match_lots(session)

        users = {u.email: u for u in session.scalars(select(User))}
        assert len(users) == 4
        assert {u.role for u in users.values()} == set(Role)
        for role, email, password in seed.DEMO_ACCOUNTS:
            assert len(password) >= 8
            assert users[email].role == Role(role)
            assert users[email].check_password(password)


def test_seed_bulk_adds_generated_products_with_stock(tmp_path):
    with _app_context(tmp_path) as media:
        session = db.session
        messages: list[str] = []
        assert seed.seed_bulk(session, 500, echo=messages.append) == 500
        session.commit()
        assert messages

        bulk = list(session.scalars(
            select(Product).where(Product.sku.like("BULK-%")).options(selectinload(Product.brand),
                                                                     selectinload(Product.images))))
        assert len(bulk) == 500
        assert {p.sku for p in bulk} == {f"BULK-{n:07d}" for n in range(1, 501)}
        for p in bulk:
            assert p.on_sale
            assert p.search_text and p.search_text == search_text_for(p, p.brand)
            assert p.hs_code in codes.hs_codes()
            assert Decimal("0") < p.price < Decimal("5000")
            assert len(p.images) == 1 and (media / p.images[0].filename).is_file()
        assert len({p.name_en for p in bulk}) > 200
        assert len({p.origin_code for p in bulk}) >= 10
        assert len({p.category_id for p in bulk}) >= 10
        assert len({p.images[0].filename for p in bulk}) < 200  # shared photos, not one per product

        with_lots = session.scalar(select(func.count(func.distinct(Lot.product_id))))
        assert 400 <= with_lots < 500
        _assert_receipts_match_lots(session)

        # A second call continues the numbering.
        assert seed.seed_bulk(session, 3, echo=messages.append) == 3
        session.commit()
        assert session.scalar(select(func.max(Product.sku))) == "BULK-0000503"
