"""Load benchmark: the storefront under gunicorn on loopback, loaded with wrk, against the bare stack's ceiling.

    python bench/load.py [--quick] [--duration 10] [--sizes 1000 100000] [--databases sqlite postgresql]
                         [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                         [--no-exports] [--declarations 100000] [--json bench/results/<time>.json]

For each kind of database (SQLite files; `globalbuy_bench_<random>` databases on the PostgreSQL server, which
by default is used when it answers) and each catalogue size, a database of its own: migrate, `flask seed` (the
demo data), `flask seed --products N` up to the size, count each page's SQL statements in-process with Flask's
test client, and start the shop and the ceiling (bench/ceiling.py: Flask + SQLAlchemy + Jinja rendering one
12-row query) under gunicorn on free loopback ports. Then each page is loaded with wrk at every size in turn,
in interleaved rounds, so that other work on the machine weighs on every size alike. At the largest size, 50 buyers place orders over the JSON API: first for plentiful goods (the
orders/s figure), then for a product with a known stock until it is sold out, after which the database is
checked for oversold units. Then the export benchmark (bench/export.py) runs on the same database servers.

Prints a table per database and one verdict per target, writes everything as JSON, and exits with status 1
when a target is missed or a request failed. Every process, database and file it made is removed at the end,
also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import urlsafe_b64encode
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402  (after the path is set)
from bench.common import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    bench_database,
    free_port,
    postgres_reachable,
    serving,
    wait_ready,
)

DATABASES = ("sqlite", "postgresql")
SIZES = (1_000, 100_000)
QUICK_SIZES = (300,)
BUYERS = 50
STOCK = 2_000  # units of the product sold out by the buyers, in LOTS lots
LOTS = 4
PLENTIFUL = 20  # other goods in the orders, with stock for any run
SOLD_OUT_CAP = 120  # seconds: the sold-out run stops here even if the stock lasts
PAGE_TIMEOUT = 30  # seconds before wrk counts a request as timed out
IN_PROCESS_REQUESTS = 15  # timed per page with the test client, for the median in-process time

# Targets (the tracker's), as ratios from one run on one machine.
SCALE_TARGET = 0.9  # each catalogue page at the largest size ≥ 0.9× the same page at the smallest
CEILING_TARGET = 0.35  # the listing page ≥ 0.35× the bare ceiling
QUERY_TARGET = 5  # ≤ 5 SQL statements per catalogue page
ORDERS_TARGET = 100  # orders/s with 50 concurrent buyers, on PostgreSQL


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    body: dict | None = None  # a JSON POST when set
    catalogue: bool = True  # the scale and query targets apply
    shared: bool = True  # served from the shared page cache (shop/catalog/pagecache.py)


PRODUCT_SKU = "GB-MP-004"  # a featured demo product: what the home page links to first
QUOTE_BODY = {"items": [{"sku": "GB-MP-004", "qty": 1}, {"sku": "GB-CH-004", "qty": 2},
                        {"sku": "GB-WN-001", "qty": 1}]}
PAGES = (
    Page("home", "/"),
    Page("listing", "/products"),
    Page("category", "/c/milk-powder-baby-food"),  # a top-level category with children
    Page("search_zh", "/products?q=" + quote("奶粉")),
    Page("search_en", "/products?q=wine"),
    Page("product", f"/p/{PRODUCT_SKU}", shared=False),  # live stock and the visitor's own form
    Page("quote", "/api/v1/quote", body=QUOTE_BODY, catalogue=False, shared=False),
)
CEILING = "ceiling"


# --- The shop's processes -------------------------------------------------------------------------------


def shop_env(url: str, work: Path, localstripe_port: int, secret_key: str, data_key: str) -> dict:
    """The environment of every shop process: production values, except what loopback needs.

    GLOBALBUY_ENV stays "development": production refuses SQLite and the local Stripe stand-in (shop/production.py).
    Only a few variables of the caller's environment are kept, so that no DATABASE_URL, STRIPE_* or REDIS_URL of
    the caller's leaks in. Rate limits are raised: every request comes from 127.0.0.1.
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "USER", "LOGNAME", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    unlimited = "1000000 per minute"
    env.update({
        "DATABASE_URL": url, "GLOBALBUY_ENV": "development", "SECRET_KEY": secret_key, "DATA_KEY": data_key,
        "GLOBALBUY_INSTANCE": str(work / "instance"), "MEDIA_ROOT": str(work / "media"),
        "LOCALSTRIPE_PORT": str(localstripe_port), "MAIL_BACKEND": "dummy", "SESSION_COOKIE_SECURE": "1",
        "LOG_FORMAT": "json", "LOGIN_RATE_LIMIT": unlimited, "API_ORDER_RATE_LIMIT": unlimited,
        "API_TOKEN_RATE_LIMIT": unlimited, "PYTHONPATH": str(ROOT),
    })
    return env


def flask(env: dict, *args: str) -> None:
    """`flask --app shop ARGS`, as an operator would run it."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "shop", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")


def step(env: dict, name: str, *args: str) -> dict:
    """Run one of this script's in-process steps (below) in a new process with the shop's environment."""
    result = subprocess.run([sys.executable, __file__, "--step", name, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


GUNICORN_CONF = ROOT / "shop" / "gunicorn_conf.py"


def gunicorn(app: str, port: int, workers: int) -> list[str]:
    """The same gunicorn settings for the shop and the ceiling: production's (shop/gunicorn_conf.py: sync
    workers, recycled after 2,000 requests), on a loopback port, with `workers` workers."""
    command = [sys.executable, "-m", "gunicorn"]
    if GUNICORN_CONF.exists():
        command += ["-c", "python:shop.gunicorn_conf"]
    return command + ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", app]


def sql(url: str, statement: str, params: dict | None = None, *, autocommit: bool = False):
    """One statement from this (small) process: counts, the planner's statistics."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT") if autocommit else create_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(statement), params or {})
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


