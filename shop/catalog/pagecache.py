"""Rendered storefront pages, shared by every shopper for a few seconds.

The home page and the listings (all goods, categories, search results) are the same for everyone who asks for
them in the same language with the same query string; only the header (who is signed in, the cart) differs. So
the part under the header is rendered once and kept in the cache (Redis when configured, shared by every
server) for CATALOGUE_PAGE_CACHE_SECONDS. A popular page is then served without a query or a product card
rendered, whatever the size of the catalogue.

What it may show stale, for at most those seconds: a product's stock state on its card ("Only 3 left",
"Sold out") after orders. The product page, the cart and checkout always read the stock itself. Anything staff
change in the catalogue (catalogue_changed) starts a new generation of cached pages at once, on every server.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request
from markupsafe import Markup

from shop.extensions import cache
from shop.templating import locale_code

GENERATION_KEY = "catalog:pages:generation"


def _generation() -> str:
    """The current generation of cached pages: a random token that a catalogue change replaces."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=0)  # another server may have just made one
        value = cache.get(GENERATION_KEY) or ""
    return value


def new_generation() -> None:
    """Forget every cached page (staff changed the catalogue)."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=0)


def _key(page: str) -> str:
    # By name only: the values of a repeated argument keep their order (the form reads the first).
    query = sorted(request.args.items(multi=True), key=lambda pair: pair[0])
    digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()[:32]
    return f"catalog:pages:{_generation()}:{page}:{locale_code()}:{digest}"


@dataclass(frozen=True)
class Fragment:
    """The part of a page under the header: its title, its HTML, and the answer's status."""

    title: str
    body: Markup
    status: int = 200


def cached(page: str, render: Callable[[], Fragment]) -> Fragment:
    """This request's `page` from the cache, or rendered by `render` — and kept if it is a success (an answer
    with another status, or an exception such as a 404, is never kept)."""
    seconds = current_app.config["CATALOGUE_PAGE_CACHE_SECONDS"]
    key = _key(page) if seconds > 0 else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            return Fragment(hit[0], Markup(hit[1]))
    fragment = render()
    if key is not None and fragment.status == 200:
        cache.set(key, (fragment.title, str(fragment.body)), timeout=seconds)
    return fragment
