"""Saved buyers and addresses: saved at checkout, chosen again, shown masked, stored encrypted, deleted."""

from __future__ import annotations

import html as htmllib

from sqlalchemy import func, select, text

from shop import security
from shop.accounts import services as accounts
from shop.accounts.identity import Address, BuyerIdentity
from shop.orders.models import Order
from tests import factories
from tests.functional.checkout_helpers import (
    CONSIGNEE_PHONE,
    CONSIGNEE_PHONE_MASKED,
    DISTRICT,
    ID_MASKED,
    ID_NUMBER,
    PHONE,
    PHONE_MASKED,
    checkout_data,
    number_from,
    place_order,
    shopper,
    sign_in_as,
    stocked,
)
from tests.functional.helpers import add_to_cart


def _identities(session, user) -> list[BuyerIdentity]:
    return list(session.scalars(select(BuyerIdentity).where(BuyerIdentity.user_id == user.id)))


def _addresses(session, user) -> list[Address]:
    return list(session.scalars(select(Address).where(Address.user_id == user.id)))


def _saved(session, user) -> tuple[BuyerIdentity, Address]:
    identity = accounts.save_identity(session, user.id, name="林晓雨", id_number=ID_NUMBER, phone=PHONE)
    address = accounts.save_address(session, user.id, consignee="林晓雨", phone=CONSIGNEE_PHONE,
                                    division_code=DISTRICT, province="吉林省", city="长春市", district="南关区",
                                    street="人民大街 1234 号")
    session.commit()
    return identity, address


def _assert_nothing_in_full(page: str) -> None:
    assert ID_NUMBER not in page
    assert PHONE not in page
    assert CONSIGNEE_PHONE not in page


# --- saving at checkout -----------------------------------------------------------------------------


def test_checkout_saves_the_buyer_and_the_address(english, session):
    user = shopper(session, english)

    place_order(english, session)

    [identity] = _identities(session, user)
    assert (identity.name, identity.id_number_masked, identity.phone_masked) == ("林晓雨", ID_MASKED, PHONE_MASKED)
    assert identity.id_number_digest == security.digest(ID_NUMBER)
    [address] = _addresses(session, user)
    assert (address.consignee, address.phone_masked, address.division_code) == (
        "林晓雨", CONSIGNEE_PHONE_MASKED, DISTRICT)
    assert address.full_address == "吉林省长春市南关区人民大街 1234 号"
    page = english.get("/account/").text
    assert f"林晓雨 · {ID_MASKED} · {PHONE_MASKED}" in page
    assert f"林晓雨 · {CONSIGNEE_PHONE_MASKED} · 吉林省长春市南关区人民大街 1234 号" in page
    _assert_nothing_in_full(page)


def test_unticked_boxes_save_nothing(english, session):
    user = shopper(session, english)

    place_order(english, session, save_identity=None, save_address=None)

    assert _identities(session, user) == []
    assert _addresses(session, user) == []
    page = english.get("/account/").text
    assert "Buyers you enter at checkout can be saved here." in page
    assert "Addresses you enter at checkout can be saved here." in page


def test_the_same_buyer_is_saved_once(english, session):
    user = shopper(session, english)
    place_order(english, session)

    place_order(english, session, identity="0", buyer_phone="13700001111")

    [identity] = _identities(session, user)
    assert identity.phone_masked == "137****1111"  # the latest phone is kept


def test_a_refused_checkout_saves_nothing(english, session):
    user = shopper(session, english)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data(buyer_is_payer=None))

    assert response.status_code == 400
    assert _identities(session, user) == [] and _addresses(session, user) == []


# --- encrypted at rest ------------------------------------------------------------------------------


