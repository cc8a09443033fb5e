"""Staff journeys in a real browser, seen from both sides of the counter.

(a) Staff receive a lot of a sold-out product; a shopper (another browser context) sees it in stock and adds it
    to the cart.
(b) A paid order that customs has released (moved there through the services: customs release is a later
    feature) is picked and shipped by staff; the shopper sees it shipped on the order's page.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from shop import clock
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.db import db, utcnow
from shop.inventory.models import Lot, Warehouse
from shop.inventory.services import available_quantities, sale_cutoff
from shop.labels import ORDER_STATUS_EXPLAINED, ORDER_STATUSES
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus
from shop.payments import services as payments
from shop.payments.gateway import gateway
from shop.seed import DEMO_ACCOUNTS
from shop.seed.data import GENERAL_WAREHOUSE
from tests.localstripe import CARD_OK
from tests.ordering import ID_B, buyer, place

ACCOUNTS = {str(role): (email, password) for role, email, password in DEMO_ACCOUNTS}


@pytest.fixture
def new_page(browser, live_server):
    """Pages in browser contexts of their own (separate cookies: staff and a shopper side by side)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _sign_in(page, role: str) -> None:
    email, password = ACCOUNTS[role]
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".user-nav")).to_be_visible()


def _in_chinese(live_server, text) -> str:
    with live_server.app.test_request_context(), force_locale("zh_CN"):
        return str(text)


def _sold_out_product(live_server) -> tuple[str, str]:
    """A product on sale with no sellable unit in the demo data (not a milk powder: other journeys search those)."""
    with live_server.app.app_context():
        cfg = live_server.app.config
        cutoff = sale_cutoff(clock.today(), cfg["NEAR_EXPIRY_DAYS"])
        products = list(db.session.scalars(select(Product).where(
            Product.published.is_(True), Product.on_positive_list.is_(True)).order_by(Product.sku)))
        free = available_quantities(db.session, [p.id for p in products], cutoff)
        product = next(p for p in products if free[p.id] == 0 and "奶粉" not in p.name_zh)
        found = product.sku, product.name_zh
        db.session.remove()
        return found


def test_staff_receive_a_lot_and_the_shopper_can_buy_the_product(live_server, new_page):
    sku, name = _sold_out_product(live_server)
    shopper = new_page()
    shopper.goto(f"/p/{sku}")
    expect(shopper.locator(".product-info .stock-out")).to_be_visible()
    expect(shopper.locator("form.add-to-cart")).to_have_count(0)

    staff = new_page()
    _sign_in(staff, "staff")
    with staff.expect_navigation():
        staff.locator('header a[href="/admin/"]').click()  # the back office
    with staff.expect_navigation():
        staff.locator('.admin-nav a[href="/admin/lots/receive"]').click()
    lot_no = f"E2E{uuid.uuid4().hex[:8].upper()}"
    with live_server.app.app_context():
        best_before = (clock.today() + timedelta(days=400)).isoformat()
        warehouse_name = db.session.scalar(select(Warehouse.name_zh).where(Warehouse.code == GENERAL_WAREHOUSE))
        db.session.remove()
    staff.locator("#sku").fill(sku)
    staff.locator("#warehouse_id").select_option(label=f"{GENERAL_WAREHOUSE} {warehouse_name}")
    staff.locator("#location_id").select_option(label=f"{GENERAL_WAREHOUSE} · A-01")
    staff.locator("#lot_no").fill(lot_no)
    staff.locator("#quantity").fill("48")
    staff.locator("#best_before").fill(best_before)
    staff.locator("#arrival_channel").select_option("rail_europe")
    staff.locator("#entry_declaration_no").fill("E2E-ENTRY-0001")
    with staff.expect_navigation(url=re.compile(r"/admin/lots/\d+$")):
        staff.locator("form.admin-form button[type=submit]").click()
    expect(staff.locator(".flash-success")).to_contain_text(lot_no)
    expect(staff.locator(".flash-success")).to_contain_text("48")
    with live_server.app.app_context():
        lot = db.session.scalar(select(Lot).where(Lot.lot_no == lot_no))
        assert (lot.on_hand, lot.reserved, lot.product.sku, lot.location.code) == (48, 0, sku, "A-01")
        db.session.remove()

    shopper.reload()
    expect(shopper.locator("h1")).to_have_text(name)
    expect(shopper.locator(".product-info .stock-in")).to_be_visible()
    expect(shopper.locator(".lot")).to_contain_text(lot_no)
    with shopper.expect_navigation():
        shopper.get_by_role("button", name=re.compile("Add to cart|加入购物车")).click()
    expect(shopper.locator(".badge")).to_have_text("1")
    shopper.goto("/cart/")
    expect(shopper.locator(f'tr[data-sku="{sku}"]')).to_be_visible()


