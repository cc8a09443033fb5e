"""`seed_demo`: load the demo catalogue, stock and accounts; idempotent, looks everything up by natural key."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop import clock
from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Brand, Category, NetContentUnit, Product, ProductImage
from shop.catalog.services import search_text_for
from shop.customs import codes
from shop.db import utcnow
from shop.inventory.models import ArrivalChannel, Location, Lot, Warehouse
from shop.inventory.services import receive_lot
from shop.seed import images
from shop.seed.data import (
    BRANDS,
    CATEGORIES,
    COOL_WAREHOUSE,
    DEMO_ACCOUNTS,
    DEMO_NAMES,
    GENERAL_WAREHOUSE,
    KINDS,
    PRODUCTS,
    WAREHOUSES,
    BrandSpec,
    Kind,
    ProductSpec,
)

BRAND_SPECS: dict[str, BrandSpec] = {b.slug: b for b in BRANDS}
DURABLE_DAYS = 3650  # watches, bags, appliances: the best-before column is required, so ten years ahead
DISTRICT = "1510"  # Changchun Xinglong comprehensive bonded zone: prefix of entry declaration numbers

_PIECE_ZH = {"tablets": "片", "masks": "片", "nappies": "片", "pants": "片", "capsules": "粒", "softgels": "粒",
             "gummies": "粒", "piece": "件", "pieces": "件"}
# The customs table's English names are terse ("Korea Rep."); descriptions are prose.
_PROSE_COUNTRY_EN = {"133": "Korea", "303": "the United Kingdom", "502": "the United States",
                     "309": "the Netherlands"}
_EUROPE = {"303", "304", "305", "307", "309", "312", "326", "331", "344"}
_EAST_ASIA = {"116", "133"}


@dataclass
class SeedReport:
    """What one run created (all zero when the demo data was already there)."""

    products: int = 0
    categories: int = 0
    brands: int = 0
    warehouses: int = 0
    lots: int = 0
    images: int = 0  # product image rows
    image_files: int = 0  # JPEG files written
    users: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def summary(self) -> str:
        line = (f"Created {self.products} products, {self.categories} categories, {self.brands} brands, "
                f"{self.warehouses} warehouses, {self.lots} lots, {self.images} product images "
                f"({self.image_files} image files written) and {self.users} demo accounts.")
        if self.total == 0:
            return line + "\nThe demo data was already there: nothing was added."
        return line


@dataclass(frozen=True)
class Content:
    amount: Decimal
    unit: NetContentUnit
    en: str
    zh: str


def parse_content(text: str, *, count_zh: str = "件") -> Content:
    """'800 g' / '750 ml' / '12 × 200 g' / '120 tablets' -> amount, unit and how to say it in both languages."""
    packs, _, single = text.rpartition("×")
    count = int(packs) if packs.strip() else 1
    number, word = single.split(maxsplit=1)
    size = Decimal(number)
    amount = size * count
    if word in ("g", "ml"):
        unit = NetContentUnit.G if word == "g" else NetContentUnit.ML
        zh_word = "克" if word == "g" else "毫升"
        if count > 1:
            return Content(amount, unit, f"{count} × {size} {word}", f"{size}{zh_word}×{count}")
        if word == "g" and amount >= 1000 and amount % 1000 == 0:
            return Content(amount, unit, f"{amount // 1000} kg", f"{amount // 1000}千克")
        return Content(amount, unit, f"{amount} {word}", f"{amount}{zh_word}")
    return Content(amount, NetContentUnit.PIECE, f"{amount} {word}", f"{amount}{_PIECE_ZH.get(word, count_zh)}")


def ean13(first12: str) -> str:
    """Append the EAN-13 check digit."""
    digits = [int(c) for c in first12]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return first12 + str((10 - total % 10) % 10)


def weights(spec: ProductSpec, kind: Kind, content: Content) -> tuple[Decimal, Decimal]:
    """Net and gross weight in kg: liquids counted at about 1 kg per litre."""
    if content.unit is NetContentUnit.PIECE:
        net = Decimal(spec.kg or kind.piece_kg) * (1 if spec.kg else content.amount)
    else:
        net = content.amount / 1000
    net = max(net, Decimal("0.001")).quantize(Decimal("0.0001"))
    return net, net + Decimal(kind.tare_kg)


def describe(spec: ProductSpec, kind: Kind, brand: BrandSpec, content: Content) -> tuple[str, str]:
    country = codes.country(brand.origin)
    values = {
        "brand": brand.name, "brand_zh": brand.name_zh,
        "country_en": _PROSE_COUNTRY_EN.get(brand.origin) or (country.name_en if country else brand.origin),
        "country_zh": country.name_zh if country else brand.origin,
        "content_en": content.en, "content_zh": content.zh, "note_en": spec.note_en, "note_zh": spec.note_zh,
    }
    return kind.desc_zh.format(**values), kind.desc_en.format(**values)


def arrival_channel(origin: str, rng: Random) -> ArrivalChannel:
    """How goods from that country reach Changchun."""
    if origin in _EUROPE:
        return ArrivalChannel.ROAD_TIR if rng.random() < 0.25 else ArrivalChannel.RAIL_EUROPE
    if origin in _EAST_ASIA:
        return ArrivalChannel.AIR if rng.random() < 0.7 else ArrivalChannel.SEA_RAIL_DALIAN
    return rng.choice((ArrivalChannel.SEA_RAIL_DALIAN, ArrivalChannel.SEA_RAIL_YINGKOU))


def entry_declaration_no(arrived_on: date, rng: Random) -> str:
    """18 digits: district, year, import flag, serial."""
    return f"{DISTRICT}{arrived_on.year}1{rng.randint(0, 999_999_999):09d}"


def best_before_ahead(kind: Kind, today: date, rng: Random) -> date:
    if kind.ahead is None:
        return today + timedelta(days=DURABLE_DAYS)
    low, high = kind.ahead
    return today + timedelta(days=rng.randint(low * 30, high * 30))


@dataclass(frozen=True)
class LotPlan:
    lot_no: str
    quantity: int
    best_before: date
    arrived_on: date
    channel: ArrivalChannel
    entry_no: str


def plan_lots(spec: ProductSpec, kind: Kind, origin: str, today: date) -> list[LotPlan]:
    """The product's lots. Lot numbers depend on the SKU only, so a second run finds the same ones."""
    rng = Random(f"lots:{spec.sku}")
    prefix = spec.sku.split("-")[1]
    serial = rng.randint(100_000, 999_999)
    kinds: list[str] = []
    if spec.stock == "low":
        kinds.append("low")
    elif spec.stock == "normal":
        kinds += ["regular"] * rng.choice((1, 1, 2, 2, 3))
    kinds += list(spec.extra_lots)
    plans = []
    for i, what in enumerate(kinds):
        if what == "expired":
            best_before = today - timedelta(days=rng.randint(3, 90))
            arrived_on = best_before - timedelta(days=rng.randint(120, 300))
            quantity = rng.randint(12, 40)
        elif what == "near":  # inside the 30-day window in which nothing is sold
            best_before = today + timedelta(days=rng.randint(4, 26))
            arrived_on = today - timedelta(days=rng.randint(90, 240))
            quantity = rng.randint(20, 60)
        else:
            best_before = best_before_ahead(kind, today, rng)
            arrived_on = today - timedelta(days=rng.randint(5, 150))
            quantity = rng.randint(3, 8) if what == "low" else rng.randint(20, 400)
        plans.append(LotPlan(
            lot_no=f"{prefix}{serial + i * 7919}{'ABCDEFGH'[i]}", quantity=quantity, best_before=best_before,
            arrived_on=arrived_on, channel=arrival_channel(origin, rng), entry_no=entry_declaration_no(arrived_on, rng),
        ))
    return plans