def test_id_numbers_and_phones_are_encrypted_in_the_database(english, session):
    user = shopper(session, english)
    place_order(english, session)

    for table in ("buyer_identities", "addresses", "orders"):
        rows = session.execute(text(f"SELECT * FROM {table}")).all()  # the raw columns, as stored
        assert rows, table
        for row in rows:
            stored = " ".join(str(value) for value in row)
            assert ID_NUMBER not in stored, table
            assert PHONE not in stored, table
            assert CONSIGNEE_PHONE not in stored, table
    [identity] = _identities(session, user)
    assert security.decrypt(identity.id_number_encrypted) == ID_NUMBER
    assert security.decrypt(identity.phone_encrypted) == PHONE
    [address] = _addresses(session, user)
    assert security.decrypt(address.phone_encrypted) == CONSIGNEE_PHONE


# --- choosing a saved one ---------------------------------------------------------------------------


def test_checkout_offers_the_saved_buyer_and_address_masked(english, session):
    user = shopper(session, english)
    identity, address = _saved(session, user)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    page = english.get("/checkout").text

    assert f'<option selected value="{identity.id}">林晓雨 {ID_MASKED}</option>' in page
    assert f'<option selected value="{address.id}">林晓雨 · 吉林省长春市南关区人民大街 1234 号</option>' in page
    assert '<option value="0">A new buyer</option>' in page
    assert '<option value="0">A new address</option>' in page
    assert "林晓雨: ¥26,000.00 of this year's ¥26,000 annual limit remains." in htmllib.unescape(page)
    _assert_nothing_in_full(page)


def test_checkout_with_the_saved_buyer_and_address(english, session):
    user = shopper(session, english)
    identity, address = _saved(session, user)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data={"identity": str(identity.id), "address": str(address.id),
                                               "buyer_is_payer": "y"})

    order = session.scalar(select(Order).where(Order.number == number_from(response)))
    assert order.buyer_name == "林晓雨" and order.buyer_id_masked == ID_MASKED
    assert security.decrypt(order.buyer_id_encrypted) == ID_NUMBER
    assert security.decrypt(order.buyer_phone_encrypted) == PHONE
    assert order.buyer_id_digest == security.digest(ID_NUMBER)
    assert security.decrypt(order.consignee_phone_encrypted) == CONSIGNEE_PHONE
    assert order.consignee_address == "吉林省长春市南关区人民大街 1234 号"
    assert order.consignee_division_code == DISTRICT
    assert len(_identities(session, user)) == 1 and len(_addresses(session, user)) == 1


def test_a_saved_buyer_with_a_new_address(english, session):
    user = shopper(session, english)
    identity, _address = _saved(session, user)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data=checkout_data(
        identity=str(identity.id), buyer_name="", buyer_id_number="", buyer_phone="",
        province="110000", city="110100", district="110105", street="建国路 1 号"))

    order = session.scalar(select(Order).where(Order.number == number_from(response)))
    assert order.buyer_id_masked == ID_MASKED
    assert order.consignee_address == "北京市朝阳区建国路 1 号"
    assert len(_addresses(session, user)) == 2


def test_someone_elses_saved_buyer_or_address_cannot_be_used(english, session):
    owner = factories.user(session)
    theirs, their_address = _saved(session, owner)
    user = shopper(session, english)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    response = english.post("/checkout", data={"identity": str(theirs.id), "address": str(their_address.id),
                                               "buyer_is_payer": "y"})

    assert response.status_code == 400
    assert "Please choose a buyer from the list." in response.text
    assert "Please choose an address from the list." in response.text
    assert session.scalar(select(func.count(Order.id))) == 0
    _assert_nothing_in_full(response.text)
    assert _identities(session, user) == []


