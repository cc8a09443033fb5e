"""The clerk's work in the workspace: declare, the outbox, download the list, import receipts, then ship."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import select

from shop.accounts.models import Role
from shop.customs import sandbox
from shop.customs.messages import CustomsCodes
from shop.customs.models import Declaration, DeclarationStatus
from shop.customs.signing import CERT_FILE, verify
from shop.customs.xsd import validate
from shop.db import utcnow
from shop.orders.models import Order, OrderStatus
from tests import ordering
from tests.backoffice import flashes, signed_in


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    """A fresh outbox and inbox for the test."""
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setitem(app.config, "CUSTOMS_OUTBOX", str(outbox))
    monkeypatch.setitem(app.config, "CUSTOMS_INBOX", str(inbox))
    return SimpleNamespace(outbox=outbox, inbox=inbox)


def _paid(session, app, **kw):
    return ordering.paid_and_pending_declaration(session, app, **kw)


@pytest.fixture
def clerk(session, english):
    signed_in(session, english, Role.CLERK)
    return english


def _declaration(session, item) -> Declaration:
    session.expire_all()
    return session.get(Declaration, item.id)


def _declare(client, *ids):
    return client.post("/admin/customs/declare", data={"declaration": [str(i) for i in ids]}, follow_redirects=True)


def test_declaring_writes_the_four_messages_and_moves_the_order(app, session, clerk, folders):
    first, second = _paid(session, app), _paid(session, app, who=ordering.buyer(ordering.ID_B, name="王小明"))

    response = _declare(clerk, first.id, second.id)

    assert response.status_code == 200
    assert "2 orders declared: 4 messages are in the outbox." in flashes(response.text)
    for item in (first, second):
        declaration = _declaration(session, item)
        assert declaration.status is DeclarationStatus.DECLARED and declaration.declared_at is not None
        assert declaration.order.status is OrderStatus.DECLARED
        assert declaration.order.waybill_no == f"SD1510{declaration.id:010d}"
    names = sorted(p.name.split("_")[0] for p in folders.outbox.iterdir())
    assert names == ["CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message"]
    assert not [p for p in folders.outbox.iterdir() if p.name.startswith(".")]  # no staging left behind
    for path in folders.outbox.iterdir():
        root = etree.parse(str(path)).getroot()
        assert validate(root) == []
        documents = [c for c in root if etree.QName(c).localname not in ("BaseTransfer", "Signature")]
        assert len(documents) == 2
    inventory = next(folders.outbox.glob("CEB621Message_*.xml")).read_bytes()
    cert = (Path(app.config["CUSTOMS_KEYS_DIR"]) / CERT_FILE).read_bytes()
    assert verify(inventory, cert)  # the list is signed
    assert f"SD1510{first.id:010d}".encode() in inventory  # declared under its waybill
    # The queue shows the waybill and nothing left to select.
    html = clerk.get("/admin/customs").text
    assert f"SD1510{first.id:010d}" in html and 'name="declaration"' not in html


def test_declaring_all_pending(app, session, clerk, folders):
    items = [_paid(session, app) for _ in range(3)]
    response = clerk.post("/admin/customs/declare", data={"all_pending": "1"}, follow_redirects=True)
    assert "3 orders declared: 4 messages are in the outbox." in flashes(response.text)
    assert all(_declaration(session, i).status is DeclarationStatus.DECLARED for i in items)


def test_a_document_that_cannot_be_built_declares_nothing(app, session, clerk, folders):
    good, bad = _paid(session, app), _paid(session, app, item_record_no="")

    response = _declare(clerk, good.id, bad.id)

    messages = flashes(response.text)
    assert any(m.startswith("Nothing was declared: 1 problems") for m in messages)
    assert any(bad.number in m and "itemRecordNo" in m for m in messages)
    for item in (good, bad):
        declaration = _declaration(session, item)
        assert declaration.status is DeclarationStatus.PENDING and declaration.order.waybill_no is None
        assert declaration.order.status is OrderStatus.PAID
    assert not folders.outbox.exists() or not list(folders.outbox.iterdir())


def test_declaring_nothing_is_explained_in_both_languages(app, session, client, folders):
    signed_in(session, client, Role.CLERK)
    response = client.post("/admin/customs/declare", data={}, follow_redirects=True)
    assert any("所选订单都不能申报" in m for m in flashes(response.text))
    client.get("/lang/en?next=/")
    response = client.post("/admin/customs/declare", data={"declaration": ["x", "99999999"]}, follow_redirects=True)
    assert any(m.startswith("None of the chosen orders can be declared") for m in flashes(response.text))


def test_an_order_is_declared_once(app, session, clerk, folders):
    item = _paid(session, app)
    _declare(clerk, item.id)
    response = _declare(clerk, item.id)
    assert any(m.startswith("None of the chosen orders can be declared") for m in flashes(response.text))
    assert len(list(folders.outbox.iterdir())) == 4


def test_the_outbox_lists_and_serves_the_messages(app, session, clerk, folders):
    item = _paid(session, app)
    _declare(clerk, item.id)
    html = clerk.get("/admin/customs/outbox").text
    names = re.findall(r'href="/admin/customs/outbox/([^"]+)"', html)
    assert len(names) == 4
    response = clerk.get(f"/admin/customs/outbox/{names[0]}")
    assert response.status_code == 200 and response.data.startswith(b"<?xml")
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    assert clerk.get("/admin/customs/outbox/..%2Fsecret.xml").status_code == 404
    assert clerk.get("/admin/customs/outbox/nothing.xml").status_code == 404
    assert clerk.get("/admin/customs/outbox/notes.txt").status_code == 404


def test_the_outbox_is_empty_at_first(app, session, clerk, folders):
    assert "The outbox is empty." in clerk.get("/admin/customs/outbox").text


def _released(session, app, clerk, folders, count=1):
    items = [_paid(session, app) for _ in range(count)]
    _declare(clerk, *[i.id for i in items])
    return items


def _export(clerk, **form) -> tuple[str, object]:
    """Ask for an export (a job, done at once without Redis); its page and its download."""
    response = clerk.post("/admin/customs/exports", data=form)
    assert response.status_code == 302 and "/admin/customs/jobs/" in response.location
    page = clerk.get(response.location)
    return page.text, clerk.get(response.location + "/download")


def test_the_list_downloads_as_csv_and_xlsx(app, session, clerk, folders):
    item = _paid(session, app)
    today = ordering.shop_today()

    page, response = _export(clerk, format="csv", **{"from": str(today - timedelta(days=1)), "to": str(today)})
    assert 'data-job-status="done"' in page and "1 of 1" in page
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["order_no"] for r in rows] == [item.number]
    assert rows[0]["buyer"] == "张*" and rows[0]["buyer_id"] == "3604**********0071"
    assert ordering.ID_A not in response.data.decode("utf-8-sig")
    response.close()

    page, response = _export(clerk, format="xlsx")  # no dates: the last 31 days
    assert response.status_code == 200
    data = response.data
    response.close()
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    values = list(workbook.active.values)
    workbook.close()
    assert values[0][0] == "order_no" and values[1][0] == item.number

    _, response = _export(clerk, format="csv", status="released")
    assert list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == [
        list(__import__("shop.customs.reports", fromlist=["HEADER"]).HEADER)]
    response.close()
    assert clerk.post("/admin/customs/exports", data={"format": "pdf"}).status_code == 400
    # Bad dates are ignored rather than failing.
    _, response = _export(clerk, format="csv", **{"from": "2026-13-45", "to": "yesterday"})
    assert response.status_code == 200
    response.close()


def _receipts(session, items, status: str) -> bytes:
    from flask import current_app

    codes = CustomsCodes.from_config(current_app.config)
    return sandbox.inventory_receipts(
        [sandbox.Answer(_declaration(session, i), status, utcnow()) for i in items], codes)


def test_uploaded_receipts_release_orders_and_a_second_upload_changes_nothing(app, session, clerk, folders):
    items = _released(session, app, clerk, folders, count=2)
    with app.app_context():
        data = _receipts(session, items, "800")

    response = clerk.post("/admin/customs/receipts", data={"files": [(io.BytesIO(data), "CEB622_a.xml"),
                                                                     (io.BytesIO(b"<not xml"), "junk.xml")]},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.text
    assert "2 files: 2 receipts recorded, 0 already imported, 1 not understood." in html
    assert html.count('data-testid="released"') == 2
    assert "Not understood: unreadable file" in html
    for item in items:
        declaration = _declaration(session, item)
        assert declaration.status is DeclarationStatus.RELEASED and declaration.invt_no
        assert declaration.order.status is OrderStatus.RELEASED

    again = clerk.post("/admin/customs/receipts", data={"files": [(io.BytesIO(data), "CEB622_a.xml")]},
                       content_type="multipart/form-data").text
    assert "1 files: 0 receipts recorded, 2 already imported, 0 not understood." in again


def test_receipts_from_the_inbox_folder_are_imported_and_filed(app, session, clerk, folders):
    items = _released(session, app, clerk, folders)
    with app.app_context():
        (folders.inbox / "CEB622_1.xml").write_bytes(_receipts(session, items, "120"))
        (folders.inbox / "CEB622_2.xml").write_bytes(_receipts(session, items, "800"))

    page = clerk.get("/admin/customs/receipts").text
    assert "2 files wait in the inbox folder." in page
    response = clerk.post("/admin/customs/receipts", data={"source": "inbox"})
    assert response.status_code == 302 and "/admin/customs/jobs/" in response.location
    html = clerk.get(response.location).text
    assert 'data-job-status="done"' in html and "2 of 2" in html
    assert "2 files: 2 receipts recorded" in html
    assert _declaration(session, items[0]).status is DeclarationStatus.RELEASED
    assert sorted(p.name for p in (folders.inbox / "processed").iterdir()) == ["CEB622_1.xml", "CEB622_2.xml"]
    assert not list(folders.inbox.glob("*.xml"))
    response = clerk.post("/admin/customs/receipts", data={"source": "inbox"}, follow_redirects=True)
    assert "The inbox folder holds no receipts." in flashes(response.text)


def test_importing_no_file_says_so(app, session, client, folders):
    signed_in(session, client, Role.CLERK)
    response = client.post("/admin/customs/receipts", data={}, follow_redirects=True)
    assert any("请选择" in m for m in flashes(response.text))


def test_the_parcel_ships_under_the_waybill_it_was_declared_with(app, session, clerk, other_client, folders):
    item = _released(session, app, clerk, folders)[0]
    with app.app_context():
        clerk.post("/admin/customs/receipts", data={"files": [(io.BytesIO(_receipts(session, [item], "800")),
                                                                "r.xml")]}, content_type="multipart/form-data")
    waybill = _declaration(session, item).order.waybill_no
    staff = other_client
    signed_in(session, staff, Role.STAFF)
    staff.get("/lang/en?next=/")

    page = staff.get(f"/admin/orders/{item.number}").text
    assert f'value="{waybill}" readonly' in page
    refused = staff.post(f"/admin/orders/{item.number}/ship", data={
        "carrier": "x", "waybill_no": "OTHER123", "package_weight_kg": "1.9"}, follow_redirects=True)
    assert f"declared to customs under waybill {waybill}" in refused.text
    shipped = staff.post(f"/admin/orders/{item.number}/ship", data={
        "carrier": "", "waybill_no": waybill, "package_weight_kg": "1.9"}, follow_redirects=True)
    assert f"Order {item.number} is shipped." in flashes(shipped.text)
    order = session.scalar(select(Order).where(Order.id == item.order_id).execution_options(populate_existing=True))
    assert order.status is OrderStatus.SHIPPED and order.carrier == CustomsCodes.from_config(app.config).logistics_name


@pytest.mark.parametrize("path", ["/admin/customs/outbox", "/admin/customs/receipts"])
def test_the_workspace_is_for_clerks(app, session, client, path):
    signed_in(session, client, Role.STAFF)
    assert client.get(path).status_code == 403


def test_the_import_report_speaks_chinese_by_default(app, session, client, folders):
    signed_in(session, client, Role.CLERK)
    items = [_paid(session, app)]
    client.post("/admin/customs/declare", data={"declaration": [str(items[0].id)]})
    with app.app_context():
        data = _receipts(session, items, "800")
    html = client.post("/admin/customs/receipts", data={"files": [(io.BytesIO(data), "a.xml"),
                                                                  (io.BytesIO(b"<x/>"), "b.xml")]},
                       content_type="multipart/form-data").text
    assert f"订单 {items[0].number} 已放行" in html
    assert f"{items[0].number}：已申报 → 已放行" in html
    assert "无法识别：无法读取的文件" in html