def image_count(sku: str) -> int:
    return 2 if Random(f"images:{sku}").random() < 0.6 else 1


def image_filename(sku: str, n: int) -> str:
    return f"products/{sku}-{n}.jpg"


def draw_image(media_root: Path, spec: ProductSpec, n: int) -> bool:
    """Write the photo unless the file is already there; True when a file was written."""
    path = media_root / image_filename(spec.sku, n)
    if path.exists():
        return False
    kind = KINDS[spec.kind]
    brand = BRAND_SPECS[spec.brand]
    images.render(path, shape=spec.shape or kind.shape, variant=spec.kind, brand=brand.name, label=spec.label,
                  color=spec.tint or brand.color, accent=brand.accent, seed=spec.sku, view=n)
    return True


# -- reference data -------------------------------------------------------------------------------------------


@dataclass
class Reference:
    categories: dict[str, Category]
    brands: dict[str, Brand]
    warehouses: dict[str, Warehouse]


# Aisle-shelf codes of the demo warehouses' locations.
LOCATIONS = [f"{aisle}-{shelf:02d}" for aisle in "ABCDEF" for shelf in range(1, 5)]


def location_for(warehouse: Warehouse, kind: str) -> Location:
    index = sum(ord(ch) for ch in kind) % len(LOCATIONS)
    return next(loc for loc in warehouse.locations if loc.code == LOCATIONS[index])


def ensure_reference_data(session: Session, report: SeedReport | None = None) -> Reference:
    """Categories, brands and warehouses: create the missing ones."""
    report = report or SeedReport()
    categories = {c.slug: c for c in session.scalars(select(Category))}
    positions: dict[str | None, int] = {}
    for slug, parent, name_zh, name_en in CATEGORIES:
        positions[parent] = positions.get(parent, 0) + 10
        if slug not in categories:
            categories[slug] = Category(slug=slug, name_zh=name_zh, name_en=name_en, position=positions[parent],
                                        parent=categories[parent] if parent else None)
            session.add(categories[slug])
            report.categories += 1
    brands = {b.slug: b for b in session.scalars(select(Brand))}
    for spec in BRANDS:
        if spec.slug not in brands:
            brands[spec.slug] = Brand(slug=spec.slug, name=spec.name, name_zh=spec.name_zh)
            session.add(brands[spec.slug])
            report.brands += 1
    warehouses = {w.code: w for w in session.scalars(select(Warehouse))}
    for code, name_zh, name_en in WAREHOUSES:
        if code not in warehouses:
            warehouses[code] = Warehouse(code=code, name_zh=name_zh, name_en=name_en)
            session.add(warehouses[code])
            report.warehouses += 1
    session.flush()
    for warehouse in warehouses.values():
        known = {loc.code for loc in warehouse.locations}
        for code in LOCATIONS:
            if code not in known:
                session.add(Location(warehouse=warehouse, code=code, name=code))
    session.flush()
    return Reference(categories, brands, warehouses)


