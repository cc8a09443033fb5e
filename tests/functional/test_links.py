"""No broken links: every page, image and stylesheet reachable from the home page answers."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from tests import factories
from tests.functional.helpers import sign_in

LINK = re.compile(r'(?:href|src)="(/[^"]*)"')


def _crawl(client, start: str = "/", limit: int = 400) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        with client.get(url) as response:  # closes file responses (images, CSS)
            seen[url] = response.status_code
            html = response.text if response.status_code == 200 and response.mimetype == "text/html" else ""
        if html:
            for link in LINK.findall(html):
                link = urldefrag(link.replace("&amp;", "&"))[0]
                if urlsplit(link).path.startswith("/lang/"):
                    continue  # switches language and redirects back: covered by the i18n tests
                if link not in seen:
                    queue.append(link)
    return seen


def _catalogue(session):
    parent = factories.category(session, slug="food", name_en="Food")
    child = factories.category(session, slug="milk", name_en="Milk", parent=parent)
    for n in range(3):
        product = factories.product(session, category=child, featured=n == 0)
        factories.lot(session, product)
    factories.product(session, category=parent)  # sold out


def test_every_link_from_the_home_page_works(client, session):
    _catalogue(session)
    statuses = _crawl(client)
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert not broken
    assert any(url.startswith("/p/") for url in statuses)
    assert any(url.startswith("/c/") for url in statuses)
    assert any(url.startswith("/static/") for url in statuses)


def test_every_link_works_for_a_signed_in_shopper(client, session):
    _catalogue(session)
    user = factories.user(session)
    sign_in(client, user.email)
    statuses = _crawl(client)
    assert "/account/" in statuses
    assert {url: s for url, s in statuses.items() if s != 200} == {}
