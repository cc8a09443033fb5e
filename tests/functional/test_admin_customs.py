"""The customs clerk's workspace: the declaration queue and one declaration's four documents."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shop.accounts.models import Role
from shop.audit import AuditEntry
from shop.customs.messages import Mismatch
from shop.customs.models import DeclarationStatus
from tests import ordering
from tests.backoffice import signed_in


def _declared(session, app, *, waybill=True, **kw):
    """A paid order with a succeeded payment record, a waybill number and its declaration."""
    return ordering.paid_and_pending_declaration(session, app, waybill=waybill, **kw)


def _numbers(html: str) -> list[str]:
    block = re.search(r'data-testid="declarations">(.*?)</table>', html, re.S)
    assert block
    return re.findall(r'<a href="/admin/customs/\d+">([^<]+)</a>', block.group(1))


def _count(html: str, status: str) -> int:
    return int(re.search(rf'<strong data-status="{status}">(\d+)</strong>', html).group(1))


@pytest.fixture
def clerk(session, english):
    signed_in(session, english, Role.CLERK)
    return english


def test_the_queue_shows_counts_per_status_and_masked_buyers(app, session, clerk):
    first = _declared(session, app)
    second = _declared(session, app, who=ordering.buyer(ordering.ID_B, name="王小明"),
                       status=DeclarationStatus.RELEASED)

    html = clerk.get("/admin/customs").text

    assert "Customs declarations" in html and "Not yet declared" in html
    assert _count(html, "pending") == 1 and _count(html, "released") == 1 and _count(html, "rejected") == 0
    assert _numbers(html) == [second.number, first.number]  # newest first
    assert "王*明" in html and "1201**********8241" in html
    assert "王小明" not in html and ordering.ID_B not in html


def test_the_queue_filters_by_status_dates_number_and_buyer(app, session, clerk):
    old = _declared(session, app, created_at=datetime(2026, 1, 10, 4, 0, tzinfo=UTC))
    new = _declared(session, app, who=ordering.buyer(ordering.ID_B, name="王小明"),
                    status=DeclarationStatus.RELEASED)

    assert _numbers(clerk.get("/admin/customs?status=released").text) == [new.number]
    assert _numbers(clerk.get("/admin/customs?status=bogus").text) == [new.number, old.number]
    assert _numbers(clerk.get("/admin/customs?from=2026-01-10&to=2026-01-10").text) == [old.number]
    today = ordering.shop_today().isoformat()
    assert _numbers(clerk.get(f"/admin/customs?from={today}").text) == [new.number]
    assert _numbers(clerk.get(f"/admin/customs?number={old.number}").text) == [old.number]
    assert _numbers(clerk.get("/admin/customs?buyer=小明").text) == [new.number]
    html = clerk.get("/admin/customs?buyer=nobody").text
    assert _numbers(html) == [] and "No declarations found." in html
    # The counts are the whole queue's, whatever the filter.
    assert _count(html, "pending") == 1 and _count(html, "released") == 1


def test_the_queue_pages_without_counting(app, session, clerk, monkeypatch):
    from shop.customs import queue

    monkeypatch.setattr(queue, "PAGE", 1)
    first, second = _declared(session, app), _declared(session, app)

    page1 = clerk.get("/admin/customs").text
    assert _numbers(page1) == [second.number] and 'rel="next"' in page1 and 'rel="prev"' not in page1
    page2 = clerk.get("/admin/customs?page=2").text
    assert _numbers(page2) == [first.number] and 'rel="next"' not in page2 and 'rel="prev"' in page2


def test_a_consistent_declaration_shows_four_documents_that_agree(app, session, clerk):
    declaration = _declared(session, app)

    response = clerk.get(f"/admin/customs/{declaration.id}")

    assert response.status_code == 200
    html = response.text
    for kind in ("CEB311", "CEB411", "CEB511", "CEB621"):
        assert f'data-kind="{kind}"' in html
    assert "Cannot be built" not in html
    assert "All fields agree" in html
    assert declaration.number in html and f"JLSD{declaration.number}" in html
    assert "pi_" + declaration.number in html


def test_personal_data_is_masked_and_the_view_is_audited(app, session, clerk):
    declaration = _declared(session, app)

    html = clerk.get(f"/admin/customs/{declaration.id}").text

    assert ordering.ID_A not in html and "13812345678" not in html and "13987654321" not in html
    assert "3604**********0071" in html and "138****5678" in html
    assert "<code>buyerIdNumber</code></td><td>3604**********0071</td>" in html
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.view"))
    assert entry is not None and entry.object_id == str(declaration.id) and entry.actor_id is not None
    assert ordering.ID_A not in (entry.after or "")


def test_a_mismatch_is_named_by_field(app, session, clerk, monkeypatch):
    from shop.admin import customs

    declaration = _declared(session, app)
    seen = []

    def check(*documents):
        seen.append(documents)
        return [Mismatch("CEB311 consigneeAddress = CEB511 consigneeAddress", "吉林省长春市", "辽宁省大连市")]

    monkeypatch.setattr(customs, "three_document_check", check)

    html = htmllib.unescape(clerk.get(f"/admin/customs/{declaration.id}").text)

    assert len(seen) == 1 and len(seen[0]) == 4
    assert "All fields agree" not in html
    assert "CEB311 consigneeAddress = CEB511 consigneeAddress" in html and "辽宁省大连市" in html


def test_a_document_that_cannot_be_built_names_its_field(app, session, clerk):
    declaration = _declared(session, app, waybill=False)

    html = clerk.get(f"/admin/customs/{declaration.id}").text

    assert 'data-kind="CEB311"' in html and 'data-kind="CEB411"' in html
    assert html.count("Cannot be built: field logisticsNo") == 2  # CEB511 and CEB621
    assert "All fields agree" not in html and "needs all four documents" in html


def test_the_page_speaks_chinese_by_default(app, session, client):
    declaration = _declared(session, app)
    signed_in(session, client, Role.CLERK)

    assert "待申报" in client.get("/admin/customs").text
    assert "所有字段一致" in client.get(f"/admin/customs/{declaration.id}").text


@pytest.mark.parametrize("role", [Role.STAFF, Role.SHOPPER])
def test_staff_and_shoppers_are_refused(app, session, client, role):
    declaration = _declared(session, app)
    signed_in(session, client, role)

    assert client.get("/admin/customs").status_code == 403
    assert client.get(f"/admin/customs/{declaration.id}").status_code == 403
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.view")) is None


def test_an_unknown_declaration_is_404(session, clerk):
    assert clerk.get("/admin/customs/999999").status_code == 404


def test_the_sidebar_links_the_queue_for_clerks(app, session, clerk):
    assert 'href="/admin/customs"' in clerk.get("/admin/").text