def _released_order_for_the_demo_shopper(live_server) -> str:
    """A paid order (paid through localstripe), declared and released by customs: its number."""
    app = live_server.app
    with app.test_request_context():
        shopper = db.session.scalar(select(User).where(User.email == ACCOUNTS["shopper"][0]))
        cutoff = sale_cutoff(clock.today(), app.config["NEAR_EXPIRY_DAYS"])
        products = list(db.session.scalars(select(Product).where(
            Product.published.is_(True), Product.on_positive_list.is_(True), Product.price < 1000)
            .order_by(Product.sku)))
        free = available_quantities(db.session, [p.id for p in products], cutoff)
        product = next(p for p in products if free[p.id] >= 20)
        order = place(db.session, shopper, [(product, 2)], who=buyer(ID_B))
        payments.pay_with_card(db.session, order, card=live_server.stripe.payment_method(CARD_OK),
                               gateway=gateway(), now=utcnow())
        assert order.status is OrderStatus.PAID
        orders.change_status(db.session, order, OrderStatus.DECLARED, source="customs", reason="declared (test)")
        orders.change_status(db.session, order, OrderStatus.RELEASED, source="customs", reason="800 released")
        number = order.number
        db.session.commit()
        db.session.remove()
    return number


def test_staff_ship_a_released_order_and_the_shopper_sees_it_shipped(live_server, new_page):
    number = _released_order_for_the_demo_shopper(live_server)

    staff = new_page()
    _sign_in(staff, "staff")
    with staff.expect_navigation():
        staff.locator('header a[href="/admin/"]').click()  # the back office
    with staff.expect_navigation():
        staff.locator('.admin-nav a[href="/admin/fulfilment"]').click()
    queue = staff.get_by_test_id("release-queue")
    expect(queue.locator(f'input[value="{number}"]')).to_be_visible()

    # The pick list for this order: where to go and which lot to take.
    queue.locator(f'input[value="{number}"]').check()
    with staff.expect_navigation(url=re.compile(r"/admin/fulfilment/pick-list\?order=")):
        staff.locator('form[action="/admin/fulfilment/pick-list"] button[type=submit]').click()
    expect(staff.locator("main h2").first).to_contain_text(re.compile(r"XL-BW-0\d"))
    rows = staff.locator("main table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    expect(rows.first.locator("strong")).to_have_text("2")

    # The order: carrier, waybill, weight; ship.
    staff.go_back()
    with staff.expect_navigation():
        staff.get_by_test_id("release-queue").get_by_role("link", name=number).click()
    expect(staff.get_by_test_id("admin-order-status")).to_have_text(
        _in_chinese(live_server, ORDER_STATUSES[OrderStatus.RELEASED]))
    staff.locator("#carrier").fill("SF Express")
    staff.locator("#waybill_no").fill("SF7788990011")
    staff.locator("#package_weight_kg").fill("1.36")
    with staff.expect_navigation(url=re.compile(r"/admin/fulfilment$")):
        staff.locator(f'form[action="/admin/orders/{number}/ship"] button[type=submit]').click()
    expect(staff.locator(".flash-success")).to_contain_text(number)
    expect(staff.locator(f'input[value="{number}"]')).to_have_count(0)
    with live_server.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert (order.status, order.carrier, order.waybill_no, str(order.package_weight_kg)) == (
            OrderStatus.SHIPPED, "SF Express", "SF7788990011", "1.360")
        db.session.remove()

    # The shopper's order page: shipped, and the step on the timeline.
    shopper = new_page()
    _sign_in(shopper, "shopper")
    shopper.goto(f"/orders/{number}")
    shipped = _in_chinese(live_server, ORDER_STATUSES[OrderStatus.SHIPPED])
    assert shipped == "已发货"
    expect(shopper.get_by_test_id("order-status")).to_have_text(shipped)
    current = shopper.locator(".timeline li.current")
    expect(current.locator(".step-title")).to_contain_text(shipped)
    expect(current.locator(".step-title time")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(current.locator(".step-text")).to_have_text(
        _in_chinese(live_server, ORDER_STATUS_EXPLAINED[OrderStatus.SHIPPED]))
    expect(shopper.locator(".timeline li.done")).to_have_count(5)  # placed, paid, declared, released, shipped
