"""The cart: adding, changing and removing goods, the refusals, the quote, and keeping it across sign-in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from shop.cart.models import Cart
from shop.catalog.models import ConsumptionTaxCategory, NetContentUnit
from tests import factories
from tests.functional.helpers import add_to_cart, by_testid, sign_in, sign_out


def _stocked(session, quantity: int = 50, **kw):
    p = factories.product(session, **kw)
    factories.lot(session, p, quantity)
    session.commit()
    return p


def _quantity_in_cart(html: str, sku: str) -> str:
    start = html.index(f'id="qty-{sku}"')
    value = html.index('value="', start) + len('value="')
    return html[value:html.index('"', value)]


# --- adding -----------------------------------------------------------------------------------------


def test_add_puts_the_product_in_the_cart_and_goes_back(english, session):
    p = _stocked(session)

    response = add_to_cart(english, p.sku, 2, next_path=f"/p/{p.sku}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{p.sku}"
    page = english.get(f"/p/{p.sku}").text
    assert "Added to your cart." in page
    assert '<span class="badge" aria-label="2 items in cart">2</span>' in page
    assert _quantity_in_cart(english.get("/cart/").text, p.sku) == "2"


def test_buy_now_goes_to_the_cart(client, session):
    p = _stocked(session)

    response = client.post("/cart/add", data={"sku": p.sku, "quantity": "1", "next": f"/p/{p.sku}", "go": "cart"})

    assert response.headers["Location"] == "/cart/"


def test_adding_again_adds_up(client, session):
    p = _stocked(session)

    add_to_cart(client, p.sku, 2)
    add_to_cart(client, p.sku, 3)

    assert _quantity_in_cart(client.get("/cart/").text, p.sku) == "5"


def test_add_never_redirects_off_site(client, session):
    p = _stocked(session)

    response = add_to_cart(client, p.sku, 1, next_path="https://evil.example/")

    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("quantity", "message"), [
    ("0", "Please enter a quantity between 1 and 99."),
    ("-1", "Please enter a quantity between 1 and 99."),
    ("100", "Please enter a quantity between 1 and 99."),
    ("abc", "Not a valid integer value."),
    ("", "Please enter a quantity between 1 and 99."),
])
def test_add_refuses_a_bad_quantity_with_a_message(english, session, quantity, message):
    p = _stocked(session)

    response = add_to_cart(english, p.sku, quantity, next_path=f"/p/{p.sku}")

    assert response.status_code == 302
    page = english.get(f"/p/{p.sku}").text
    assert message in page
    assert "Added to your cart." not in page
    assert "Your cart is empty." in english.get("/cart/").text


def test_add_refuses_more_than_the_per_order_maximum(english, session):
    p = _stocked(session, max_per_order=6)

    add_to_cart(english, p.sku, 7)

    page = english.get("/cart/").text
    assert "For personal use, at most 6 of this product can be bought in one order." in page
    assert "Your cart is empty." in page


def test_adding_up_past_the_per_order_maximum_is_refused(english, session):
    p = _stocked(session, max_per_order=6)
    add_to_cart(english, p.sku, 4)

    add_to_cart(english, p.sku, 3)

    page = english.get("/cart/").text
    assert "at most 6 of this product" in page
    assert _quantity_in_cart(page, p.sku) == "4"


def test_add_refuses_more_than_the_stock(english, session):
    p = _stocked(session, quantity=3)

    add_to_cart(english, p.sku, 4)

    page = english.get("/cart/").text
    assert "Only 3 left in stock." in page
    assert "Your cart is empty." in page


def test_add_refuses_a_sold_out_product(english, session):
    p = factories.product(session)
    session.commit()

    add_to_cart(english, p.sku, 1)

    assert "Sorry, this product is out of stock." in english.get("/cart/").text


def test_add_refuses_an_unpublished_product(english, session):
    p = _stocked(session, published=False)

    add_to_cart(english, p.sku, 1)

    page = english.get("/cart/").text
    assert "This product is not on sale." in page
    assert "Your cart is empty." in page


def test_add_refuses_an_unknown_sku(english, session):
    add_to_cart(english, "NO-SUCH-SKU", 1)

    assert "This product is not on sale." in english.get("/cart/").text


# --- changing and removing --------------------------------------------------------------------------


def test_update_sets_the_quantity(english, session):
    p = _stocked(session)
    add_to_cart(english, p.sku, 1)

    response = english.post("/cart/update", data={"sku": p.sku, "quantity": "4"})

    assert response.status_code == 302
    page = english.get("/cart/").text
    assert "Your cart has been updated." in page
    assert _quantity_in_cart(page, p.sku) == "4"


@pytest.mark.parametrize(("quantity", "message"), [
    ("0", "Please enter a quantity between 1 and 99."),
    ("-1", "Please enter a quantity between 1 and 99."),
    ("100", "Please enter a quantity between 1 and 99."),
    ("abc", "Not a valid integer value."),
    ("7", "For personal use, at most 6 of this product can be bought in one order."),
    ("51", "For personal use, at most 6 of this product"),
])
def test_update_shows_a_bad_quantity_in_place_with_400(english, session, quantity, message):
    p = _stocked(session, max_per_order=6)
    add_to_cart(english, p.sku, 2)

    response = english.post("/cart/update", data={"sku": p.sku, "quantity": quantity})

    assert response.status_code == 400
    assert message in response.text
    assert _quantity_in_cart(response.text, p.sku) == quantity  # what was typed stays in the box
    assert _quantity_in_cart(english.get("/cart/").text, p.sku) == "2"  # and nothing changed


def test_update_refuses_more_than_the_stock_in_place(english, session):
    p = _stocked(session, quantity=3)
    add_to_cart(english, p.sku, 1)

    response = english.post("/cart/update", data={"sku": p.sku, "quantity": "5"})

    assert response.status_code == 400
    assert "Only 3 left in stock." in response.text


def test_update_without_a_cart_is_a_400(client, session):
    p = _stocked(session)

    assert client.post("/cart/update", data={"sku": p.sku, "quantity": "2"}).status_code == 400


def test_remove_takes_the_product_out(english, session):
    keep = _stocked(session)
    drop = _stocked(session)
    add_to_cart(english, keep.sku, 1)
    add_to_cart(english, drop.sku, 1)

    response = english.post("/cart/remove", data={"sku": drop.sku})

    assert response.status_code == 302
    page = english.get("/cart/").text
    assert "Removed from your cart." in page
    assert f'data-sku="{keep.sku}"' in page
    assert f'data-sku="{drop.sku}"' not in page


def test_removing_the_last_product_empties_the_cart(english, session):
    p = _stocked(session)
    add_to_cart(english, p.sku, 1)

    english.post("/cart/remove", data={"sku": p.sku})

    assert "Your cart is empty." in english.get("/cart/").text


# --- the quote --------------------------------------------------------------------------------------


def test_empty_cart(english, session):
    response = english.get("/cart/")
    assert response.status_code == 200
    assert "Your cart is empty." in response.text


def test_quote_within_the_limit_with_freight(english, session):
    milk = _stocked(session, price=Decimal("300.00"))
    add_to_cart(english, milk.sku, 1)

    html = english.get("/cart/").text

    assert by_testid(html, "goods-value") == "¥300.00"
    assert by_testid(html, "freight") == "¥10.00"
    assert by_testid(html, "line-tax") == "¥28.21"
    assert by_testid(html, "tax-total") == "¥28.21"
    assert by_testid(html, "total") == "¥338.21"
    assert "Within the single-order limit: duty-paid value ¥310.00 of ¥5,000.00." in html
    assert "Free freight from ¥399.00 of goods." in html


def test_freight_is_free_from_399(english, session):
    p = _stocked(session, price=Decimal("399.00"))
    add_to_cart(english, p.sku, 1)

    html = english.get("/cart/").text

    assert by_testid(html, "freight") == "¥0.00"
    assert by_testid(html, "total") == "¥435.31"  # 399.00 + 399.00 × 13% × 70% (36.309 → 36.31)
    assert "Free freight from" not in html


def test_freight_applies_just_below_399(client, session):
    p = _stocked(session, price=Decimal("398.99"))
    add_to_cart(client, p.sku, 1)

    assert by_testid(client.get("/cart/").text, "freight") == "¥10.00"


def test_tax_is_shown_per_line(client, session):
    milk = _stocked(session, price=Decimal("100.00"))
    wine = _stocked(session, price=Decimal("299.00"), consumption_tax_category=ConsumptionTaxCategory.WINE,
                    net_content=Decimal("750"), net_content_unit=NetContentUnit.ML, hs_code="2204210000")
    add_to_cart(client, milk.sku, 1)
    add_to_cart(client, wine.sku, 1)

    html = client.get("/cart/").text

    # 399.00 of goods: free freight, so each line is taxed on its own price
    assert by_testid(html, "freight") == "¥0.00"
    milk_row = html[html.index(f'data-sku="{milk.sku}"'):html.index(f'data-sku="{wine.sku}"')]
    wine_row = html[html.index(f'data-sku="{wine.sku}"'):]
    assert by_testid(milk_row, "line-tax") == "¥9.10"
    assert by_testid(wine_row, "line-tax") == "¥53.49"
    assert by_testid(html, "tax-total") == "¥62.59"
    assert by_testid(html, "total") == "¥461.59"


def test_two_units_over_the_single_order_limit_says_by_how_much(english, session):
    p = _stocked(session, price=Decimal("2600.00"))
    add_to_cart(english, p.sku, 2)

    html = english.get("/cart/").text

    assert by_testid(html, "goods-value") == "¥5,200.00"
    assert by_testid(html, "freight") == "¥0.00"  # free above ¥399.00
    assert ("Over the single-order limit: the duty-paid value of ¥5,200.00 is ¥200.00 over ¥5,000.00. "
            "Please remove goods worth at least ¥200.00") in html
    assert 'class="limit limit-bad"' in html


def test_freight_counts_towards_the_single_order_limit(english, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "FREE_FREIGHT_OVER", Decimal("100000.00"))  # no free freight
    p = _stocked(session, price=Decimal("2600.00"))
    add_to_cart(english, p.sku, 2)

    html = english.get("/cart/").text

    assert by_testid(html, "freight") == "¥10.00"
    assert "the duty-paid value of ¥5,210.00 is ¥210.00 over ¥5,000.00" in html


def test_one_unit_over_the_limit_may_be_bought_with_full_tax(english, session):
    watch = _stocked(
        session, price=Decimal("12000.00"), consumption_tax_category=ConsumptionTaxCategory.WATCH,
        tariff_rate=Decimal("0.10"), vat_rate=Decimal("0.13"), net_content=Decimal("1"),
        net_content_unit=NetContentUnit.PIECE, hs_code="9102110000", max_per_order=1)
    add_to_cart(english, watch.sku, 1)

    html = english.get("/cart/").text

    assert by_testid(html, "line-tax") == "¥6,645.00"
    assert by_testid(html, "total") == "¥18,645.00"
    assert "¥1,200.00" in html  # customs duty, charged in full
    assert "It may still be bought as exactly one unit, but full import taxes apply" in html
    assert 'class="limit limit-warn"' in html


def test_a_product_withdrawn_after_adding_is_flagged_in_the_cart(english, session):
    p = _stocked(session)
    add_to_cart(english, p.sku, 1)
    p.published = False
    session.add(p)
    session.commit()

    html = english.get("/cart/").text

    assert "This product is not on sale." in html


# --- keeping the cart across sign-in ----------------------------------------------------------------


def test_the_cart_survives_signing_in(client, session):
    p = _stocked(session)
    user = factories.user(session)
    session.commit()
    add_to_cart(client, p.sku, 2)

    assert sign_in(client, user.email).status_code == 302

    assert _quantity_in_cart(client.get("/cart/").text, p.sku) == "2"
    cart = session.scalar(select(Cart).where(Cart.user_id == user.id))
    assert cart is not None and cart.token is None
    assert [(i.product_id, i.quantity) for i in cart.items] == [(p.id, 2)]


def test_the_cart_survives_registering(client, session):
    p = _stocked(session)
    add_to_cart(client, p.sku, 2)

    client.post("/account/register", data={
        "name": "Li Lei", "email": "li.lei@example.com", "password": "long enough", "confirm": "long enough"})

    assert _quantity_in_cart(client.get("/cart/").text, p.sku) == "2"


def test_signing_in_merges_into_the_users_own_cart(client, session):
    both = _stocked(session)
    only_mine = _stocked(session)
    only_browser = _stocked(session)
    user = factories.user(session)
    session.commit()
    sign_in(client, user.email)
    add_to_cart(client, both.sku, 1)
    add_to_cart(client, only_mine.sku, 1)
    sign_out(client)

    add_to_cart(client, both.sku, 2)
    add_to_cart(client, only_browser.sku, 3)
    sign_in(client, user.email)

    html = client.get("/cart/").text
    assert _quantity_in_cart(html, both.sku) == "3"
    assert _quantity_in_cart(html, only_mine.sku) == "1"
    assert _quantity_in_cart(html, only_browser.sku) == "3"
    assert session.scalar(select(Cart.id).where(Cart.user_id.is_(None))) is None  # the browser's cart is gone


def test_merging_stops_at_the_per_order_maximum(client, session):
    p = _stocked(session, max_per_order=6)
    user = factories.user(session)
    session.commit()
    sign_in(client, user.email)
    add_to_cart(client, p.sku, 4)
    sign_out(client)

    add_to_cart(client, p.sku, 5)
    sign_in(client, user.email)

    assert _quantity_in_cart(client.get("/cart/").text, p.sku) == "6"


def test_signing_out_leaves_the_users_cart_behind(english, session):
    p = _stocked(session)
    user = factories.user(session)
    session.commit()
    sign_in(english, user.email)
    add_to_cart(english, p.sku, 1)

    sign_out(english)

    assert "Your cart is empty." in english.get("/cart/").text
    sign_in(english, user.email)
    assert _quantity_in_cart(english.get("/cart/").text, p.sku) == "1"
