"""Error pages, product images under /media, and CSRF protection of the forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shop import create_app
from tests import factories
from tests.clients import OwnContextClient

# --- error pages ------------------------------------------------------------------------------------


def _is_shop_page(html: str) -> bool:
    return 'class="site-header"' in html and 'class="narrow error-page"' in html


def test_unknown_page_is_the_shops_404_page(english, session):
    response = english.get("/no/such/page")

    assert response.status_code == 404
    assert _is_shop_page(response.text)
    assert '<p class="error-code">404</p>' in response.text
    assert "Page not found" in response.text
    assert "Not Found</h1>" not in response.text  # not Werkzeug's bare page


def test_404_page_is_in_chinese_by_default(client, session):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert '<html lang="zh-CN">' in response.text
    assert _is_shop_page(response.text)


def test_wrong_method_is_the_shops_405_page(english, session):
    response = english.get("/cart/add")

    assert response.status_code == 405
    assert _is_shop_page(response.text)
    assert '<p class="error-code">405</p>' in response.text
    assert "That action is not possible on this page." in response.text
    assert "Method Not Allowed</h1>" not in response.text


def test_post_to_a_page_that_only_shows_is_405(client, session):
    response = client.post("/products")

    assert response.status_code == 405
    assert _is_shop_page(response.text)


# --- malformed requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/products?q=%00", "/products?q=milk%00", "/products?brand=a%00", "/p/T%00", "/c/food%00", "/media/a%00.jpg",
    "/lang/en?next=/%00",
])
def test_a_nul_character_in_the_url_is_a_400(client, session, url):
    response = client.get(url)

    assert response.status_code == 400
    assert '<p class="error-code">400</p>' in response.text


@pytest.mark.parametrize(("url", "data"), [
    ("/cart/add", {"sku": "T\x00", "quantity": "1"}),
    ("/cart/update", {"sku": "T\x00", "quantity": "1"}),
    ("/cart/remove", {"sku": "T\x00"}),
    ("/account/login", {"email": "a\x00@example.com", "password": "x"}),
    ("/account/register", {"name": "A", "email": "a\x00@example.com", "password": "long enough",
                           "confirm": "long enough"}),
])
def test_a_nul_character_in_a_form_is_a_400(client, session, url, data):
    assert client.post(url, data=data).status_code == 400


# --- /media -----------------------------------------------------------------------------------------


@pytest.fixture
def media_root(app) -> Path:
    return Path(app.config["MEDIA_ROOT"])


def test_media_serves_a_file_under_media_root(client, session, media_root):
    (media_root / "products").mkdir(exist_ok=True)
    (media_root / "products" / "milk.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")

    with client.get("/media/products/milk.jpg") as response:
        assert response.status_code == 200
        assert response.data == b"\xff\xd8\xff fake jpeg"
        assert response.mimetype == "image/jpeg"


def test_media_404s_for_a_missing_file(english, session):
    response = english.get("/media/products/missing.jpg")

    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize("path", [
    "/media/../outside-media.txt", "/media/..%2Foutside-media.txt", "/media/products/../../outside-media.txt",
    "/media/%2e%2e/outside-media.txt",
])
def test_media_refuses_path_traversal(client, session, media_root, path):
    outside = media_root.parent / "outside-media.txt"
    outside.write_text("not for the shop")
    try:
        response = client.get(path)
    finally:
        outside.unlink()

    assert response.status_code == 404
    assert b"not for the shop" not in response.data


def test_media_refuses_an_absolute_path(client, session):
    response = client.get("/media//etc/passwd", follow_redirects=True)

    assert response.status_code == 404
    assert b"root:" not in response.data


# --- CSRF -------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(database_url, tmp_path, session):
    """A client of a separate app with CSRF protection on (the shared test app turns it off)."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "WTF_CSRF_ENABLED": True,
        "SECRET_KEY": "csrf-test-secret",
    })
    yield OwnContextClient(app, app.response_class, use_cookies=True)
    engine = app.extensions.get("db_engine")
    if engine is not None:
        engine.dispose()


def _stocked_product(session):
    p = factories.product(session)
    factories.lot(session, p)
    session.commit()
    return p.sku


def test_a_post_without_a_csrf_token_is_refused_with_400(csrf_client, session):
    sku = _stocked_product(session)

    response = csrf_client.post("/cart/add", data={"sku": sku, "quantity": "1", "next": "/"})

    assert response.status_code == 400
    assert '<p class="error-code">400</p>' in response.text
    assert 'class="cart-table"' not in csrf_client.get("/cart/").text  # nothing was added


def test_a_post_with_a_wrong_csrf_token_is_refused_with_400(csrf_client, session):
    sku = _stocked_product(session)
    csrf_client.get(f"/p/{sku}")

    response = csrf_client.post("/cart/add", data={"sku": sku, "quantity": "1", "next": "/", "csrf_token": "x"})

    assert response.status_code == 400


def test_sign_in_without_a_csrf_token_is_refused_with_400(csrf_client, session):
    assert csrf_client.post("/account/login", data={"email": "a@example.com", "password": "x"}).status_code == 400


def test_a_post_with_the_pages_csrf_token_goes_through(csrf_client, session):
    sku = _stocked_product(session)
    page = csrf_client.get(f"/p/{sku}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    response = csrf_client.post("/cart/add", data={"sku": sku, "quantity": "1", "next": "/", "csrf_token": token})

    assert response.status_code == 302
    assert f'data-sku="{sku}"' in csrf_client.get("/cart/").text
