"""Checkout: who may check out, the form and its refusals, the customs limits, stock, and the divisions lookup."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from shop.cart.models import Cart, CartItem
from shop.cart.quote import FreightRule, QuoteItem, build_quote
from shop.catalog.models import Product
from shop.db import utcnow
from shop.inventory.models import Lot
from shop.money import format_cny
from shop.orders import services as orders
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.functional.checkout_helpers import (
    CITY,
    DISTRICT,
    ID_NUMBER,
    PROVINCE,
    checkout_data,
    id_number,
    number_from,
    shopper,
    stocked,
)
from tests.functional.helpers import PASSWORD, add_to_cart, by_testid

TZ = ZoneInfo("Asia/Shanghai")


def _orders(session) -> int:
    return session.scalar(select(func.count(Order.id)))


def _cart_quantities(session, user) -> dict[int, int]:
    rows = session.execute(select(CartItem.product_id, CartItem.quantity).join(Cart).where(Cart.user_id == user.id))
    return dict(rows.all())


def _quote(app, product, quantity):
    cfg = app.config
    rule = FreightRule(fee=cfg["FREIGHT_FEE"], free_over=cfg["FREE_FREIGHT_OVER"], insurance_rate=cfg["INSURANCE_RATE"])
    return build_quote([QuoteItem.for_product(product, quantity)], rule)


def _field_errors(html: str, field: str) -> list[str]:
    match = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return [htmllib.unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def _value_of(html: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', html)
    assert match, f"no input {field}"
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return htmllib.unescape(value.group(1)) if value else None


def _selected(html: str, field: str) -> str | None:
    match = re.search(rf'<select[^>]*\bid="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {field}"
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', match.group(1))
    return (chosen.group(1) or chosen.group(2)) if chosen else None


# --- who may check out ------------------------------------------------------------------------------


def test_checkout_asks_a_visitor_to_sign_in_first(client, session):
    response = client.get("/checkout")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    assert "checkout" in response.headers["Location"]


def test_a_visitors_cart_comes_along_through_sign_in_to_checkout(english, session):
    product = stocked(session)
    user = factories.user(session)
    session.commit()
    add_to_cart(english, product.sku, 2)
    assert 'href="/checkout"' in english.get("/cart/").text

    login = english.get("/checkout").headers["Location"]
    response = english.post(login, data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 302 and response.headers["Location"] == "/checkout"
    page = english.get("/checkout")
    assert page.status_code == 200 and f"{product.name_en} × 2" in htmllib.unescape(page.text)


def test_posting_the_checkout_signed_out_places_nothing(client, session):
    product = stocked(session)
    add_to_cart(client, product.sku, 1)

    response = client.post("/checkout", data=checkout_data())

    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert _orders(session) == 0


def test_an_empty_cart_goes_back_to_the_cart(english, session):
    shopper(session, english)

    response = english.get("/checkout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"
    assert "Your cart is empty." in english.get("/cart/").text


def test_an_empty_cart_cannot_be_posted_either(english, session):
    shopper(session, english)

    response = english.post("/checkout", data=checkout_data())

    assert response.status_code == 302 and response.headers["Location"] == "/cart/"
    assert _orders(session) == 0


# --- the page ---------------------------------------------------------------------------------------


def test_checkout_shows_the_summary_and_the_house_rule(english, session, app):
    product = stocked(session, price=Decimal("188.00"))
    shopper(session, english)
    add_to_cart(english, product.sku, 2)
    quote = _quote(app, product, 2)

    response = english.get("/checkout")

    assert response.status_code == 200
    page = htmllib.unescape(response.text)
    assert f"{product.name_en} × 2" in page
    assert by_testid(response.text, "checkout-total") == format_cny(quote.total)
    assert f"Place order and pay {format_cny(quote.total)}" in page
    assert "House rule: the buyer is the payer." in page
    assert "The buyer must be the person who pays." in page
    assert "I am the buyer named above and I pay for this order with my own card." in page
    assert 'name="buyer_is_payer"' in page and "checked" not in re.search(
        r'<input[^>]*name="buyer_is_payer"[^>]*>', page).group(0)
    assert "Your goods are reserved for 30 minutes while you pay." in page
    # No saved buyer yet: the new-buyer fields, and the province list to start the address.
    assert 'name="buyer_id_number"' in page
    assert '<option value="220000">吉林省</option>' in page


def test_checkout_is_in_chinese_by_default(client, session):
    product = stocked(session)
    shopper(session, client)
    add_to_cart(client, product.sku, 1)

    response = client.get("/checkout")

    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text


# --- placing the order ------------------------------------------------------------------------------


def test_a_good_checkout_places_the_order_and_goes_to_payment(english, session, app):
    product = stocked(session, quantity=10, price=Decimal("188.00"))
    user = shopper(session, english)
    add_to_cart(english, product.sku, 2)
    quote = _quote(app, product, 2)

    number = number_from(english.post("/checkout", data=checkout_data()))

    order = session.scalar(select(Order).where(Order.number == number))
    assert order.user_id == user.id and order.status is OrderStatus.AWAITING_PAYMENT
    assert order.locale == "en"
    assert order.actual_paid == quote.total and order.tax_total == quote.tax
    assert order.buyer_name == "林晓雨" and order.buyer_id_masked == "3604**********0071"
    assert order.consignee_division_code == DISTRICT
    assert order.consignee_address == "吉林省长春市南关区人民大街 1234 号"
    assert [(line.sku, line.quantity) for line in order.lines] == [(product.sku, 2)]
    assert _cart_quantities(session, user) == {}  # the cart is emptied
    page = english.get(f"/orders/{number}/pay")
    assert page.status_code == 200
    assert by_testid(page.text, "pay-amount") == format_cny(quote.total)


def test_the_id_number_may_end_in_a_small_x(english, session):
    product = stocked(session)
    shopper(session, english)
    add_to_cart(english, product.sku, 1)
    number = id_number("11010519491231002")
    assert number.endswith("X")

    response = english.post("/checkout", data=checkout_data(buyer_id_number=number.lower()))

    order = session.scalar(select(Order).where(Order.number == number_from(response)))
    assert order.buyer_id_masked == "1101**********002X"


def test_a_municipality_address(english, session):
    product = stocked(session)
    shopper(session, english)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data(province="110000", city="110100", district="110105"))

    order = session.scalar(select(Order).where(Order.number == number_from(response)))
    assert order.consignee_address == "北京市朝阳区人民大街 1234 号"


# --- bad input --------------------------------------------------------------------------------------

REQUIRED = "This field is required."
MOBILE = "Please enter an 11-digit mainland mobile number, e.g. 13812345678."
PLACE = "Please choose the province, city and district."


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"buyer_name": ""}, "buyer_name", REQUIRED),
    ({"buyer_name": "   "}, "buyer_name", REQUIRED),
    ({"buyer_id_number": ""}, "buyer_id_number", REQUIRED),
    ({"buyer_phone": ""}, "buyer_phone", REQUIRED),
    ({"consignee_name": ""}, "consignee_name", REQUIRED),
    ({"consignee_phone": ""}, "consignee_phone", REQUIRED),
    ({"street": ""}, "street", REQUIRED),
    ({"buyer_id_number": "36042619910101007"}, "buyer_id_number",
     "A resident ID number has 18 characters: 17 digits and a final digit or X."),
    ({"buyer_id_number": "36042619910101007A"}, "buyer_id_number",
     "A resident ID number has 18 characters: 17 digits and a final digit or X."),
    ({"buyer_id_number": "360426199101010072"}, "buyer_id_number",
     "This ID number is not valid: its check character does not match. Please check it."),
    ({"buyer_id_number": id_number("36042620990101007")}, "buyer_id_number",
     "This ID number is not valid: its birth date is not a real date in the past."),
    ({"buyer_id_number": id_number("36042619910231007")}, "buyer_id_number",
     "This ID number is not valid: its birth date is not a real date in the past."),
    ({"buyer_phone": "1381234567"}, "buyer_phone", MOBILE),
    ({"buyer_phone": "23812345678"}, "buyer_phone", MOBILE),
    ({"buyer_phone": "1381234567a"}, "buyer_phone", MOBILE),
    ({"consignee_phone": "12812345678"}, "consignee_phone", MOBILE),
    ({"province": "", "city": "", "district": ""}, "district", PLACE),
    ({"district": ""}, "district", PLACE),
    ({"district": "110101"}, "district", PLACE),  # a district of Beijing, not of 长春市
    ({"city": "110100", "district": "110101"}, "district", PLACE),  # a city outside the province
    ({"district": "999999"}, "district", PLACE),
    ({"district": CITY}, "district", PLACE),  # the city itself is not a district
    ({"buyer_is_payer": None}, "buyer_is_payer", "Customs requires the buyer to be the payer. Please confirm."),
])
def test_bad_input_is_refused_with_the_fields_message(english, session, overrides, field, message):
    product = stocked(session)
    user = shopper(session, english)
    add_to_cart(english, product.sku, 2)

    response = english.post("/checkout", data=checkout_data(**overrides))

    assert response.status_code == 400
    assert _field_errors(response.text, field) == [message]
    assert "Please correct the fields marked below." in response.text
    assert _orders(session) == 0
    assert _cart_quantities(session, user) == {product.id: 2}


def test_an_empty_form_names_every_missing_field(english, session):
    product = stocked(session)
    shopper(session, english)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data={})

    assert response.status_code == 400
    for field in ("buyer_name", "buyer_id_number", "buyer_phone", "consignee_name", "consignee_phone", "street"):
        assert _field_errors(response.text, field) == [REQUIRED], field
    assert _field_errors(response.text, "district") == [PLACE]
    assert _field_errors(response.text, "buyer_is_payer") == [
        "Customs requires the buyer to be the payer. Please confirm."]
    assert _orders(session) == 0


def test_a_refused_form_keeps_what_was_typed(english, session):
    product = stocked(session)
    shopper(session, english)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data(buyer_phone="1381234", street="人民大街 <1> 号"))

    assert response.status_code == 400
    page = response.text
    assert _value_of(page, "buyer_name") == "林晓雨"
    assert _value_of(page, "buyer_phone") == "1381234"
    assert _value_of(page, "consignee_name") == "林晓雨"
    assert _value_of(page, "street") == "人民大街 <1> 号"
    assert _selected(page, "province") == PROVINCE
    assert _selected(page, "city") == CITY
    assert _selected(page, "district") == DISTRICT
    # The chosen province's cities and the chosen city's districts are listed again.
    assert '>长春市</option>' in page and '>南关区</option>' in page
    assert " checked " in re.search(r'<input[^>]*name="buyer_is_payer"[^>]*>', page).group(0)


def test_the_chinese_form_answers_in_chinese(client, session):
    product = stocked(session)
    shopper(session, client)
    add_to_cart(client, product.sku, 1)

    response = client.post("/checkout", data=checkout_data(buyer_is_payer=None))

    assert response.status_code == 400
    assert '<html lang="zh-CN">' in response.text
    assert _field_errors(response.text, "buyer_is_payer")


# --- customs limits and stock -----------------------------------------------------------------------


def test_over_the_single_order_limit_is_refused_with_the_figures(english, session):
    product = stocked(session, price=Decimal("2600.00"))
    user = shopper(session, english)
    add_to_cart(english, product.sku, 2)

    # The cart already says so, and offers no checkout.
    cart = english.get("/cart/").text
    assert 'href="/checkout"' not in cart
    assert "limit-bad" in cart

    response = english.post("/checkout", data=checkout_data())

    assert response.status_code == 400
    message = htmllib.unescape(by_testid(response.text, "checkout-error"))
    assert message == ("This order's duty-paid value of ¥5,200.00 is over the ¥5,000.00 single-order limit by "
                       "¥200.00. Please remove goods worth at least ¥200.00, or split them into separate orders.")
    assert _orders(session) == 0
    assert _cart_quantities(session, user) == {product.id: 2}


def test_one_item_over_the_single_order_limit_may_be_bought_with_full_tax(english, session):
    product = stocked(session, price=Decimal("5200.00"), max_per_order=1)
    shopper(session, english)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data())

    order = session.scalar(select(Order).where(Order.number == number_from(response)))
    assert order.full_tax and order.customs_duty > 0


def _use_the_annual_quota(session, product, times: int) -> None:
    """Paid orders by another account under the same buyer ID (the quota is per person, not per account)."""
    other = factories.user(session)
    buyer = orders.Buyer("林晓雨", ID_NUMBER, "13812345678")
    consignee = orders.Consignee("林晓雨", "13812345678", DISTRICT, "吉林省", "长春市", "南关区", "人民大街 1 号")
    now = utcnow()
    for _ in range(times):
        order = orders.place_order(session, user=other, items=[(product, 1)], buyer=buyer, consignee=consignee,
                                   freight_rule=FreightRule(Decimal("10.00"), Decimal("399.00")), now=now,
                                   near_expiry_days=30, reservation_minutes=30, tz=TZ)
        orders.change_status(session, order, OrderStatus.PAID, now=now)
    session.commit()


def test_over_the_annual_limit_is_refused_with_the_figures(english, session):
    expensive = stocked(session, price=Decimal("4999.00"), max_per_order=1)
    _use_the_annual_quota(session, expensive, 5)  # ¥24,995.00 used, ¥1,005.00 left
    product = stocked(session, price=Decimal("1100.00"))
    user = shopper(session, english)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data())

    assert response.status_code == 400
    assert htmllib.unescape(by_testid(response.text, "checkout-error")) == (
        "This order would cross the ¥26,000.00 annual limit for this ID number by ¥95.00: ¥24,995.00 is already "
        "used this year and ¥1,005.00 remains.")
    assert _orders(session) == 5
    assert _cart_quantities(session, user) == {product.id: 1}


def test_out_of_stock_at_checkout_is_refused_with_what_is_left(english, session, other_client):
    product = stocked(session, quantity=3)
    user = shopper(session, english)
    add_to_cart(english, product.sku, 3)
    # Someone else buys one unit first.
    shopper(session, other_client)
    add_to_cart(other_client, product.sku, 1)
    number_from(other_client.post("/checkout", data=checkout_data()))

    response = english.post("/checkout", data=checkout_data())

    assert response.status_code == 400
    assert htmllib.unescape(by_testid(response.text, "checkout-error")) == (
        f"Only 2 of “{product.name_en}” left in stock.")
    assert _orders(session) == 1
    assert _cart_quantities(session, user) == {product.id: 3}


def test_goods_withdrawn_from_sale_are_refused(english, session):
    product = stocked(session)
    user = shopper(session, english)
    add_to_cart(english, product.sku, 1)
    session.get(Product, product.id).published = False  # (objects from before a request are detached)
    session.commit()

    response = english.post("/checkout", data=checkout_data())

    assert response.status_code == 400
    assert htmllib.unescape(by_testid(response.text, "checkout-error")) == (
        f"“{product.name_en}” is not on sale any more. Please remove it from your cart.")
    assert _orders(session) == 0
    assert _cart_quantities(session, user) == {product.id: 1}


# --- the cart page's way in -------------------------------------------------------------------------


def test_the_cart_offers_checkout_when_the_order_is_allowed(english, session):
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    assert 'href="/checkout"' in english.get("/cart/").text


def test_the_cart_offers_no_checkout_for_goods_it_cannot_sell(english, session):
    product = stocked(session, quantity=2)
    add_to_cart(english, product.sku, 2)
    lot = session.scalar(select(Lot).where(Lot.product_id == product.id))
    lot.on_hand = 1
    session.commit()

    page = english.get("/cart/").text

    assert "Only 1 left in stock." in page
    assert 'href="/checkout"' not in page


def test_the_cart_shows_the_annual_quota_left_for_the_saved_buyer(english, session, app):
    product = stocked(session, price=Decimal("500.00"))
    shopper(session, english)
    assert 'data-testid="annual-remaining"' not in english.get("/cart/").text  # no saved buyer yet
    add_to_cart(english, product.sku, 2)
    number_from(english.post("/checkout", data=checkout_data()))  # saves the buyer; the order holds ¥1,000
    add_to_cart(english, product.sku, 1)

    page = english.get("/cart/").text

    assert htmllib.unescape(by_testid(page, "annual-remaining")) == (
        "Annual limit remaining for 林晓雨 this year: ¥25,000.00.")


def test_a_visitor_sees_no_annual_quota(client, session):
    product = stocked(session)
    add_to_cart(client, product.sku, 1)

    assert 'data-testid="annual-remaining"' not in client.get("/cart/").text


# --- administrative divisions -----------------------------------------------------------------------


def test_divisions_of_a_province_are_its_cities(client, session):
    response = client.get("/checkout/divisions/220000")

    assert response.status_code == 200 and response.is_json
    cities = response.get_json()
    assert {"code": "220100", "name": "长春市"} in cities
    assert all(set(c) == {"code", "name"} and c["code"].startswith("22") for c in cities)


def test_divisions_of_a_city_are_its_districts(client, session):
    districts = client.get(f"/checkout/divisions/{CITY}").get_json()

    assert {"code": DISTRICT, "name": "南关区"} in districts
    assert all(d["code"].startswith("2201") for d in districts)


def test_a_municipality_has_one_city_with_its_districts(client, session):
    assert client.get("/checkout/divisions/110000").get_json() == [{"code": "110100", "name": "北京市"}]
    districts = client.get("/checkout/divisions/110100").get_json()
    assert {"code": "110101", "name": "东城区"} in districts
    assert {"code": "110105", "name": "朝阳区"} in districts


@pytest.mark.parametrize("code", ["999999", "220102", "abc", "0"])
def test_unknown_divisions_have_no_children(client, session, code):
    response = client.get(f"/checkout/divisions/{code}")

    assert response.status_code == 200
    assert response.get_json() == []


def test_an_unpaid_order_past_its_time_gives_its_stock_to_the_next_buyer(english, other_client, session):
    product = stocked(session, quantity=1)
    shopper(session, english)
    shopper(session, other_client)
    add_to_cart(english, product.sku, 1)
    add_to_cart(other_client, product.sku, 1)
    first = number_from(english.post("/checkout", data=checkout_data()))
    assert other_client.post("/checkout", data=checkout_data()).status_code == 400  # the unit is held
    session.scalar(select(Order).where(Order.number == first)).reserved_until = utcnow() - timedelta(minutes=1)
    session.commit()

    second = number_from(other_client.post("/checkout", data=checkout_data()))

    assert session.scalar(select(Order.status).where(Order.number == first)) is OrderStatus.CANCELLED
    assert session.scalar(select(Order.status).where(Order.number == second)) is OrderStatus.AWAITING_PAYMENT
