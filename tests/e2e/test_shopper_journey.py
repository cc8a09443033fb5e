"""A shopper's journey in a real browser: search, filter, open a product, add it to the cart, see the tax."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from shop.cart.quote import FreightRule, QuoteItem, build_quote
from shop.catalog.models import Product
from shop.db import db
from shop.money import format_cny


def _product(live_server, sku: str) -> Product:
    with live_server.app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        db.session.expunge(product)
        db.session.remove()
        return product


def _expected_cart_quote(live_server, product: Product, quantity: int):
    cfg = live_server.app.config
    rule = FreightRule(fee=cfg["FREIGHT_FEE"], free_over=cfg["FREE_FREIGHT_OVER"], insurance_rate=cfg["INSURANCE_RATE"])
    return build_quote([QuoteItem.for_product(product, quantity)], rule)


def test_search_filter_open_add_to_cart_and_see_tax(page, live_server):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.get_by_role("searchbox").fill("奶粉")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"/products\?q=%E5%A5%B6%E7%B2%89"))
    cards = page.locator(".results .card")
    expect(cards.first).to_be_visible()
    found = cards.count()
    assert found >= 2
    for title in cards.locator(".card-title").all_inner_texts():
        assert "奶粉" in title

    # Filter: only goods in stock, cheapest first.
    page.locator("#in_stock").check()
    page.locator("#sort").select_option("price_asc")
    with page.expect_navigation():
        page.locator(".filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    prices = [Decimal(re.sub(r"[¥,]", "", t)) for t in page.locator(".results .card-price").all_inner_texts()]
    assert prices == sorted(prices) and prices

    # Open the first product and check its estimated tax line.
    page.locator(".results .card-link").first.click()
    expect(page.locator("h1")).to_contain_text("奶粉")
    sku = page.locator("input[name=sku]").get_attribute("value")
    product = _product(live_server, sku)
    estimate = build_quote([QuoteItem.for_product(product, 1)], FreightRule(Decimal(0), Decimal(0)))
    expect(page.get_by_test_id("price-line")).to_contain_text(format_cny(product.price))
    expect(page.get_by_test_id("tax-estimate")).to_have_text(format_cny(estimate.tax))
    expect(page.locator(".lot")).to_be_visible()

    # Two units into the cart, then the cart shows goods, freight, tax and the total.
    page.locator("#quantity").fill("2")
    page.get_by_role("button", name=re.compile("Buy now|立即购买")).click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.locator(".badge")).to_have_text("2")
    quote = _expected_cart_quote(live_server, product, 2)
    expect(page.get_by_test_id("goods-value")).to_have_text(format_cny(quote.goods_value))
    expect(page.get_by_test_id("freight")).to_have_text(format_cny(quote.freight))
    expect(page.get_by_test_id("tax-total")).to_have_text(format_cny(quote.tax))
    expect(page.get_by_test_id("total")).to_have_text(format_cny(quote.total))
    assert quote.tax > 0
    expect(page.get_by_test_id("limit-verdict")).to_have_class(re.compile("limit-ok"))


def test_english_search_finds_the_same_milk_powders(page):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("searchbox").fill("milk powder")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/products\?q=milk\+powder"))
    expect(page.locator(".results .card").first).to_be_visible()
    titles = page.locator(".results .card-title").all_inner_texts()
    assert titles and all("milk powder" in t.lower() for t in titles)
    # The choice is remembered on the next page.
    page.goto("/cart/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your cart")


def test_bad_quantity_is_explained_and_the_cart_keeps_its_items(page):
    page.goto("/products?q=%E5%A5%B6%E7%B2%89&in_stock=y")
    page.locator(".results .card-link").first.click()
    page.get_by_role("button", name=re.compile("Buy now|立即购买")).click()
    row = page.locator("tr[data-sku]").first
    qty = row.locator("input[name=quantity]")
    qty.fill("0")
    # The browser's own min=1 check would stop the form; bypass it to see the server's message.
    page.evaluate("document.querySelectorAll('form.qty-form').forEach(f => f.noValidate = true)")
    row.get_by_role("button").first.click()
    expect(page.locator(".field-errors").first).to_be_visible()
    expect(page.locator("tr[data-sku]")).to_have_count(1)
    expect(page.locator("tr[data-sku] input[name=quantity]")).to_have_value("0")
    page.goto("/cart/")
    expect(page.locator("tr[data-sku] input[name=quantity]")).to_have_value("1")


def test_cart_survives_registration_and_sign_in(page):
    page.goto("/products?q=%E5%A5%B6%E7%B2%89&in_stock=y")
    page.locator(".results .card-link").first.click()
    page.get_by_role("button", name=re.compile("Add to cart|加入购物车")).click()
    expect(page.locator(".badge")).to_have_text("1")
    page.goto("/account/register")
    page.locator("#name").fill("王小明")
    page.locator("#email").fill("xiaoming.e2e@example.com")
    page.locator("#password").fill("a-long-password")
    page.locator("#confirm").fill("a-long-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".badge")).to_have_text("1")
    page.locator(".user-nav button[type=submit]").click()  # sign out
    expect(page.locator(".badge")).to_have_text("0")
    page.goto("/account/login")
    page.locator("#email").fill("xiaoming.e2e@example.com")
    page.locator("#password").fill("a-long-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".badge")).to_have_text("1")


def test_mobile_layout_product_grid_and_search(mobile_page):
    mobile_page.goto("/")
    expect(mobile_page.get_by_role("searchbox")).to_be_visible()
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the home page must not scroll sideways on a phone"
    mobile_page.goto("/products")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 390