# --- Pages ----------------------------------------------------------------------------------------------


def _request(base: str, page: Page) -> tuple[int, int]:
    """One request to `page`: its status and size (to catch a page that fails before loading it)."""
    data = json.dumps(page.body).encode() if page.body is not None else None
    request = urllib.request.Request(base + page.path, data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=PAGE_TIMEOUT) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read())
    except OSError:  # no answer in time: wrk will say how bad it is
        return 0, 0


def _script(work: Path, page: Page) -> Path:
    path = work / f"{page.name}.lua"
    path.write_text(wrk.post_script(page.body) if page.body is not None else wrk.REPORTER)
    return path


def load_pages(bases: dict[str, dict[str, str]], work: Path, args) -> dict:
    """Every page at every size, under wrk, interleaved so that other work on the machine weighs on all sizes
    alike: for each page, a warm-up at each size, then `args.rounds` rounds of one run per size, each run
    `args.duration / args.rounds` seconds. A page's figures at a size are its best round's (noise only ever
    slows a run down); every round is kept in the results. `bases`: size -> {"shop": url, "ceiling": url}."""
    per_round = max(1, round(args.duration / args.rounds))
    measured: dict[str, dict] = {size: {} for size in bases}
    for page in [*PAGES, Page(CEILING, "/")]:
        server = "ceiling" if page.name == CEILING else "shop"
        script = _script(work, page)
        first = {}
        for size, base in bases.items():
            first[size] = _request(base[server], page)
            wrk.run(base[server] + page.path, script, seconds=args.warmup, connections=args.connections,
                    threads=args.threads)
        rounds: dict[str, list[wrk.Result]] = {size: [] for size in bases}
        for _ in range(args.rounds):
            for size, base in bases.items():
                rounds[size].append(wrk.run(base[server] + page.path, script, seconds=per_round,
                                            connections=args.connections, threads=args.threads))
        for size in bases:
            best = max(rounds[size], key=lambda result: result.rps)
            status, length = first[size]
            failed = sum(result.not_ok() for result in rounds[size]) + (status != 200)
            measured[size][page.name] = {**best.as_dict(), "rounds": [r.as_dict() for r in rounds[size]],
                                         "first_status": status, "bytes_per_page": length, "failed": failed}
            print(f"    {page.name:<10} {int(size):>7,} products {best.rps:8.1f} req/s  p50 {best.p50_ms:7.1f} ms  "
                  f"p99 {best.p99_ms:7.1f} ms  (rounds: {', '.join(f'{r.rps:.1f}' for r in rounds[size])})"
                  + (f"  FAILED: {failed} bad answers" if failed else ""), flush=True)
    return measured


# --- Orders ---------------------------------------------------------------------------------------------


def free_units(url: str, product_id: int) -> int:
    return int(sql(url, "SELECT COALESCE(SUM(on_hand - reserved), 0) FROM lots WHERE product_id = :p",
                   {"p": product_id}))


def drain(url: str) -> None:
    """Until the orders abandoned by a stopped wrk have been served (no new order for a second)."""
    count = "SELECT COUNT(*) FROM orders"
    before = sql(url, count)
    while True:
        time.sleep(1)
        now = sql(url, count)
        if now == before:
            return
        before = now