def test_a_saved_buyer_deleted_in_another_tab_is_explained(english, session):
    """The shopper's only saved buyer and address are deleted while the checkout page is open."""
    user = shopper(session, english)
    identity, address = _saved(session, user)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)
    english.post(f"/account/identities/{identity.id}/delete")
    english.post(f"/account/addresses/{address.id}/delete")

    response = english.post("/checkout", data={"identity": str(identity.id), "address": str(address.id),
                                               "buyer_is_payer": "y"})

    assert response.status_code == 400
    assert '<ul class="field-errors" id="identity-errors"><li>Please choose a buyer from the list.</li></ul>' in (
        response.text)
    assert '<ul class="field-errors" id="address-errors"><li>Please choose an address from the list.</li></ul>' in (
        response.text)
    assert 'name="buyer_id_number"' in response.text  # the new-buyer fields are there to fill in instead
    assert session.scalar(select(func.count(Order.id))) == 0


# --- masked on every page ---------------------------------------------------------------------------


def test_no_page_shows_the_numbers_in_full(english, session):
    shopper(session, english)
    order = place_order(english, session)
    product = stocked(session)
    add_to_cart(english, product.sku, 1)

    for path in ("/account/", "/checkout", "/cart/", "/orders", f"/orders/{order.number}",
                 f"/orders/{order.number}/pay"):
        response = english.get(path)
        assert response.status_code == 200, path
        _assert_nothing_in_full(response.text)
    detail = htmllib.unescape(english.get(f"/orders/{order.number}").text)
    assert f"林晓雨 · {ID_MASKED} · {PHONE_MASKED}" in detail
    assert f"林晓雨 · {CONSIGNEE_PHONE_MASKED}" in detail
    assert f"Payer: 林晓雨 ({ID_MASKED})." in htmllib.unescape(english.get(f"/orders/{order.number}/pay").text)


# --- deleting ---------------------------------------------------------------------------------------


def test_deleting_a_saved_buyer(english, session):
    user = shopper(session, english)
    identity, _address = _saved(session, user)

    response = english.post(f"/account/identities/{identity.id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert _identities(session, user) == []
    assert "The saved buyer was deleted." in english.get("/account/").text


def test_deleting_a_saved_address(english, session):
    user = shopper(session, english)
    _identity, address = _saved(session, user)

    response = english.post(f"/account/addresses/{address.id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert _addresses(session, user) == []
    assert "The saved address was deleted." in english.get("/account/").text


def test_only_your_own_saved_items_can_be_deleted(english, session):
    owner = factories.user(session)
    theirs, their_address = _saved(session, owner)
    shopper(session, english)

    english.post(f"/account/identities/{theirs.id}/delete")
    english.post(f"/account/addresses/{their_address.id}/delete")
    english.post("/account/identities/999999/delete")

    assert len(_identities(session, owner)) == 1 and len(_addresses(session, owner)) == 1
    page = english.get("/account/").text
    assert "was deleted" not in page


def test_deleting_needs_a_signed_in_shopper_and_a_post(client, session):
    owner = factories.user(session)
    identity, address = _saved(session, owner)

    response = client.post(f"/account/identities/{identity.id}/delete")

    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.get(f"/account/addresses/{address.id}/delete").status_code == 405
    assert len(_identities(session, owner)) == 1 and len(_addresses(session, owner)) == 1


def test_orders_keep_their_buyer_when_the_saved_one_is_deleted(english, session):
    user = shopper(session, english)
    order = place_order(english, session)
    [identity] = _identities(session, user)
    [address] = _addresses(session, user)

    english.post(f"/account/identities/{identity.id}/delete")
    english.post(f"/account/addresses/{address.id}/delete")

    page = htmllib.unescape(english.get(f"/orders/{order.number}").text)
    assert f"林晓雨 · {ID_MASKED} · {PHONE_MASKED}" in page
    assert "吉林省长春市南关区人民大街 1234 号" in page


def test_another_shopper_sees_none_of_my_saved_items(english, other_client, session):
    user = shopper(session, english)
    _saved(session, user)
    other = factories.user(session)
    session.commit()
    sign_in_as(other_client, other)

    page = other_client.get("/account/").text

    assert ID_MASKED not in page and "人民大街" not in page
