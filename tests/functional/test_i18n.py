"""Language: Simplified Chinese by default, English on request, remembered by cookie and on the account."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from tests import factories
from tests.functional.helpers import sign_in, sign_out


def _lang(html: str) -> str:
    start = html.index("<html lang=\"") + len("<html lang=\"")
    return html[start:html.index('"', start)]


def _stored_locale(session, user) -> str | None:
    return session.scalar(select(User.locale).where(User.id == user.id))


def test_chinese_is_the_default(client, session):
    html = client.get("/").text

    assert _lang(html) == "zh-CN"
    assert 'href="/lang/en?next=/?"' in html  # the switch to English, back to this page


def test_switching_to_english_goes_back_to_the_page(client, session):
    response = client.get("/lang/en?next=/products?q=milk")

    assert response.status_code == 302
    assert response.headers["Location"] == "/products?q=milk"
    assert "locale=en" in response.headers["Set-Cookie"]


def test_english_is_remembered_across_requests(client, session):
    client.get("/lang/en?next=/")

    for url in ("/", "/products", "/cart/", "/account/login"):
        html = client.get(url).text
        assert _lang(html) == "en", url
    assert "Sign in" in html


def test_english_is_remembered_by_the_cookie_alone(other_client, session):
    other_client.set_cookie("locale", "en")

    assert _lang(other_client.get("/").text) == "en"


def test_an_unknown_language_in_the_cookie_is_ignored(other_client, session):
    other_client.set_cookie("locale", "fr")

    assert _lang(other_client.get("/").text) == "zh-CN"


def test_switching_back_to_chinese(english, session):
    english.get("/lang/zh_CN?next=/")

    html = english.get("/").text

    assert _lang(html) == "zh-CN"
    assert 'href="/lang/en?next=/?"' in html


def test_an_unknown_language_changes_nothing(client, session):
    response = client.get("/lang/fr?next=/products")

    assert response.headers["Location"] == "/products"
    assert "Set-Cookie" not in response.headers
    assert _lang(client.get("/").text) == "zh-CN"


@pytest.mark.parametrize("target", [
    "https://evil.example", "https://evil.example/", "//evil.example", "http:/evil.example", "/\\evil.example",
])
def test_the_switch_never_redirects_off_site(client, session, target):
    response = client.get("/lang/en", query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_choice_is_stored_on_the_user(client, session):
    user = factories.user(session)
    session.commit()
    sign_in(client, user.email)

    client.get("/lang/en?next=/")

    assert _stored_locale(session, user) == "en"


def test_the_stored_choice_follows_the_user_to_another_browser(client, other_client, session):
    user = factories.user(session)
    session.commit()
    sign_in(client, user.email)
    client.get("/lang/en?next=/")
    sign_out(client)

    assert _lang(other_client.get("/").text) == "zh-CN"
    sign_in(other_client, user.email)
    assert _lang(other_client.get("/").text) == "en"


def test_the_language_chosen_before_registering_is_kept(english, session):
    english.post("/account/register", data={
        "name": "Li Lei", "email": "li.lei@example.com", "password": "long enough", "confirm": "long enough"})

    assert session.scalar(select(User.locale).where(User.email == "li.lei@example.com")) == "en"


def test_the_language_chosen_before_signing_in_is_kept_for_a_user_without_one(english, session):
    user = factories.user(session)
    session.commit()

    sign_in(english, user.email)

    assert _stored_locale(session, user) == "en"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_money_looks_the_same_in_both_languages(client, session, language):
    factories.product(session, price=Decimal("1234.00"))
    client.get(f"/lang/{language}?next=/")

    assert "¥1,234.00" in client.get("/products").text


def test_pages_speak_chinese_by_default_and_english_on_request(client, session):
    home = client.get("/").text
    assert "全球购" in home and "购物车" in home and "搜索" in home
    cart = client.get("/cart/").text
    assert "购物车是空的。" in cart
    client.get("/lang/en?next=/")
    cart = client.get("/cart/").text
    assert "Your cart is empty." in cart and "购物车是空的" not in cart
