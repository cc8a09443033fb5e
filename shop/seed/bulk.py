"""`seed_bulk`: a large generated catalogue for benchmarks, written with Core bulk inserts.

Each generated product is a variation of a demo product (same kind, brand, HS code and rates; another
name, price and age), so the data stays consistent with the customs rules. Photos are shared: every
generated product points at its template's first photo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from types import SimpleNamespace
from typing import cast

from flask import current_app, has_app_context
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from shop import clock
from shop.catalog import search
from shop.catalog.models import Brand, Product, ProductImage
from shop.catalog.services import catalogue_changed, search_text_for
from shop.db import utcnow
from shop.inventory.models import Lot, MovementReason, StockMovement
from shop.seed.data import COOL_WAREHOUSE, GENERAL_WAREHOUSE, KINDS, PRODUCTS, Kind, ProductSpec
from shop.seed.demo import (
    BRAND_SPECS,
    DISTRICT,
    arrival_channel,
    best_before_ahead,
    draw_image,
    ean13,
    ensure_reference_data,
    image_filename,
    product_columns,
)

BATCH = 5_000
SKU_PREFIX = "BULK-"
IN_STOCK_SHARE = 0.9
# Keep generated prices under the single-order limit: the demo has exactly one item above it.
PRICE_CAP = Decimal("4999.00")
PRICE_FACTORS = [Decimal(f) for f in ("0.7", "0.8", "0.85", "0.9", "1", "1", "1.1", "1.2", "1.35", "1.5", "1.8")]
VARIANTS = [
    ("经典款", "Classic"), ("限定版", "Limited Edition"), ("新包装", "New Pack"), ("礼盒装", "Gift Box"),
    ("升级版", "Upgraded"), ("季节限定", "Seasonal Edition"), ("尊享版", "Premium"), ("特惠装", "Value Pack"),
    ("二代", "Series II"), ("典藏版", "Collector's Edition"), ("家庭装", "Family Size"), ("旅行装", "Travel Size"),
]


@dataclass(frozen=True)
class _Template:
    spec: ProductSpec
    kind: Kind
    columns: dict
    brand: Brand
    price: Decimal
    image: str
    warehouse_id: int


def _media_root(media_root: str | None) -> Path | None:
    if media_root:
        return Path(media_root)
    if has_app_context():
        return Path(current_app.config["MEDIA_ROOT"])
    return None  # rows still point at the shared names; `flask seed` draws the files later


def _next_number(session: Session) -> int:
    last = session.scalar(select(func.max(Product.sku)).where(Product.sku.like(f"{SKU_PREFIX}%")))
    return int(last.removeprefix(SKU_PREFIX)) + 1 if last else 1


def _price(base: Decimal, rng: Random) -> Decimal:
    value = base * rng.choice(PRICE_FACTORS)
    if value >= 100:
        whole = value.quantize(Decimal("1"))
        value = whole - whole % 10 + 9  # shop prices end in 9
    else:
        value = value.quantize(Decimal("0.1"))
    return min(value, PRICE_CAP).quantize(Decimal("0.01"))


def seed_bulk(session: Session, n: int, echo: Callable[[str], object] = print, *,
              media_root: str | None = None) -> int:
    """Add `n` generated products (published, on the positive list, most with a lot); returns how many."""
    if n <= 0:
        return 0
    ref = ensure_reference_data(session)
    root = _media_root(media_root)
    templates: list[_Template] = []
    for index, spec in enumerate(PRODUCTS, start=1):
        if not (spec.published and spec.positive) or Decimal(spec.price) > PRICE_CAP:
            continue
        kind = KINDS[spec.kind]
        if root is not None:
            draw_image(root, spec, 1)
        templates.append(_Template(
            spec=spec, kind=kind, columns=product_columns(spec, index, ref), brand=ref.brands[spec.brand],
            price=Decimal(spec.price), image=image_filename(spec.sku, 1),
            warehouse_id=ref.warehouses[COOL_WAREHOUSE if kind.cool else GENERAL_WAREHOUSE].id,
        ))

    first = _next_number(session)
    rng = Random(f"bulk:{first}:{n}")
    now, today = utcnow(), clock.today()  # the shop's day, as sales compare with
    started = time.perf_counter()
    created = 0
    while created < n:
        batch = [(first + created + i, rng.choice(templates)) for i in range(min(BATCH, n - created))]
        rows = []
        for number, t in batch:
            variant_zh, variant_en = rng.choice(VARIANTS)
            row = dict(t.columns)
            row.update(
                sku=f"{SKU_PREFIX}{number:07d}", name_zh=f"{t.spec.name_zh} {variant_zh}",
                name_en=f"{t.spec.name_en}, {variant_en}", price=_price(t.price, rng),
                barcode=ean13(f"291{number:09d}"), item_record_no=f"I{DISTRICT}9{number:07d}",
                published=True, on_positive_list=True, featured=False,
            )
            # The same words search_text_for would pick, without building 100,000 ORM objects.
            stand_in = SimpleNamespace(sku=row["sku"], name_zh=row["name_zh"], name_en=row["name_en"],
                                       origin_code=row["origin_code"])
            row["search_text"] = search_text_for(cast(Product, stand_in), t.brand)
            row["created_at"] = row["updated_at"] = now - timedelta(seconds=rng.randint(3600, 365 * 86400))
            rows.append(row)
        session.execute(insert(Product.__table__), rows)
        ids = {sku: product_id for sku, product_id in session.execute(
            select(Product.sku, Product.id).where(Product.sku.between(rows[0]["sku"], rows[-1]["sku"])))}
        # Core inserts skip the ORM events that keep the search index in step: index the rows here.
        search.index_products(session.connection(), [(ids[row["sku"]], row["search_text"]) for row in rows])

        images, lots = [], []
        for (number, t), row in zip(batch, rows, strict=True):
            product_id = ids[row["sku"]]
            images.append({"product_id": product_id, "filename": t.image, "position": 0})
            if rng.random() >= IN_STOCK_SHARE:
                continue
            quantity = rng.randint(20, 400)
            arrived_on = today - timedelta(days=rng.randint(5, 150))
            lots.append({
                "product_id": product_id, "warehouse_id": t.warehouse_id, "lot_no": f"BK{number:07d}",
                "quantity_received": quantity, "on_hand": quantity,
                "best_before": best_before_ahead(t.kind, today, rng), "arrived_on": arrived_on,
                "arrival_channel": arrival_channel(BRAND_SPECS[t.spec.brand].origin, rng),
                "entry_declaration_no": f"{DISTRICT}{arrived_on.year}1{rng.randint(0, 999_999_999):09d}",
                "created_at": now,
            })
        session.execute(insert(ProductImage.__table__), images)
        if lots:
            session.execute(insert(Lot.__table__), lots)
            # Every lot enters with its receipt movement, as shop.inventory.services.receive_lot records it.
            received = session.execute(
                select(Lot.id, Lot.quantity_received, Lot.entry_declaration_no)
                .where(Lot.product_id.in_([lot["product_id"] for lot in lots]))
            ).all()
            session.execute(insert(StockMovement.__table__), [
                {"lot_id": lot_id, "quantity": quantity, "reason": MovementReason.RECEIPT, "actor_id": None,
                 "note": entry_no or "", "created_at": now}
                for lot_id, quantity, entry_no in received
            ])
        created += len(batch)
        echo(f"  {created:,} / {n:,} products ({time.perf_counter() - started:.1f} s)")
    # The planner's statistics describe a catalogue that has just grown by n products: refresh them.
    session.execute(text("ANALYZE"))
    catalogue_changed(session)
    return created
