"""Benchmark: export N declarations as CSV, XLSX and CEB621 messages, each in a fresh process.

    python bench/export.py [--declarations 100000] [--database-url postgresql+psycopg://postgres@127.0.0.1/postgres]

Builds the schema with Alembic in a database of its own (a new SQLite file in a temporary directory, or a new
`globalbuy_bench_<random>` database on the server named by --database-url, which is only used to create and
drop it), fills it with released orders through bulk inserts, then runs each export in a subprocess of its
own, so that the peak memory measured (ru_maxrss) is that export's alone. Prints wall time and peak memory
against the targets and removes everything it made, also when interrupted.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_database, id_number  # noqa: E402  (after the path is set)

FORMATS = ("csv", "xlsx", "ceb621")
SECONDS_TARGET = {"csv": 30, "xlsx": 120}  # the targets; none for the messages
MEMORY_TARGET_MB = 200
INSERT_CHUNK = 5000
BUYERS = 5000  # ~20 orders each: well within the annual limit
SECRET_KEY = "globalbuy-bench-only"  # personal data is encrypted with a key derived from it, in every process
CHILD_TIMEOUT = 3600  # seconds: a hung export is killed, the run still cleans up

# Realistic goods (shop/seed/data.py): legal units come from the HS table, as when seeding. Plain values: the
# parent process imports nothing of the shop (see `main`).
PRODUCTS = [
    dict(sku="BENCH-MILK-1", name_zh="新西兰全脂成人奶粉1kg", name_en="NZ whole milk powder 1 kg", brand="Pāmu",
         hs_code="0402210000", unit_code="136", origin_code="609", net_content=Decimal("1000"),
         net_content_unit="g", net_weight_kg=Decimal("1.0"), gross_weight_kg=Decimal("1.08"),
         price=Decimal("189.00"), vat_rate=Decimal("0.13"), consumption_tax_category="none",
         tariff_rate=Decimal("0.10"), barcode="9421902960017", item_record_no="10001"),
    dict(sku="BENCH-FORMULA-2", name_zh="德国婴幼儿配方奶粉2段800g", name_en="German infant formula stage 2 800 g",
         brand="Aptamil", hs_code="1901101000", unit_code="122", origin_code="304", net_content=Decimal("800"),
         net_content_unit="g", net_weight_kg=Decimal("0.8"), gross_weight_kg=Decimal("0.95"),
         price=Decimal("328.00"), vat_rate=Decimal("0.13"), consumption_tax_category="none",
         tariff_rate=Decimal("0.15"), barcode="4008976022343", item_record_no="10002"),
    dict(sku="BENCH-RED-3", name_zh="法国波尔多干红葡萄酒750ml", name_en="Bordeaux red wine 750 ml",
         brand="Château Lafon", hs_code="2204210000", unit_code="142", origin_code="305", net_content=Decimal("750"),
         net_content_unit="ml", net_weight_kg=Decimal("0.78"), gross_weight_kg=Decimal("1.45"),
         price=Decimal("299.00"), vat_rate=Decimal("0.13"), consumption_tax_category="wine",
         tariff_rate=Decimal("0.14"), barcode="3760122880019", item_record_no="10003"),
    dict(sku="BENCH-WHITE-4", name_zh="澳大利亚霞多丽干白葡萄酒750ml", name_en="Australian Chardonnay 750 ml",
         brand="Barossa Hill", hs_code="2204210000", unit_code="142", origin_code="601", net_content=Decimal("750"),
         net_content_unit="ml", net_weight_kg=Decimal("0.78"), gross_weight_kg=Decimal("1.40"),
         price=Decimal("169.00"), vat_rate=Decimal("0.13"), consumption_tax_category="wine",
         tariff_rate=Decimal("0.14"), barcode="9312345000018", item_record_no="10004"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "晓雨",
         "文静", "建国", "立新", "子涵", "浩然"]
DISTRICTS = [("220102", "南关区", "人民大街"), ("220103", "宽城区", "长白路"), ("220104", "朝阳区", "红旗街"),
             ("220105", "二道区", "东盛大街"), ("220106", "绿园区", "青年路")]


def app_config(url: str, work: Path) -> dict:
    return {"DATABASE_URL": url, "ENV": "development", "SECRET_KEY": SECRET_KEY, "DATA_KEY": "",
            "MEDIA_ROOT": str(work / "media"), "CUSTOMS_KEYS_DIR": str(work / "keys"), "CUSTOMS_SIGNER": "rsa",
            "CUSTOMS_SIGNING_KEY": "", "CUSTOMS_SIGNING_CERT": ""}


def generate(session, count: int, seed: int = 20261201) -> tuple[date, date, int]:
    """Products, users and `count` released orders with 1–3 lines, their payments and declarations.

    Bulk inserts in chunks of INSERT_CHUNK with ids we choose (the database is new), so nothing is read
    back. Each buyer's ID and phone numbers are encrypted once and the tokens reused (Fernet is slow), and
    each distinct basket is quoted once by the shop's own tax code. Returns the period and the line count.
    """
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from shop import security
    from shop.accounts.models import Role, User
    from shop.cart.quote import FreightRule, QuoteItem, build_quote
    from shop.catalog.models import Brand, Category, NetContentUnit, Product
    from shop.catalog.models import ConsumptionTaxCategory as CT
    from shop.clock import shop_timezone
    from shop.customs import codes
    from shop.customs.models import Declaration, DeclarationStatus
    from shop.customs.rules import mask_id_number, mask_phone
    from shop.db import utcnow
    from shop.orders.models import Order, OrderLine, OrderStatus
    from shop.payments.models import Payment

    rng = random.Random(seed)
    specs = [{**spec, "net_content_unit": NetContentUnit(spec["net_content_unit"]),
              "consumption_tax_category": CT(spec["consumption_tax_category"])} for spec in PRODUCTS]
    category = Category(slug="bench", name_zh="基准测试", name_en="Benchmark")
    session.add(category)
    products = []
    for spec in specs:
        spec = dict(spec)
        brand = Brand(slug=f"bench-{spec['sku'].lower()}", name=spec.pop("brand"), name_zh="测试品牌")
        hs = codes.hs_code(spec["hs_code"])
        product = Product(**spec, brand=brand, category=category, legal_unit1=hs.unit1, legal_unit2=hs.unit2,
                          on_positive_list=True, max_per_order=6, published=True)
        session.add(product)
        products.append(product)
    session.flush()

    password = generate_password_hash("bench-not-a-password")
    buyers = []
    users = []
    for n in range(1, min(BUYERS, count) + 1):
        division, district, street = DISTRICTS[n % len(DISTRICTS)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        number, phone = id_number(rng, division), f"13{rng.randrange(10**9):09d}"
        users.append(dict(id=n, email=f"bench{n}@example.com", name=name, password_hash=password, role=Role.SHOPPER,
                          locale="zh_CN", active=True))
        phone_token = security.encrypt(phone)
        buyers.append(dict(
            user_id=n, buyer_name=name, buyer_id_encrypted=security.encrypt(number),
            buyer_id_digest=security.digest(number), buyer_id_masked=mask_id_number(number),
            buyer_phone_encrypted=phone_token, buyer_phone_masked=mask_phone(phone),
            consignee_name=name, consignee_phone_encrypted=phone_token, consignee_phone_masked=mask_phone(phone),
            consignee_division_code=division,
            consignee_address=f"吉林省长春市{district}{street}{rng.randrange(1, 2000)}号{rng.randrange(1, 30)}栋"))
    for start in range(0, len(users), INSERT_CHUNK):
        session.execute(insert(User), users[start:start + INSERT_CHUNK])

    freight_rule = FreightRule(fee=Decimal("10.00"), free_over=Decimal("399.00"))
    quotes: dict[tuple, object] = {}

    def quote(basket: tuple) -> object:
        if basket not in quotes:
            items = [QuoteItem.for_product(SimpleNamespace(**specs[i]), qty) for i, qty in basket]
            quotes[basket] = build_quote(items, freight_rule)
        return quotes[basket]

    tz = shop_timezone()
    now = utcnow()
    first = now - timedelta(days=31)  # the last order a day ago: all in the period
    step = timedelta(days=30) / count
    line_id = 0
    for start in range(1, count + 1, INSERT_CHUNK):
        orders, lines, payments, declarations = [], [], [], []
        for i in range(start, min(start + INSERT_CHUNK, count + 1)):
            created = first + step * i
            basket = tuple(sorted((p, rng.choice((1, 1, 1, 2, 2, 3)))
                                  for p in rng.sample(range(len(specs)), rng.choice((1, 1, 1, 2, 2, 3)))))
            q = quote(basket)
            buyer = buyers[i % len(buyers)]
            number = f"GB{created.astimezone(tz):%y%m%d}{i:06d}"
            paid, declared, released = (created + timedelta(minutes=m) for m in (3, 5, 65))
            orders.append(dict(
                id=i, number=number, status=OrderStatus.RELEASED, locale="zh_CN", **buyer,
                buyer_is_payer_confirmed_at=created, goods_value=q.goods_value, freight=q.freight,
                insurance=q.insurance, discount=q.discount, duty_paid_value=q.duty_paid_value,
                customs_duty=q.customs_duty, vat=q.vat, consumption_tax=q.consumption_tax, tax_total=q.tax,
                actual_paid=q.total, full_tax=q.limit.full_tax_single_item, carrier="中通快递",
                waybill_no=f"ZT{i:012d}", created_at=created, paid_at=paid, released_at=released))
            for gnum, ((p, _), line) in enumerate(zip(basket, q.lines, strict=True), start=1):
                product, spec = products[p], specs[p]
                line_id += 1
                lines.append(dict(
                    id=line_id, order_id=i, gnum=gnum, product_id=product.id, sku=spec["sku"],
                    name_zh=spec["name_zh"], name_en=spec["name_en"], brand=spec["brand"], barcode=spec["barcode"],
                    hs_code=spec["hs_code"], legal_unit1=product.legal_unit1, legal_unit2=product.legal_unit2,
                    unit_code=spec["unit_code"], origin_code=spec["origin_code"],
                    item_record_no=spec["item_record_no"], net_content=spec["net_content"],
                    net_content_unit=spec["net_content_unit"], net_weight_kg=spec["net_weight_kg"],
                    gross_weight_kg=spec["gross_weight_kg"], quantity=line.item.quantity,
                    unit_price=spec["price"], goods_value=line.goods_value, freight_share=line.freight_share,
                    duty_paid_value=line.duty_paid_value, vat_rate=spec["vat_rate"],
                    consumption_tax_category=spec["consumption_tax_category"],
                    consumption_tax_rate=line.consumption_tax_rate, tariff_rate=spec["tariff_rate"],
                    customs_duty=line.customs_duty, vat=line.vat, consumption_tax=line.consumption_tax))
            payments.append(dict(
                id=i, order_id=i, provider="stripe", intent_id=f"pi_bench_{i:08d}", charge_id=f"ch_bench_{i:08d}",
                status="succeeded", amount=q.total, currency="CNY", payer_name=buyer["buyer_name"],
                payer_id_masked=buyer["buyer_id_masked"], created_at=created, succeeded_at=paid))
            declarations.append(dict(
                id=i, order_id=i, cop_no=number, pre_no=f"B2026{i:013d}", invt_no=f"15102026I{i:09d}",
                status=DeclarationStatus.RELEASED, created_at=declared, updated_at=released, return_status="800",
                return_info="放行", last_receipt_at=released))
        for model, rows in ((Order, orders), (OrderLine, lines), (Payment, payments), (Declaration, declarations)):
            session.execute(insert(model.__table__), rows)
        session.commit()
    return first.astimezone(tz).date(), now.astimezone(tz).date(), line_id


# --- One export, in a process of its own ----------------------------------------------------------------


def run_export(fmt: str, url: str, work: Path, start: date, end: date) -> dict:
    """The export alone is timed; peak RSS is the whole process's (imports and app included, as for the CLI)."""
    from shop import create_app
    from shop.clock import shop_timezone
    from shop.customs import reports
    from shop.customs.messages import CustomsCodes
    from shop.customs.signing import signer_from_config
    from shop.db import db

    app = create_app(app_config(url, work))
    with app.app_context():
        period = reports.Period(start, end, shop_timezone())
        out = work / fmt
        out.mkdir()
        signer = signer_from_config(app.config) if fmt == "ceb621" else None
        started_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        began = time.perf_counter()
        if fmt in ("csv", "xlsx"):
            write = reports.write_csv if fmt == "csv" else reports.write_xlsx
            lines = write(reports.declaration_lines(db.session, period), out / f"declarations.{fmt}")
            files = 1
        else:
            paths = reports.export_messages(db.session, "ceb621", period, out,
                                            codes=CustomsCodes.from_config(app.config), signer=signer)
        seconds = time.perf_counter() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        if fmt == "ceb621":  # counted after the measurement, one file at a time
            files = len(paths)
            lines = sum(path.read_bytes().count(b"<ceb:InventoryList>") for path in paths)
        declarations = reports.count_declarations(db.session, period)
    return dict(format=fmt, declarations=declarations, lines=lines, files=files, seconds=seconds,
                peak_mb=peak_mb, started_mb=started_mb)


