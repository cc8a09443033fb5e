"""From an empty cart to a paid order, in a real browser: checkout, the Stripe.js stand-in, the order's timeline.

The card is entered in localstripe's stand-in for Stripe.js (plain inputs; real Stripe draws them in an iframe),
so these journeys are specific to it. The live server has its own localstripe (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import delete, select

from shop.accounts.models import User
from shop.cart.models import Cart, CartItem
from shop.db import db
from shop.labels import ORDER_STATUS_EXPLAINED, ORDER_STATUSES
from shop.money import format_cny
from shop.orders.models import Order, OrderStatus
from shop.payments.services import DEFAULT_DECLINE
from shop.seed import DEMO_ACCOUNTS
from tests.localstripe import CARD_3DS, CARD_DECLINED, CARD_OK

SHOPPER_EMAIL, SHOPPER_PASSWORD = next((email, password) for role, email, password in DEMO_ACCOUNTS
                                       if role == "shopper")
ORDER_PAGE = re.compile(r"/orders/GB\d{12}$")


@pytest.fixture
def demo_shopper(live_server):
    """The demo shopper, starting from an empty cart (whatever an earlier journey left behind)."""
    with live_server.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == SHOPPER_EMAIL))
        cart_ids = select(Cart.id).where(Cart.user_id == user_id).scalar_subquery()
        db.session.execute(delete(CartItem).where(CartItem.cart_id.in_(cart_ids)))
        db.session.commit()
        db.session.remove()
    return SHOPPER_EMAIL


def _in_chinese(live_server, text) -> str:
    with live_server.app.test_request_context(), force_locale("zh_CN"):
        return str(text)


def _order(live_server, number: str) -> Order:
    with live_server.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        db.session.expunge(order)
        db.session.remove()
        return order


def _sign_in(page) -> None:
    page.goto("/account/login")
    page.locator("#email").fill(SHOPPER_EMAIL)
    page.locator("#password").fill(SHOPPER_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".badge")).to_have_text("0")


def _search_and_add_to_cart(page) -> None:
    page.get_by_role("searchbox").fill("奶粉")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    with page.expect_navigation():
        page.locator(".results .card:has(.stock-in) .card-link").first.click()
    expect(page.locator("h1")).to_contain_text("奶粉")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Add to cart|加入购物车")).click()
    expect(page.locator(".badge")).to_have_text("1")


def _checkout(page) -> str:
    """Cart → checkout: a new buyer and address, the payer box; returns the order number from the pay page."""
    with page.expect_navigation():
        page.locator(".cart-link").click()
    total = page.get_by_test_id("total").inner_text()
    with page.expect_navigation():
        page.locator('a.button[href="/checkout"]').click()
    expect(page).to_have_url(re.compile(r"/checkout$"))
    expect(page.get_by_test_id("checkout-total")).to_have_text(total)
    for choice in ("#identity", "#address"):  # saved by an earlier journey: enter new ones all the same
        if page.locator(choice).count():
            page.locator(choice).select_option("0")
    page.locator("#buyer_name").fill("林晓雨")
    page.locator("#buyer_id_number").fill("360426199101010071")
    page.locator("#buyer_phone").fill("13812345678")
    page.locator("#consignee_name").fill("林晓雨")
    page.locator("#consignee_phone").fill("13812345678")
    # The cascading selects: the cities of the province, then the districts of the city, from the server.
    page.locator("#province").select_option(label="吉林省")
    expect(page.locator("#city option", has_text="长春市")).to_be_attached()
    page.locator("#city").select_option(label="长春市")
    expect(page.locator("#district option", has_text="南关区")).to_be_attached()
    page.locator("#district").select_option(label="南关区")
    page.locator("#street").fill("人民大街 1234 号")
    page.locator("#buyer_is_payer").check()
    with page.expect_navigation(url=re.compile(r"/orders/GB\d{12}/pay$")):
        page.locator("form.checkout-form button[type=submit]").click()
    expect(page.get_by_test_id("pay-amount")).to_have_text(total)
    return re.search(r"/orders/(GB\d{12})/pay$", page.url).group(1)


def _enter_card(page, number: str) -> None:
    """Type the card into the stand-in's card Element (typed, as a person would; exp_year takes two digits)."""
    card = page.locator("#card-element")
    expect(card.get_by_placeholder("number")).to_be_visible()
    for placeholder, value in (("number", number), ("exp_month", "12"), ("exp_year", "34"), ("cvc", "123"),
                               ("postal_code", "130000")):
        field = card.get_by_placeholder(placeholder, exact=True)
        field.clear()
        field.press_sequentially(value)


def _assert_paid(page, live_server, number: str) -> None:
    expect(page).to_have_url(ORDER_PAGE)
    assert page.url.endswith(number)
    paid = _in_chinese(live_server, ORDER_STATUSES[OrderStatus.PAID])
    expect(page.get_by_test_id("order-status")).to_have_text(paid)
    current = page.locator(".timeline li.current")
    expect(current.locator(".step-title")).to_contain_text(paid)
    expect(current.locator(".step-title time")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(current.locator(".step-text")).to_have_text(
        _in_chinese(live_server, ORDER_STATUS_EXPLAINED[OrderStatus.PAID]))
    expect(page.locator(".timeline li.done")).to_have_count(2)  # placed, paid
    order = _order(live_server, number)
    assert order.status is OrderStatus.PAID
    expect(page.get_by_test_id("order-total")).to_have_text(format_cny(order.actual_paid))
    sent = [m for m in live_server.app.extensions["mailman"].outbox if number in m.subject]
    assert len(sent) == 1 and sent[0].to == [SHOPPER_EMAIL]


def test_from_an_empty_cart_to_a_paid_order(page, live_server, demo_shopper):
    _sign_in(page)
    _search_and_add_to_cart(page)
    number = _checkout(page)
    expect(page.locator(".badge")).to_have_text("0")  # the cart became the order

    _enter_card(page, CARD_OK)
    with page.expect_navigation(url=ORDER_PAGE):
        page.locator("#pay-button").click()

    _assert_paid(page, live_server, number)


def test_a_card_that_asks_for_3d_secure(page, live_server, demo_shopper):
    _sign_in(page)
    _search_and_add_to_cart(page)
    number = _checkout(page)

    _enter_card(page, CARD_3DS)
    page.locator("#pay-button").click()
    with page.expect_navigation(url=ORDER_PAGE):
        page.get_by_role("button", name="Complete authentication").click()

    _assert_paid(page, live_server, number)


def test_a_declined_card_then_a_good_one(page, live_server, demo_shopper):
    _sign_in(page)
    _search_and_add_to_cart(page)
    number = _checkout(page)

    _enter_card(page, CARD_DECLINED)
    page.locator("#pay-button").click()
    expect(page.locator("#card-errors")).to_have_text(_in_chinese(live_server, DEFAULT_DECLINE))
    expect(page.locator("#pay-button")).to_be_enabled()
    assert _order(live_server, number).status is OrderStatus.AWAITING_PAYMENT

    _enter_card(page, CARD_OK)
    with page.expect_navigation(url=ORDER_PAGE):
        page.locator("#pay-button").click()

    _assert_paid(page, live_server, number)