def sell_out(base: str, script: Path, url: str, product_id: int, args) -> wrk.Result:
    """Load the orders endpoint until the product's free units are gone (or SOLD_OUT_CAP seconds), then stop
    wrk with SIGINT, which makes it report what it measured so far."""
    threads = min(args.threads, BUYERS)
    proc = subprocess.Popen(wrk.command(base + "/api/v1/orders", script, seconds=SOLD_OUT_CAP,
                                        connections=BUYERS, threads=threads),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        began = time.monotonic()
        while proc.poll() is None and time.monotonic() - began < SOLD_OUT_CAP:
            if free_units(url, product_id) <= 0:
                time.sleep(0.5)  # the last orders' answers, and a few refusals
                break
            time.sleep(0.25)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{err[-2000:]}")
    return wrk.parse(out)


def load_orders(env: dict, url: str, work: Path, args) -> dict:
    """50 buyers over the JSON API: plentiful goods for `duration` s, then a product until it is sold out."""
    setup_file = work / "orders-setup.json"
    setup = step(env, "orders-setup", "--buyers", str(BUYERS), "--stock", str(args.stock),
                 "--out", str(setup_file))
    limited = setup["limited"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "gunicorn-orders.log"
    with serving("gunicorn (orders)", gunicorn("shop:create_app()", port, args.workers), port=port, env=env,
                 log=log):
        wait_ready(base + "/")
        plentiful = work / "orders-plentiful.lua"
        plentiful.write_text(wrk.orders_script(setup["buyers"], threads=min(args.threads, BUYERS), limited=None,
                                               plentiful=setup["plentiful"]))
        # Warm-up with few connections: wrk abandons the requests in flight when it stops, and the workers
        # still serve them, so each run is followed by a wait until no more orders arrive.
        warm = wrk.run(base + "/api/v1/orders", plentiful, seconds=args.warmup, connections=args.connections,
                       threads=args.threads)
        drain(url)
        placed = wrk.run(base + "/api/v1/orders", plentiful, seconds=args.duration, connections=BUYERS,
                         threads=args.threads)
        drain(url)
        print(f"    orders     {placed.rps:8.1f} orders/s  p50 {placed.p50_ms:7.1f} ms  p99 {placed.p99_ms:7.1f} ms"
              f"  answers {placed.statuses}", flush=True)
        orders_script = work / "orders-sold-out.lua"
        orders_script.write_text(wrk.orders_script(setup["buyers"], threads=min(args.threads, BUYERS),
                                                   limited=limited["sku"], plentiful=setup["plentiful"]))
        sold = sell_out(base, orders_script, url, limited["product_id"], args)
        drain(url)
    check = step(env, "orders-check", "--setup", str(setup_file))
    created = placed.statuses.get("201", 0) + warm.statuses.get("201", 0)
    sold_created = sold.statuses.get("201", 0)
    check["wrk_created_plentiful"] = created
    check["wrk_created_sold_out"] = sold_created
    # wrk drops the requests in flight when it stops: the shop may still have placed those orders.
    check["in_flight_plentiful"] = check["orders_plentiful"] - created
    check["in_flight_sold_out"] = check["orders_limited"] - sold_created
    counts_ok = (0 <= check["in_flight_plentiful"] <= BUYERS + args.connections
                 and 0 <= check["in_flight_sold_out"] <= BUYERS)
    check["ok"] = check["ok"] and counts_ok
    if not counts_ok:
        check["problems"].append("orders in the database do not match the orders wrk saw placed")
    refusals = sold.codes.get("out_of_stock", 0)
    unexpected = sold.not_ok(ok=(201, 409)) + sold.statuses.get("409", 0) - refusals
    # A refusal says how many units were left; with at most 3 asked for, more than 2 means stock was refused.
    most = sold.extra.get("most_available_in_refusal", -1)
    check["most_available_in_refusal"] = most
    if most > 2:
        check["ok"] = False
        check["problems"].append(f"an order was refused as out of stock with {most} units available")
    print(f"    sold out   {check['limited_orders_per_second']:8.1f} orders/s while stock lasted; "
          f"{sold_created} placed, {refusals} refused (out of stock); check: {'ok' if check['ok'] else 'FAILED'}",
          flush=True)
    return {"plentiful": {**placed.as_dict(), "failed": placed.not_ok(ok=(201,))},
            "warmup": warm.as_dict(),
            "sold_out": {**sold.as_dict(), "refused_out_of_stock": refusals, "failed": unexpected},
            "check": check, "limited": limited, "buyers": len(setup["buyers"])}


# --- One database ---------------------------------------------------------------------------------------


def prepare(kind: str, url: str, env: dict, size: int) -> dict:
    """Migrate, seed the demo data and generate products up to `size`; then count each page's statements."""
    began = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "seed", "--no-customs")
    demo = int(sql(url, "SELECT COUNT(*) FROM products"))
    if size > demo:
        flask(env, "seed", "--products", str(size - demo))
    if kind == "postgresql":  # what autovacuum does soon after a bulk load
        sql(url, "VACUUM ANALYZE", autocommit=True)
    products = int(sql(url, "SELECT COUNT(*) FROM products"))
    print(f"  {kind}: {products:,} products ({demo} of the demo data) in {time.perf_counter() - began:.0f} s",
          flush=True)
    return {"products": products, "demo_products": demo, "queries": step(env, "queries")}


def bench_database_run(kind: str, args) -> dict:
    """Everything measured on one kind of database: a database of its own per catalogue size, side by side."""
    server = args.postgres_url if kind == "postgresql" else None
    sizes = [str(size) for size in sorted(args.sizes)]
    secret_key = secrets.token_urlsafe(48)
    data_key = urlsafe_b64encode(os.urandom(32)).decode()
    with tempfile.TemporaryDirectory(prefix="globalbuy-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        ls_port = free_port()
        urls, envs = {}, {}
        for size in sizes:
            (work / size).mkdir()
            urls[size] = stack.enter_context(bench_database(server, work / size))
            envs[size] = shop_env(urls[size], work / size, ls_port, secret_key, data_key)
        largest = sizes[-1]
        stack.enter_context(serving("localstripe", [sys.executable, "-m", "shop.payments.localstripe_dev", "--quiet",
                                                    "--port", str(ls_port)], port=ls_port, env=envs[largest],
                                    log=work / "localstripe.log"))
        out: dict = {"database": kind, "server_version": (
            "PostgreSQL " + sql(urls[largest], "SHOW server_version") if kind == "postgresql"
            else "SQLite " + sql(urls[largest], "SELECT sqlite_version()")), "sizes": {}}
        for size in sizes:
            out["sizes"][size] = prepare(kind, urls[size], envs[size], int(size))
        with ExitStack() as servers:  # the shop and the ceiling on each size's database, all at once
            bases: dict[str, dict[str, str]] = {}
            for size in sizes:
                bases[size] = {}
                for name, app in (("shop", "shop:create_app()"), ("ceiling", "bench.ceiling:create_app()")):
                    port = free_port()
                    servers.enter_context(serving(f"gunicorn ({name}, {size})", gunicorn(app, port, args.workers),
                                                  port=port, env=envs[size], log=work / size / f"gunicorn-{name}.log"))
                    bases[size][name] = f"http://127.0.0.1:{port}"
            for base in bases.values():
                for url in base.values():
                    wait_ready(url + "/")
            pages = load_pages(bases, work, args)
        for size in sizes:
            out["sizes"][size]["pages"] = pages[size]
        out["load_average"] = os.getloadavg()
        if not args.no_orders:
            print(f"  {kind}: orders by {BUYERS} buyers at {int(largest):,} products", flush=True)
            out["orders"] = load_orders(envs[largest], urls[largest], work / largest, args)
        return out


# --- Steps run inside a shop process --------------------------------------------------------------------


class StatementTimer:
    """Each SQL statement an engine runs, with its time in ms (transaction control left out)."""

    CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")

    def __init__(self):
        self.statements: list[list] = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - context.bench_started) * 1000
        if not statement.lstrip().upper().startswith(self.CONTROL):
            self.statements.append([round(ms, 2), " ".join(statement.split())[:400]])


def _fetch(client, page: Page):
    return client.post(page.path, json=page.body) if page.body is not None else client.get(page.path)


def step_queries() -> dict:
    """SQL statements per page, counted with the test client (warm: the second request), with their times.

    Counted and timed as rendered, with the shared page cache off (shop/catalog/pagecache.py): a page served
    from it issues no statement at all. The fastest request served from it is timed too ("cached_ms")."""
    from sqlalchemy import event

    from bench.ceiling import create_app as ceiling_app
    from shop import create_app, settings

    app = create_app()
    with app.app_context():
        settings._overrides()  # read once per process every few seconds, not per page
    page_cache = app.config["CATALOGUE_PAGE_CACHE_SECONDS"]
    app.config["CATALOGUE_PAGE_CACHE_SECONDS"] = 0
    found = {}
    for target, page in [(app, page) for page in PAGES] + [(ceiling_app(), Page(CEILING, "/"))]:
        engine = target.extensions.get("db_engine") or target.extensions["ceiling_engine"]
        client = target.test_client()
        timer = StatementTimer()
        event.listen(engine, "before_cursor_execute", timer.before)
        event.listen(engine, "after_cursor_execute", timer.after)
        try:
            first = _fetch(client, page)
            cold = len(timer.statements)
            timer.statements.clear()
            began = time.perf_counter()
            second = _fetch(client, page)
            ms = (time.perf_counter() - began) * 1000
        finally:
            event.remove(engine, "before_cursor_execute", timer.before)
            event.remove(engine, "after_cursor_execute", timer.after)
        found[page.name] = {"cold": cold, "warm": len(timer.statements), "ms": round(ms, 1),
                            **_in_process_ms(client, page),
                            "status": [first.status_code, second.status_code], "statements": timer.statements}
        if target is app and page.shared and page_cache > 0:
            app.config["CATALOGUE_PAGE_CACHE_SECONDS"] = page_cache
            found[page.name]["cached_ms"] = _in_process_ms(client, page)["best_ms"]
            app.config["CATALOGUE_PAGE_CACHE_SECONDS"] = 0
    return found


def _in_process_ms(client, page: Page, times: int = IN_PROCESS_REQUESTS) -> dict:
    """The page's time in one process, without a server or a load generator: the fastest of `times` requests
    (what it costs when nothing else wants the core) and the median."""
    took = []
    for _ in range(times):
        began = time.perf_counter()
        _fetch(client, page)
        took.append((time.perf_counter() - began) * 1000)
    took.sort()
    return {"best_ms": round(took[0], 2), "median_ms": round(took[len(took) // 2], 2)}


def step_orders_setup(buyers: int, stock: int, out: Path) -> dict:
    """The goods and the buyers: a product with `stock` units in LOTS new lots (none before), PLENTIFUL cheap
    goods with a 100,000-unit lot each, and `buyers` shopper accounts with a bearer token, a saved real-name
    buyer (a valid ID number of their own) and a saved address — what a returning buyer's app has."""
    from datetime import timedelta

    from sqlalchemy import exists, select

    from bench.common import id_number
    from shop import clock, create_app
    from shop.accounts import divisions
    from shop.accounts import services as accounts
    from shop.api.core import issue_token
    from shop.catalog.models import Product
    from shop.customs.rules import check_id_number
    from shop.db import db
    from shop.inventory import stock as stock_service
    from shop.inventory.models import ArrivalChannel, Lot, Warehouse
    from shop.seed.data import GENERAL_WAREHOUSE
    from shop.seed.demo import DISTRICT

    app = create_app()
    rng = random.Random(20261201)
    with app.test_request_context("/"):
        session = db.session
        today = clock.today()
        warehouse = session.scalar(select(Warehouse).where(Warehouse.code == GENERAL_WAREHOUSE))
        # Cheap goods, so that no buyer reaches the annual limit (¥26,000) however long the run.
        on_sale = (Product.published.is_(True), Product.on_positive_list.is_(True), Product.price >= 10,
                   Product.max_per_order >= 3)
        limited = None
        for cap in (60, 200):
            limited = limited or session.scalar(
                select(Product).where(*on_sale, Product.price <= cap, ~exists().where(Lot.product_id == Product.id))
                .order_by(Product.id).limit(1))
        if limited is None:
            raise SystemExit("no cheap product without stock to sell out: use a larger catalogue (--sizes)")
        goods = list(session.scalars(select(Product).where(*on_sale, Product.price <= 60, Product.id != limited.id)
                                     .order_by(Product.id).limit(PLENTIFUL)))

        def receive(product, n: int, quantity: int, days: int) -> None:
            stock_service.receive(session, stock_service.Receipt(
                product=product, warehouse=warehouse, location=None, lot_no=f"BENCH{n:04d}", quantity=quantity,
                best_before=today + timedelta(days=days), arrival_channel=ArrivalChannel.RAIL_EUROPE,
                arrived_on=today - timedelta(days=3),
                entry_declaration_no=f"{DISTRICT}{today.year}1{rng.randrange(10**9):09d}"),
                actor_id=None, today=today)

        per_lot = stock // LOTS
        for n in range(LOTS):  # different best-before dates: sold first-expiry-first-out
            receive(limited, n, per_lot + (stock - per_lot * LOTS if n == LOTS - 1 else 0), 200 + 60 * n)
        for n, product in enumerate(goods, start=LOTS):
            receive(product, n, 100_000, 700)

        place = divisions.district("220102")
        numbers: set[str] = set()
        made = []
        for n in range(1, buyers + 1):
            number = id_number(rng, place.code)
            while number in numbers:
                number = id_number(rng, place.code)
            numbers.add(check_id_number(number, today))
            phone = f"139{rng.randrange(10**8):08d}"
            user = accounts.register(session, name=f"买家{n}", email=f"bench-buyer-{n}@example.com",
                                     password=secrets.token_urlsafe(12))
            token, _record = issue_token(session, user, days=1, name="bench")
            identity = accounts.save_identity(session, user.id, name=f"买家{n}", id_number=number, phone=phone)
            address = accounts.save_address(session, user.id, consignee=f"买家{n}", phone=phone,
                                            division_code=place.code, province=place.province, city=place.city,
                                            district=place.district, street=f"人民大街{n}号")
            made.append({"user_id": user.id, "token": token, "identity_id": identity.id,
                         "consignee_id": address.id})
        session.commit()
        setup = {"limited": {"sku": limited.sku, "product_id": limited.id, "stock": stock, "lots": LOTS,
                             "price": str(limited.price)},
                 "plentiful": [p.sku for p in goods], "plentiful_ids": [p.id for p in goods], "buyers": made}
    out.write_text(json.dumps(setup))
    return {"limited": setup["limited"], "plentiful": setup["plentiful"], "buyers": made}


def step_orders_check(setup_file: Path) -> dict:
    """After the orders: is any unit oversold? Lots, reservations and order lines must agree."""
    from sqlalchemy import func, select

    from shop import create_app
    from shop.db import db
    from shop.inventory.models import Lot
    from shop.orders.models import Order, OrderLine, OrderStatus, ReservationState, StockReservation

    setup = json.loads(setup_file.read_text())
    limited_id = setup["limited"]["product_id"]
    users = [b["user_id"] for b in setup["buyers"]]
    live = (ReservationState.HELD, ReservationState.COMMITTED)
    app = create_app()
    problems = []
    with app.app_context():
        s = db.session
        bad_lots = s.scalar(select(func.count(Lot.id)).where(
            (Lot.on_hand < 0) | (Lot.reserved < 0) | (Lot.reserved > Lot.on_hand) | (Lot.on_hand > Lot.quantity_received)))
        if bad_lots:
            problems.append(f"{bad_lots} lots with negative or over-reserved stock")
        by_lots = dict(s.execute(select(Lot.product_id, func.sum(Lot.reserved)).group_by(Lot.product_id)).all())
        by_reservations = dict(s.execute(
            select(Lot.product_id, func.sum(StockReservation.quantity)).join(Lot, StockReservation.lot_id == Lot.id)
            .where(StockReservation.state.in_(live)).group_by(Lot.product_id)).all())
        received = dict(s.execute(select(Lot.product_id, func.sum(Lot.quantity_received))
                                  .group_by(Lot.product_id)).all())
        disagree = [p for p in set(by_lots) | set(by_reservations)
                    if int(by_lots.get(p) or 0) != int(by_reservations.get(p) or 0)]
        if disagree:
            problems.append(f"{len(disagree)} products whose lots' reserved units differ from their reservations")
        oversold = [p for p, units in by_reservations.items() if int(units) > int(received.get(p) or 0)]
        if oversold:
            problems.append(f"{len(oversold)} products with more units reserved than received")

        # Every line of every order placed is reserved in full.
        reserved_per_line = (select(StockReservation.order_line_id, func.sum(StockReservation.quantity).label("n"))
                             .where(StockReservation.state.in_(live)).group_by(StockReservation.order_line_id)
                             .subquery())
        short_lines = s.scalar(
            select(func.count(OrderLine.id)).join(Order, OrderLine.order_id == Order.id)
            .outerjoin(reserved_per_line, reserved_per_line.c.order_line_id == OrderLine.id)
            .where(Order.user_id.in_(users), Order.status == OrderStatus.AWAITING_PAYMENT,
                   func.coalesce(reserved_per_line.c.n, 0) != OrderLine.quantity))
        if short_lines:
            problems.append(f"{short_lines} order lines not reserved in full")

        orders = select(Order.id).where(Order.user_id.in_(users))
        with_limited = select(OrderLine.order_id).where(OrderLine.product_id == limited_id)
        orders_limited = s.scalar(select(func.count()).select_from(orders.where(Order.id.in_(with_limited)).subquery()))
        orders_plentiful = s.scalar(select(func.count()).select_from(
            orders.where(Order.id.not_in(with_limited)).subquery()))
        units_on_orders = int(s.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0))
                                       .where(OrderLine.product_id == limited_id)))
        limited_reserved = int(by_reservations.get(limited_id) or 0)
        limited_received = int(received.get(limited_id) or 0)
        free = int(s.scalar(select(func.coalesce(func.sum(Lot.on_hand - Lot.reserved), 0))
                            .where(Lot.product_id == limited_id)))
        if units_on_orders != limited_reserved:
            problems.append(f"{units_on_orders} units of the sold-out product on orders, {limited_reserved} reserved")
        if limited_received != setup["limited"]["stock"]:
            problems.append(f"the sold-out product received {limited_received} units, not {setup['limited']['stock']}")
        first, last = s.execute(select(func.min(Order.created_at), func.max(Order.created_at))
                                .where(Order.id.in_(with_limited))).one()
        span = (last - first).total_seconds() if first and last else 0
        total = s.scalar(select(func.count(Order.id)).where(Order.user_id.in_(users)))
    return {
        "ok": not problems, "problems": problems, "stock_received": limited_received,
        "units_reserved": limited_reserved, "units_on_orders": units_on_orders, "units_free": free,
        "sold_out": free == 0, "orders_limited": orders_limited, "orders_plentiful": orders_plentiful,
        "orders_total": total,
        "limited_orders_per_second": round((orders_limited - 1) / span, 1) if span > 0 else 0.0,
        "bad_lots": bad_lots, "products_disagreeing": len(disagree), "products_oversold": len(oversold),
        "short_lines": short_lines,
    }


# --- Report ---------------------------------------------------------------------------------------------


def _cost(found: dict) -> float | None:
    """A page's in-process time: the fastest request (older results: the median)."""
    return found.get("best_ms", found.get("median_ms"))


def _fmt(value, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def ratios(db: dict) -> dict:
    """Per page: the largest size's req/s over the smallest's, and each size's req/s over the ceiling's."""
    sizes = sorted(db["sizes"], key=int)
    out = {}
    for page in [p.name for p in PAGES]:
        per = {}
        for size in sizes:
            pages = db["sizes"][size]["pages"]
            ceiling = pages[CEILING]["rps"]
            per[size] = pages[page]["rps"] / ceiling if ceiling else None
        small, big = db["sizes"][sizes[0]]["pages"][page]["rps"], db["sizes"][sizes[-1]]["pages"][page]["rps"]
        out[page] = {"scale": big / small if small and len(sizes) > 1 else None, "ceiling": per}
    return out


def print_table(db: dict, args) -> None:
    sizes = sorted(db["sizes"], key=int)
    print(f"\n{db['database']} ({db['server_version']}): wrk -t{args.threads} -c{args.connections}, "
          f"{args.duration:g} s a page and size in {getattr(args, 'rounds', 1)} interleaved rounds (the best "
          f"counts) after {args.warmup:g} s of warm-up, gunicorn {args.workers} sync workers")
    header = ["page"]
    for size in sizes:
        n = f"{int(size):,}"
        header += [f"req/s {n}", f"p50 ms {n}", f"p99 ms {n}"]
    if len(sizes) > 1:
        header.append(f"{int(sizes[-1]):,}/{int(sizes[0]):,} (≥{SCALE_TARGET})")
    header += [f"×ceiling {int(size):,}" for size in sizes]
    header += [f"SQL {int(size):,} (≤{QUERY_TARGET})" for size in sizes]
    header += [f"in-process ms {int(size):,}" for size in sizes]  # the fastest request, rendered
    header += [f"cached ms {int(size):,}" for size in sizes]  # the fastest, from the page cache
    rows = []
    r = ratios(db)
    for name in [p.name for p in PAGES] + [CEILING]:
        row = [name]
        for size in sizes:
            page = db["sizes"][size]["pages"][name]
            row += [f"{page['rps']:.1f}", f"{page['p50_ms']:.1f}", f"{page['p99_ms']:.1f}"]
        if len(sizes) > 1:
            row.append(_fmt(r[name]["scale"], ".2f") if name in r else "—")
        row += [_fmt(r[name]["ceiling"][size], ".2f") if name in r else "1.00" for size in sizes]
        row += [str(db["sizes"][size]["queries"][name]["warm"]) for size in sizes]
        row += [_fmt(_cost(db["sizes"][size]["queries"][name])) for size in sizes]
        row += [_fmt(db["sizes"][size]["queries"][name].get("cached_ms")) for size in sizes]
        rows.append(row)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    biggest = sizes[-1]
    print(f"in-process time of each page at {int(biggest):,} products (the test client's fastest of "
          f"{IN_PROCESS_REQUESTS}) and its slowest SQL statement:")
    for name, found in db["sizes"][biggest]["queries"].items():
        if found["statements"]:
            ms, statement = max(found["statements"], key=lambda pair: pair[0])
            print(f"  {name:<10} {_cost(found):7.1f} ms the page, {ms:7.1f} ms: {statement[:110]}")
    orders = db.get("orders")
    if orders:
        p, s, c = orders["plentiful"], orders["sold_out"], orders["check"]
        print(f"orders ({orders['buyers']} buyers, POST /api/v1/orders): {p['rps']:.1f} orders/s, "
              f"p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms, answers {p['statuses']}")
        print(f"sold out ({c['stock_received']:,} units in {orders['limited']['lots']} lots of "
              f"{orders['limited']['sku']}): {c['orders_limited']:,} orders placed for {c['units_on_orders']:,} "
              f"units, {s['refused_out_of_stock']:,} refused as out of stock, {c['units_free']} units left, "
              f"{c['limited_orders_per_second']:.1f} orders/s while the stock lasted, p50 {s['p50_ms']:.1f} ms, "
              f"p99 {s['p99_ms']:.1f} ms")
        print(f"stock check: {'ok' if c['ok'] else 'FAILED: ' + '; '.join(c['problems'])} — "
              f"{c['units_reserved']:,} reserved ≤ {c['stock_received']:,} received; lots negative or "
              f"over-reserved: {c['bad_lots']}; products whose reservations disagree with their lots: "
              f"{c['products_disagreeing']}; order lines not reserved in full: {c['short_lines']}; most units "
              f"left according to a refusal: {c.get('most_available_in_refusal', '—')} (of 1–3 asked for); "
              f"orders in the database vs answered 201: {c['orders_limited']} vs {c['wrk_created_sold_out']} "
              f"(sold out), {c['orders_plentiful']} vs {c['wrk_created_plentiful']} (plentiful; the difference is "
              f"requests in flight when wrk stopped)")


def verdicts(results: dict) -> list[dict]:
    """One line per target and database: met, MISSED (with the figure) or not a target."""
    found = []

    def add(database: str, target: str, figure: str, met: bool | None, why: str = "") -> None:
        found.append({"database": database, "target": target, "figure": figure, "met": met, "note": why})

    for kind, db in results["databases"].items():
        sizes = sorted(db["sizes"], key=int)
        r = ratios(db)
        catalogue = [p.name for p in PAGES if p.catalogue]
        if len(sizes) > 1:
            for name in catalogue:
                scale = r[name]["scale"]
                add(kind, f"{name} at {int(sizes[-1]):,} ≥ {SCALE_TARGET}× at {int(sizes[0]):,}",
                    f"{scale:.3f}×", scale >= SCALE_TARGET)
        for size in sizes:
            ratio = r["listing"]["ceiling"][size]
            add(kind, f"listing ≥ {CEILING_TARGET}× the ceiling at {int(size):,}", f"{ratio:.3f}×",
                ratio >= CEILING_TARGET)
        for size in sizes:
            counts = {name: db["sizes"][size]["queries"][name]["warm"] for name in catalogue}
            worst = max(counts, key=counts.get)
            add(kind, f"≤ {QUERY_TARGET} SQL statements per catalogue page at {int(size):,}",
                f"most: {counts[worst]} ({worst})", counts[worst] <= QUERY_TARGET)
        failed = {f"{name}@{size}": page["failed"] for size in sizes
                  for name, page in db["sizes"][size]["pages"].items() if page["failed"]}
        failed.update({f"{name}@{size} in-process": found["status"] for size in sizes
                       for name, found in db["sizes"][size]["queries"].items() if found["status"] != [200, 200]})
        orders = db.get("orders")
        if orders:
            failed.update({k: orders[k]["failed"] for k in ("plentiful", "sold_out") if orders[k]["failed"]})
        add(kind, "no failed requests (non-2xx, socket errors, timeouts)",
            ", ".join(f"{k}: {v}" for k, v in failed.items()) or "none", not failed)
        if orders:
            rate = orders["plentiful"]["rps"]
            if kind == "postgresql":
                add(kind, f"orders with {orders['buyers']} concurrent buyers ≥ {ORDERS_TARGET}/s", f"{rate:.1f}/s",
                    rate >= ORDERS_TARGET)
            else:
                add(kind, f"orders with {orders['buyers']} concurrent buyers", f"{rate:.1f}/s", None,
                    "not a target on SQLite: one writer at a time")
            check = orders["check"]
            add(kind, "no unit oversold; orders match the stock",
                f"{check['units_reserved']:,}/{check['stock_received']:,} units to {check['orders_limited']:,} "
                f"orders, {check['units_free']} left" + ("" if check["ok"] else f" — {'; '.join(check['problems'])}"),
                check["ok"] and check["sold_out"],
                "" if check["sold_out"] else f"not sold out within {SOLD_OUT_CAP} s")
    for kind, export in results.get("exports", {}).items():
        if "error" in export:
            add(kind, "exports", export["error"], False)
            continue
        n = export["declarations"]
        for row in export["results"]:
            limit = export["targets"]["seconds"].get(row["format"])
            if limit is not None:
                add(kind, f"{n:,} declarations to {row['format'].upper()} in ≤ {limit} s", f"{row['seconds']:.1f} s",
                    row["seconds"] <= limit)
            if row["format"] in ("csv", "xlsx"):
                cap = export["targets"]["peak_mb"]
                add(kind, f"{row['format'].upper()} export peak memory ≤ {cap} MB", f"{row['peak_mb']:.0f} MB",
                    row["peak_mb"] <= cap)
            else:
                add(kind, f"{n:,} declarations to {row['format'].upper()}",
                    f"{row['seconds']:.1f} s, peak {row['peak_mb']:.0f} MB", None, "no target")
    return found


def print_verdicts(found: list[dict]) -> None:
    print("\nTargets (ratios from this run on this machine):")
    for v in found:
        state = "met" if v["met"] else ("—" if v["met"] is None else f"MISSED ({v['figure']})")
        note = f"  [{v['note']}]" if v["note"] else ""
        print(f"  {v['database']:<10}  {v['target']:<62} {v['figure']:<28} {state}{note}")


def markdown(results: dict) -> str:
    """The results as the Markdown tables of docs/PERFORMANCE.md."""
    lines = []
    for db in results["databases"].values():
        sizes = sorted(db["sizes"], key=int)
        small, big = f"{int(sizes[0]):,}", f"{int(sizes[-1]):,}"
        r = ratios(db)
        lines += [f"**{db['server_version']}**", ""]
        head = "| page |" + "".join(f" req/s {int(n):,} | p50 ms | p99 ms |" for n in sizes)
        if len(sizes) > 1:
            head += f" {big}/{small} |"
        head += "".join(f" ×ceiling {int(n):,} |" for n in sizes) + " SQL statements | in-process ms | cached ms |"
        lines += [head, "|" + "---|" * (head.count("|") - 1)]
        for name in [p.name for p in PAGES] + [CEILING]:
            row = f"| {name} |"
            for size in sizes:
                page = db["sizes"][size]["pages"][name]
                row += f" {page['rps']:.1f} | {page['p50_ms']:.0f} | {page['p99_ms']:.0f} |"
            if len(sizes) > 1:
                row += f" {_fmt(r[name]['scale'], '.2f')} |" if name in r else " — |"
            row += "".join(f" {_fmt(r[name]['ceiling'][size], '.2f')} |" if name in r else " 1.00 |" for size in sizes)
            row += " " + " / ".join(str(db["sizes"][size]["queries"][name]["warm"]) for size in sizes) + " |"
            row += " " + " / ".join(_fmt(_cost(db["sizes"][size]["queries"][name])) for size in sizes) + " |"
            row += " " + " / ".join(_fmt(db["sizes"][size]["queries"][name].get("cached_ms")) for size in sizes) + " |"
            lines.append(row)
        orders = db.get("orders")
        if orders:
            p, s, c = orders["plentiful"], orders["sold_out"], orders["check"]
            lines += ["", f"Orders ({orders['buyers']} buyers): {p['rps']:.1f} orders/s, p50 {p['p50_ms']:.0f} ms, "
                      f"p99 {p['p99_ms']:.0f} ms. Sold out: {c['stock_received']:,} units to {c['orders_limited']:,} "
                      f"orders at {c['limited_orders_per_second']:.1f} orders/s, {s['refused_out_of_stock']:,} "
                      f"refused as out of stock, {c['units_free']} left; stock check "
                      f"{'ok' if c['ok'] else 'FAILED'}."]
        lines.append("")
    for kind, export in results.get("exports", {}).items():
        if "results" not in export:
            continue
        lines += [f"Exports on {kind}, {export['declarations']:,} declarations:", "",
                  "| export | lines | files | seconds | peak MB |", "|---|---|---|---|---|"]
        lines += [f"| {row['format'].upper()} | {row['lines']:,} | {row['files']:,} | {row['seconds']:.1f} | "
                  f"{row['peak_mb']:.0f} |" for row in export["results"]]
        lines.append("")
    lines += ["| database | target | figure | |", "|---|---|---|---|"]
    lines += [f"| {v['database']} | {v['target']} | {v['figure']} | "
              f"{'met' if v['met'] else ('—' if v['met'] is None else '**missed**')}"
              f"{' (' + v['note'] + ')' if v['note'] else ''} |" for v in results["verdicts"]]
    return "\n".join(lines)


def report(results: dict, args) -> None:
    print(f"\n===== Results ({results['machine']['cpu']}, {results['machine']['cores']} cores, load average "
          f"{results['load_average']:.1f} at the start) =====")
    for db in results["databases"].values():
        print_table(db, args)
    print_verdicts(results["verdicts"])


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), None) if Path("/proc/meminfo").exists() else None
    wrk_version = subprocess.run([wrk.executable() or "wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": memory, "os": platform.platform(),
            "python": platform.python_version(), "wrk": wrk_version.strip()}


# --- Exports --------------------------------------------------------------------------------------------


def run_exports(kind: str, args, work: Path) -> dict:
    """bench/export.py on the same database server (it makes and drops a database of its own)."""
    out = work / f"export-{kind}.json"
    command = [sys.executable, str(ROOT / "bench" / "export.py"), "--declarations", str(args.declarations),
               "--json", str(out)]
    if kind == "postgresql":
        command += ["--database-url", args.postgres_url]
    print(f"\nExports on {kind}: {args.declarations:,} declarations (bench/export.py)", flush=True)
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0 or not out.exists():
        return {"error": f"bench/export.py failed (status {result.returncode})"}
    return json.loads(out.read_text())


# --- Main -----------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 2 s a page, a 300-product catalogue, 200 units to sell out, "
                             "1,000 declarations")
    parser.add_argument("--duration", type=int, help="seconds of load per page (default 15; --quick: 2)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per page (default 2; --quick: 1)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per page and size, sharing --duration (default 3: the best counts)")
    parser.add_argument("--sizes", type=int, nargs="+", help="catalogue sizes, in products (default 1000 100000)")
    parser.add_argument("--databases", nargs="+", choices=DATABASES,
                        help="default: both when PostgreSQL answers at --postgres-url, else sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help=f"the PostgreSQL server to make throwaway databases on (default {DEFAULT_POSTGRES_URL})")
    parser.add_argument("--connections", type=int, help="wrk connections per page (default: 2 × workers)")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1), help="wrk threads")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default: 2 × cores + 1, as in production)")
    parser.add_argument("--stock", type=int, help=f"units of the product to sell out (default {STOCK:,})")
    parser.add_argument("--no-orders", action="store_true", help="skip the orders")
    parser.add_argument("--no-exports", action="store_true", help="skip the export benchmark")
    parser.add_argument("--declarations", type=int, help="declarations to export (default 100,000; --quick: 1,000)")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/<time>.json)")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="print the tables of an earlier run's results again, and as Markdown, and stop")
    parser.add_argument("--step", choices=("queries", "orders-setup", "orders-check"), help=argparse.SUPPRESS)
    parser.add_argument("--buyers", type=int, default=BUYERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (2 if quick else 15)
    args.warmup = args.warmup or (1 if quick else 2)
    args.sizes = args.sizes or list(QUICK_SIZES if quick else SIZES)
    args.stock = args.stock or (200 if quick else STOCK)
    args.declarations = args.declarations or (1_000 if quick else 100_000)
    args.connections = args.connections or 2 * args.workers
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.step == "queries":
        print(json.dumps(step_queries()))
        return 0
    if args.step == "orders-setup":
        print(json.dumps(step_orders_setup(args.buyers, args.stock, args.out)))
        return 0
    if args.step == "orders-check":
        print(json.dumps(step_orders_check(args.setup)))
        return 0
    if args.report:
        results = json.loads(args.report.read_text())
        for key, value in results["settings"].items():
            setattr(args, key, value)
        report(results, args)
        print("\n" + markdown(results))
        return 0
    if not wrk.executable():
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    if args.databases is None:
        args.databases = ["sqlite"]
        if postgres_reachable(args.postgres_url):
            args.databases.append("postgresql")
        else:
            print(f"PostgreSQL does not answer at {args.postgres_url}: SQLite only", flush=True)
    # Stopped (kill, Ctrl-C): unwind, so that servers are stopped and databases and files removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    started = datetime.now(UTC)
    began = time.perf_counter()
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"Load average {load:.1f} before the start: other work shares the cores, figures will be noisy.")
    results: dict = {"started": started.isoformat(timespec="seconds"), "machine": machine(), "load_average": load,
                     "settings": {k: getattr(args, k) for k in ("duration", "warmup", "rounds", "sizes", "connections",
                                                                "threads", "workers", "stock", "declarations",
                                                                "quick")},
                     "databases": {}, "exports": {}}
    for kind in args.databases:
        print(f"\n== {kind} ==", flush=True)
        began_db = time.perf_counter()
        results["databases"][kind] = bench_database_run(kind, args)
        results["databases"][kind]["seconds"] = round(time.perf_counter() - began_db)
        print_table(results["databases"][kind], args)
        print(f"({kind}: {results['databases'][kind]['seconds']} s)")
    if not args.no_exports:
        with tempfile.TemporaryDirectory(prefix="globalbuy-bench-") as tmp:
            for kind in args.databases:
                results["exports"][kind] = run_exports(kind, args, Path(tmp))
    results["seconds"] = round(time.perf_counter() - began)
    results["verdicts"] = verdicts(results)

    report(results, args)
    path = args.json or ROOT / "bench" / "results" / f"{started:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nResults written to {path} ({results['seconds'] // 60} min {results['seconds'] % 60} s in all)")
    return 0 if all(v["met"] is not False for v in results["verdicts"]) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything made is removed on the way out
        sys.exit("interrupted")
