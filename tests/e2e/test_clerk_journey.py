"""The customs clerk's day in a real browser: find the new paid orders, declare them, hand on the list as XLSX,
import customs' receipts from the inbox folder and a tax bill by upload, and see the orders released."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from shop import clock
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.customs import sandbox
from shop.customs.messages import CustomsCodes
from shop.customs.models import Declaration, DeclarationStatus
from shop.db import db, utcnow
from shop.inventory.services import available_quantities, sale_cutoff
from shop.orders.models import Order, OrderStatus
from shop.payments import services as payments
from shop.payments.gateway import gateway
from tests.e2e.test_staff_journeys import ACCOUNTS, _sign_in
from tests.localstripe import CARD_OK
from tests.ordering import ID_C, buyer, place


def _paid_orders(live_server, name: str, count: int = 2) -> list[str]:
    """Orders paid through localstripe by a buyer called `name`: their numbers."""
    app = live_server.app
    numbers = []
    with app.test_request_context():
        shopper = db.session.scalar(select(User).where(User.email == ACCOUNTS["shopper"][0]))
        cutoff = sale_cutoff(clock.today(), app.config["NEAR_EXPIRY_DAYS"])
        products = list(db.session.scalars(select(Product).where(
            Product.published.is_(True), Product.on_positive_list.is_(True), Product.price < 500)
            .order_by(Product.sku.desc())))
        free = available_quantities(db.session, [p.id for p in products], cutoff)
        product = next(p for p in products if free[p.id] >= 10)
        for _ in range(count):
            order = place(db.session, shopper, [(product, 1)], who=buyer(ID_C, name=name))
            payments.pay_with_card(db.session, order, card=live_server.stripe.payment_method(CARD_OK),
                                   gateway=gateway(), now=utcnow())
            assert order.status is OrderStatus.PAID
            numbers.append(order.number)
        db.session.commit()
        db.session.remove()
    return numbers


def _declarations(live_server, numbers):
    with live_server.app.app_context():
        found = list(db.session.scalars(select(Declaration).join(Order).where(Order.number.in_(numbers))))
        for d in found:
            _ = d.order.lines
        db.session.expunge_all()
        db.session.remove()
    return found


def test_a_clerk_declares_exports_imports_receipts_and_sees_orders_released(live_server, page, tmp_path):
    name = "欧阳" + uuid.uuid4().hex[:2].upper()  # a buyer only this journey has
    numbers = _paid_orders(live_server, name)
    page.goto("/lang/en?next=/")
    _sign_in(page, "clerk")
    with page.expect_navigation():
        page.locator('header a[href="/admin/"]').click()
    with page.expect_navigation():
        page.locator('.admin-nav a[href="/admin/customs"]').click()

    # The new paid orders of one buyer, still to declare.
    page.locator("#status").select_option("pending")
    page.locator("#buyer").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("declarations").locator("tbody tr[data-order]")
    expect(rows).to_have_count(2)
    for number in numbers:
        expect(page.locator(f'tr[data-order="{number}"]')).to_contain_text("Not yet declared")
        page.locator(f'tr[data-order="{number}"] input[type=checkbox]').check()
    with page.expect_navigation():
        page.get_by_test_id("declare-selected").click()
    expect(page.locator(".flash-success")).to_contain_text("2 orders declared: 4 messages are in the outbox.")
    expect(rows).to_have_count(0)  # the filter still asks for pending ones

    # The declared list, as the XLSX the clerk hands on.
    page.locator("#status").select_option("declared")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    for number in numbers:
        expect(page.locator(f'tr[data-order="{number}"]')).to_contain_text("Declared")
    # The export is prepared as a job; its page shows it done, with the file to download.
    with page.expect_navigation():
        page.get_by_test_id("export-xlsx").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Done")
    with page.expect_download() as download_info:
        page.get_by_test_id("job-download").click()
    path = tmp_path / "declarations.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(path, read_only=True)
    rows_out = list(workbook.active.values)
    workbook.close()
    assert rows_out[0][0] == "order_no"
    assert {r[0] for r in rows_out[1:]} >= set(numbers)
    assert all(r[-1] == "declared" for r in rows_out[1:] if r[0] in numbers)

    # The outbox holds the messages for the transfer client.
    with page.expect_navigation():
        page.locator('.admin-nav a[href="/admin/customs/outbox"]').click()
    expect(page.get_by_test_id("outbox").locator("tbody tr")).not_to_have_count(0)

    # Customs answers: release receipts arrive in the inbox folder; the tax bill comes as a file to upload.
    declarations = _declarations(live_server, numbers)
    codes = CustomsCodes.from_config(live_server.app.config)
    at = utcnow()
    inbox = Path(live_server.app.config["CUSTOMS_INBOX"])
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"CEB622_{numbers[0]}.xml").write_bytes(sandbox.inventory_receipts(
        [sandbox.Answer(d, "120", at) for d in declarations], codes))
    (inbox / f"CEB622_{numbers[0]}_800.xml").write_bytes(sandbox.inventory_receipts(
        [sandbox.Answer(d, "800", at + timedelta(minutes=30)) for d in declarations], codes))

    with page.expect_navigation():
        page.locator('.admin-nav a[href="/admin/customs/receipts"]').click()
    expect(page.get_by_test_id("inbox-receipts")).to_contain_text("2 files wait in the inbox folder.")
    with page.expect_navigation():
        page.get_by_role("button", name="Import from the inbox").click()
    # A folder import runs as a job; its page shows the report.
    expect(page.get_by_test_id("job-status")).to_have_text("Done")
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 files: 4 receipts recorded")
    expect(page.get_by_test_id("released")).to_have_count(2)

    with page.expect_navigation():
        page.locator('.admin-nav a[href="/admin/customs/receipts"]').click()
    bill = tmp_path / "CEB816_bill.xml"
    with live_server.app.app_context():
        released = _declarations(live_server, numbers)
        bill.write_bytes(sandbox.tax_bill(released[0], at + timedelta(hours=1), codes))
    page.locator("#files").set_input_files(str(bill))
    with page.expect_navigation():
        page.get_by_test_id("upload-receipts").get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-file")).to_contain_text("Tax bill")

    # The queue: both released; one declaration page shows the documents agreeing and the receipts.
    with page.expect_navigation():
        page.locator('.admin-nav a[href="/admin/customs"]').click()
    page.locator("#status").select_option("released")
    page.locator("#buyer").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("declarations").locator("tbody tr[data-order]")).to_have_count(2)
    with page.expect_navigation():
        page.get_by_role("link", name=numbers[0]).click()
    expect(page.get_by_test_id("declaration-status")).to_have_text("Released")
    expect(page.get_by_test_id("three-document-check")).to_contain_text("All fields agree")
    with live_server.app.app_context():
        states = dict(db.session.execute(select(Order.number, Order.status).where(Order.number.in_(numbers))).all())
        statuses = set(db.session.scalars(select(Declaration.status).join(Order).where(Order.number.in_(numbers))))
        db.session.remove()
    assert states == {n: OrderStatus.RELEASED for n in numbers}
    assert statuses == {DeclarationStatus.RELEASED}


def test_a_queued_export_page_follows_the_job_until_its_file_is_ready(live_server, page, tmp_path, monkeypatch):
    """With Redis configured the export waits for a worker; the page shows it waiting, then done, by itself."""
    from rq import SimpleWorker

    from shop.jobs.queue import rq_queue
    from tests.redisutil import REDIS_TEST_URL as url
    from tests.redisutil import empty_redis

    app = live_server.app
    redis = empty_redis()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    app.extensions.pop("rq_queue", None)
    try:
        page.goto("/lang/en?next=/")
        _sign_in(page, "clerk")
        page.goto("/admin/customs")
        with page.expect_navigation():
            page.get_by_test_id("export-csv").click()
        expect(page.get_by_test_id("job-status")).to_have_text("Waiting")
        expect(page.get_by_test_id("job-download")).to_have_count(0)

        with app.app_context():  # a worker takes the job while the page is open
            queue = rq_queue(app)
            SimpleWorker([queue], connection=queue.connection).work(burst=True)

        expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=15_000)
        with page.expect_download() as download_info:
            page.get_by_test_id("job-download").click()
        path = tmp_path / "declarations.csv"
        download_info.value.save_as(path)
        assert path.read_text(encoding="utf-8-sig").startswith("order_no,")
    finally:
        app.extensions.pop("rq_queue", None)
        redis.flushdb()