def set_up(url: str, work: Path, count: int) -> dict:
    """The schema (Alembic), the development signing key (made before any timing) and the data."""
    from alembic import command
    from sqlalchemy import text

    from shop import create_app
    from shop.customs.signing import signer_from_config
    from shop.db import db
    from shop.migrate import alembic_config

    command.upgrade(alembic_config(url), "head")
    app = create_app(app_config(url, work))
    with app.app_context():
        signer_from_config(app.config)
        start, end, lines = generate(db.session, count)
        # Statistics, as autovacuum would gather them soon after a load like this: without them PostgreSQL
        # plans each chunk's `id > last ORDER BY id LIMIT 100` as a scan of the whole period.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
    return dict(start=start.isoformat(), end=end.isoformat(), lines=lines)


def in_subprocess(*args: str) -> dict:
    """Run this script with `args` in a new process and return the JSON it prints last."""
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                            timeout=CHILD_TIMEOUT, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def verdict(value: float, target: float | None, unit: str) -> str:
    if target is None:
        return "—"
    return f"≤ {target} {unit}: {'met' if value <= target else 'MISSED'}"


def report(results: list[dict], backend: str) -> None:
    header = ("format", "declarations", "lines", "files", "seconds", "peak MB", "start MB", "time target",
              "memory target")
    rows = [(r["format"], f"{r['declarations']:,}", f"{r['lines']:,}", f"{r['files']:,}", f"{r['seconds']:.1f}",
             f"{r['peak_mb']:.0f}", f"{r['started_mb']:.0f}",
             verdict(r["seconds"], SECONDS_TARGET.get(r["format"]), "s"),
             verdict(r["peak_mb"], MEMORY_TARGET_MB, "MB")) for r in results]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\nExports on {backend} (peak MB: the exporting process's peak RSS; start MB: before the export began)")
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=100_000, help="how many (default 100,000)")
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on (default: SQLite)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--json", type=Path, help="also write the results to this file, as JSON")
    parser.add_argument("--step", choices=("setup", *FORMATS), help=argparse.SUPPRESS)  # what a child does
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--period", nargs=2, type=date.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "setup":
        print(json.dumps(set_up(args.database_url, args.work, args.declarations)))
        return
    if args.step:
        print(json.dumps(run_export(args.step, args.database_url, args.work, *args.period)))
        return
    if args.declarations < 1:
        parser.error("--declarations must be at least 1")

    # Stopped (kill, Ctrl-C): unwind, so that the child is killed and the database and files are removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    # This process only creates the database and starts the others. It stays small on purpose: Linux counts
    # the RSS of the process that forks into the child's ru_maxrss, so a parent holding the generated data
    # would inflate every export's peak.
    with tempfile.TemporaryDirectory(prefix="globalbuy-bench-") as tmp, \
            bench_database(args.database_url, Path(tmp)) as url:
        backend = url.split(":", 1)[0]
        began = time.perf_counter()
        common = ("--database-url", url, "--work", tmp)
        data = in_subprocess("--step", "setup", *common, "--declarations", str(args.declarations))
        print(f"{args.declarations:,} declarations, {data['lines']:,} lines generated on {backend} "
              f"in {time.perf_counter() - began:.0f} s", flush=True)
        results = []
        for fmt in args.formats:
            results.append(in_subprocess("--step", fmt, *common, "--period", data["start"], data["end"]))
            print(f"  {fmt}: {results[-1]['seconds']:.1f} s, peak {results[-1]['peak_mb']:.0f} MB", flush=True)
        report(results, backend)
        if args.json:
            args.json.write_text(json.dumps({"backend": backend, "declarations": args.declarations,
                                             "targets": {"seconds": SECONDS_TARGET, "peak_mb": MEMORY_TARGET_MB},
                                             "results": results}, indent=2))


if __name__ == "__main__":
    main()