def ensure_accounts(session: Session, report: SeedReport) -> None:
    for role, email, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(session, email) is None:
            accounts.register(session, name=DEMO_NAMES[Role(role)], email=email, password=password, role=Role(role))
            report.users += 1


# -- products -------------------------------------------------------------------------------------------------


def product_columns(spec: ProductSpec, index: int, ref: Reference) -> dict:
    """Every column of a demo product (also the template of the generated benchmark products)."""
    kind = KINDS[spec.kind]
    brand = BRAND_SPECS[spec.brand]
    hs = codes.hs_codes()[kind.hs]
    content = parse_content(spec.content)
    net, gross = weights(spec, kind, content)
    description_zh, description_en = describe(spec, kind, brand, content)
    return {
        "sku": spec.sku, "name_zh": spec.name_zh, "name_en": spec.name_en,
        "description_zh": description_zh, "description_en": description_en,
        "brand_id": ref.brands[spec.brand].id, "category_id": ref.categories[kind.category].id,
        "origin_code": brand.origin, "hs_code": hs.code, "legal_unit1": hs.unit1, "legal_unit2": hs.unit2,
        "on_positive_list": spec.positive, "unit_code": spec.unit or kind.unit,
        "net_content": content.amount, "net_content_unit": content.unit,
        "net_weight_kg": net, "gross_weight_kg": gross, "price": Decimal(spec.price),
        "vat_rate": Decimal(kind.vat), "consumption_tax_category": kind.tax, "tariff_rate": Decimal(kind.tariff),
        # Fictional GS1 prefix 290 (restricted circulation), brand number, product number.
        "barcode": ean13(f"290{BRANDS.index(brand) + 1:03d}{index:06d}"),
        "item_record_no": f"I{DISTRICT}{index:07d}",
        "max_per_order": kind.max_per_order, "published": spec.published, "featured": spec.featured,
    }


def _create_product(session: Session, spec: ProductSpec, index: int, ref: Reference, now: datetime) -> Product:
    product = Product(**product_columns(spec, index, ref))
    brand = ref.brands[spec.brand]
    product.search_text = search_text_for(product, brand)
    # Spread over the last eight months so that "newest first" has something to sort.
    product.created_at = product.updated_at = now - timedelta(minutes=Random(f"age:{spec.sku}").randint(60, 240 * 24 * 60))
    session.add(product)
    return product


def seed_demo(session: Session, media_root: str) -> SeedReport:
    """Load the demo data; a second run creates nothing. Flushes, never commits."""
    report = SeedReport()
    ref = ensure_reference_data(session, report)
    ensure_accounts(session, report)
    root = Path(media_root)
    now, today = utcnow(), clock.today()  # the shop's day, as sales compare with

    existing = {p.sku: p for p in session.scalars(
        select(Product).where(Product.sku.in_([s.sku for s in PRODUCTS])).options(selectinload(Product.images)))}
    products: dict[str, Product] = {}
    for index, spec in enumerate(PRODUCTS, start=1):
        product = existing.get(spec.sku)
        if product is None:
            product = _create_product(session, spec, index, ref, now)
            report.products += 1
        products[spec.sku] = product
        have = {image.filename for image in product.images}
        for n in range(1, image_count(spec.sku) + 1):
            filename = image_filename(spec.sku, n)
            if filename not in have:
                product.images.append(ProductImage(filename=filename, position=n - 1))
                report.images += 1
            if draw_image(root, spec, n):
                report.image_files += 1
    session.flush()

    have_lots = {(product_id, lot_no) for product_id, lot_no in session.execute(
        select(Lot.product_id, Lot.lot_no).where(Lot.product_id.in_([p.id for p in products.values()])))}
    for spec in PRODUCTS:
        product, kind = products[spec.sku], KINDS[spec.kind]
        warehouse = ref.warehouses[COOL_WAREHOUSE if kind.cool else GENERAL_WAREHOUSE]
        for plan in plan_lots(spec, kind, BRAND_SPECS[spec.brand].origin, today):
            if (product.id, plan.lot_no) in have_lots:
                continue
            lot = receive_lot(session, product=product, warehouse=warehouse, lot_no=plan.lot_no,
                              quantity=plan.quantity, best_before=plan.best_before, arrival_channel=plan.channel,
                              arrived_on=plan.arrived_on, entry_declaration_no=plan.entry_no)
            # Goods of one category share an aisle, so pick lists walk the warehouse in order.
            lot.location = location_for(warehouse, spec.kind)
            report.lots += 1
    session.flush()
    return report
