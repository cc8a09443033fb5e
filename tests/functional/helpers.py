"""Small helpers for the page tests: driving the real forms and reading the rendered pages."""

from __future__ import annotations

import re

PASSWORD = "correct horse"  # tests.factories.user's default


def sign_in(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    """POST the sign-in form."""
    url = "/account/login" if next_path is None else f"/account/login?next={next_path}"
    return client.post(url, data={"email": email, "password": password})


def sign_out(client):
    return client.post("/account/logout")


def add_to_cart(client, sku: str, quantity: object = 1, next_path: str = "/cart/"):
    """POST the add-to-cart form of the product page."""
    return client.post("/cart/add", data={"sku": sku, "quantity": str(quantity), "next": next_path})


def skus_on_page(html: str) -> list[str]:
    """The SKUs of the product cards, in page order."""
    return re.findall(r'<a class="card-link" href="/p/([^"]+)"', html)


def by_testid(html: str, name: str) -> str:
    """The text of the element marked data-testid=name."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', html, re.S)
    assert match, f"no data-testid={name} on the page"
    return match.group(1).strip()
