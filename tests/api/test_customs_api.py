"""Customs clerks over the API: the queue, one declaration's messages as XML, importing receipts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from lxml import etree
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.api.core import SIGNED_INT_MAX
from shop.audit import AuditEntry
from shop.customs import declare, sandbox
from shop.customs.messages import CustomsCodes
from shop.customs.models import Declaration, DeclarationReceipt, DeclarationStatus
from shop.customs.signing import CERT_FILE, signer_from_config, verify
from shop.customs.xsd import CEB_NS, validate
from shop.db import utcnow
from shop.orders.models import OrderStatus
from tests import ordering

XML = {"Content-Type": "application/xml"}


def _paid(session, app, **kw):
    return ordering.paid_and_pending_declaration(session, app, **kw)


def _declared(session, app, tmp_path, **kw):
    """A paid order declared as the workspace declares it (waybill number, messages in an outbox)."""
    item = _paid(session, app, **kw)
    config = app.config
    declare.declare(session, [item.id], codes=CustomsCodes.from_config(config), signer=signer_from_config(config),
                    out_dir=tmp_path / "outbox", waybill_prefix=config["CUSTOMS_WAYBILL_PREFIX"], actor_id=None,
                    now=utcnow())
    session.commit()
    return item


def _declaration(session, item) -> Declaration:
    session.expire_all()
    return session.get(Declaration, item.id)


def _receipts(session, items, status: str) -> bytes:
    codes = CustomsCodes.from_config(current_app.config)
    return sandbox.inventory_receipts(
        [sandbox.Answer(_declaration(session, i), status, utcnow()) for i in items], codes)


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json.get("errors", [])}


# --- the queue ----------------------------------------------------------------------------------------


def test_the_queue_lists_declarations_masked_with_counts(app, api, session, tmp_path):
    first = _declared(session, app, tmp_path)
    second = _paid(session, app, who=ordering.buyer(ordering.ID_B, name="王小明"))
    api.sign_in(session, Role.CLERK)

    response = api.get("/customs/declarations", lang="en")

    assert response.status_code == 200
    body = response.json
    assert [d["order_number"] for d in body["items"]] == [second.number, first.number]  # newest first
    assert (body["page"], body["page_size"], body["has_next"], body["total"]) == (1, 50, False, 2)
    assert body["counts"]["pending"] == 1 and body["counts"]["declared"] == 1 and body["counts"]["released"] == 0
    assert set(body["counts"]) == {s.value for s in DeclarationStatus}
    declared = body["items"][1]
    assert (declared["status"], declared["status_label"], declared["cop_no"]) == ("declared", "Declared", first.number)
    assert declared["waybill_no"] == f"SD1510{first.id:010d}" and declared["declared_at"]
    assert (declared["buyer"], declared["buyer_id_masked"]) == ("张*", "3604**********0071")
    assert body["items"][0]["buyer"] == "王*明"
    text = response.get_data(as_text=True)
    assert ordering.ID_A not in text and ordering.ID_B not in text and "张三" not in text and "王小明" not in text


def test_the_queue_filters_as_the_workspace_does(app, api, session, tmp_path):
    first = _declared(session, app, tmp_path)
    second = _paid(session, app, who=ordering.buyer(ordering.ID_B, name="王小明"))
    api.sign_in(session, Role.ADMIN)  # admins see the customs side too
    today = ordering.shop_today()

    def numbers(**query):
        response = api.get("/customs/declarations", query_string=query)
        assert response.status_code == 200, response.json
        return [d["order_number"] for d in response.json["items"]]

    assert numbers(status="declared") == [first.number]
    assert numbers(status="pending") == [second.number]
    assert numbers(status="released") == []
    assert numbers(number=first.number) == [first.number]
    assert numbers(buyer="小明") == [second.number]
    assert numbers(buyer="%") == []  # a wildcard is a character like any other
    assert numbers(**{"from": today.isoformat(), "to": today.isoformat()}) == [second.number, first.number]
    assert numbers(**{"from": (today + timedelta(days=1)).isoformat()}) == []
    assert numbers(to=(today - timedelta(days=1)).isoformat()) == []
    assert numbers(number="", buyer="") == [second.number, first.number]
    assert numbers(page="2") == []
    # The counts are the whole queue's, whatever the filter.
    counts = api.get("/customs/declarations", query_string={"status": "declared"}).json["counts"]
    assert (counts["declared"], counts["pending"]) == (1, 1)


def test_bad_filters_are_named(api, session):
    api.sign_in(session, Role.CLERK)
    response = api.get("/customs/declarations", query_string={
        "status": "lost", "from": "2026-13-45", "page": "0", "number": "9" * 21}, lang="en")
    assert response.status_code == 422 and response.json["code"] == "validation_error"
    assert _fields(response) == {"status", "from", "page", "number"}
    # A day is YYYY-MM-DD, never a number read as a Unix time, nor empty.
    for value in ("0", "86400", "", "2026-1-5", "20260105"):
        refused = api.get("/customs/declarations", query_string={"to": value})
        assert refused.status_code == 422 and _fields(refused) == {"to"}, value


# --- one declaration's messages -------------------------------------------------------------------------


def test_the_inventory_list_is_signed_valid_and_its_viewing_is_audited(app, api, session, tmp_path):
    item = _declared(session, app, tmp_path)
    clerk = api.sign_in(session, Role.CLERK)

    response = api.get(f"/customs/declarations/{item.id}/messages/ceb621")

    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="CEB621Message_' in response.headers["Content-Disposition"]
    data = response.data
    root = etree.fromstring(data)
    assert etree.QName(root).localname == "CEB621Message" and validate(root) == []
    cert = (Path(app.config["CUSTOMS_KEYS_DIR"]) / CERT_FILE).read_bytes()
    assert verify(data, cert)
    assert not verify(data.replace(item.number.encode(), b"GB0000000000000000"), cert)  # the signature holds
    inventory = root.find(f"{{{CEB_NS}}}Inventory/{{{CEB_NS}}}InventoryHead")
    assert inventory.findtext(f"{{{CEB_NS}}}copNo") == item.number
    assert inventory.findtext(f"{{{CEB_NS}}}logisticsNo") == f"SD1510{item.id:010d}"
    assert inventory.findtext(f"{{{CEB_NS}}}buyerIdNumber") == ordering.ID_A  # in full: the law wants it
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "declaration.view"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (clerk.id, "declaration", str(item.id))
    assert item.number in entry.summary and "CEB621" in entry.summary


@pytest.mark.parametrize(("kind", "root_name"), [("ceb311", "CEB311Message"), ("ceb411", "CEB411Message"),
                                                  ("ceb511", "CEB511Message")])
def test_the_order_payment_and_waybill_messages_validate(app, api, session, tmp_path, kind, root_name):
    item = _declared(session, app, tmp_path)
    api.sign_in(session, Role.CLERK)

    response = api.get(f"/customs/declarations/{item.id}/messages/{kind}")

    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == root_name and validate(root) == []
    assert item.number.encode() in response.data


def test_a_document_that_cannot_be_built_is_a_problem_naming_the_field(app, api, session):
    item = _paid(session, app, item_record_no="")  # 1210 lists need the record number of every line
    api.sign_in(session, Role.CLERK)
    # Not yet declared: no waybill number, for the waybill message nor the list.
    for kind in ("ceb511", "ceb621"):
        waybill = api.get(f"/customs/declarations/{item.id}/messages/{kind}", lang="en")
        assert waybill.status_code == 422 and _fields(waybill) == {"logisticsNo"}
    _declaration(session, item).order.waybill_no = "SD1510TEST000001"
    session.commit()

    response = api.get(f"/customs/declarations/{item.id}/messages/ceb621")

    assert response.status_code == 422 and response.json["code"] == "validation_error"
    assert _fields(response) == {"itemRecordNo"} and item.number in response.json["detail"]
    session.expire_all()
    assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "declaration.view")) == 0


def test_unknown_declarations_and_kinds_are_not_found(app, api, session, tmp_path):
    item = _declared(session, app, tmp_path)
    api.sign_in(session, Role.CLERK)
    for path in (f"/customs/declarations/{item.id}/messages/ceb999",
                 f"/customs/declarations/{item.id}/messages/CEB621",
                 "/customs/declarations/99999999/messages/ceb311",
                 f"/customs/declarations/{SIGNED_INT_MAX + 1}/messages/ceb311"):
        response = api.get(path)
        assert response.status_code == 404 and response.json["code"] == "not_found", path


# --- receipts ---------------------------------------------------------------------------------------------


def test_a_release_receipt_releases_the_order_and_a_second_import_changes_nothing(app, api, session, tmp_path):
    item = _declared(session, app, tmp_path)
    clerk = api.sign_in(session, Role.CLERK)
    data = _receipts(session, [item], "800")

    response = api.post("/customs/receipts", data=data, headers=XML, lang="en",
                        query_string={"filename": "CEB622_a.xml"})

    assert response.status_code == 200, response.json
    report = response.json
    assert (report["name"], report["message_type"], report["recorded"]) == ("CEB622_a.xml", "CEB622", 1)
    assert report["released"] == [item.number] and report["rejected"] == []
    assert report["moved"] == [f"{item.number}: Declared -> Released"]
    assert report["duplicates"] == [] and report["unknown"] == []
    declaration = _declaration(session, item)
    assert declaration.status is DeclarationStatus.RELEASED and declaration.invt_no
    assert declaration.order.status is OrderStatus.RELEASED
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "receipts.import"))
    assert entry.actor_id == clerk.id

    again = api.post("/customs/receipts", data=data, headers={"Content-Type": "text/xml"})

    assert again.status_code == 200
    assert (again.json["recorded"], len(again.json["duplicates"]), again.json["released"]) == (0, 1, [])
    assert again.json["moved"] == []
    declaration = _declaration(session, item)
    assert declaration.status is DeclarationStatus.RELEASED and declaration.order.status is OrderStatus.RELEASED
    assert session.scalar(select(func.count(DeclarationReceipt.id))
                          .where(DeclarationReceipt.declaration_id == item.id)) == 1


def test_the_report_speaks_chinese_by_default(app, api, session, tmp_path):
    item = _declared(session, app, tmp_path)
    api.sign_in(session, Role.CLERK)
    report = api.post("/customs/receipts", data=_receipts(session, [item], "800"), headers=XML).json
    assert report["moved"] == [f"{item.number}：已申报 → 已放行"]


def test_a_receipt_for_no_known_declaration_is_listed(api, session):
    from tests.customs_receipts import ceb622

    api.sign_in(session, Role.CLERK)
    response = api.post("/customs/receipts", data=ceb622(("GB2026NOSUCH", "800", "20261129100000000")),
                        headers=XML, lang="en")
    assert response.status_code == 200 and response.json["recorded"] == 0
    assert [u.startswith("no declaration for CEB622 copNo GB2026NOSUCH") for u in response.json["unknown"]] == [True]


@pytest.mark.parametrize("body", [b"<not xml", b"", b"<x/>", "<?xml version='1.0'?><a>\u00e9</a>".encode("latin-1")])
def test_a_body_that_is_not_a_customs_message_is_a_problem(api, session, body):
    api.sign_in(session, Role.CLERK)
    response = api.post("/customs/receipts", data=body, headers=XML, lang="en")
    assert response.status_code == 422 and response.json["code"] == "validation_error"
    assert _fields(response) == {"body"} and response.json["detail"].startswith("unreadable file")
    assert session.scalar(select(func.count(DeclarationReceipt.id))) == 0


def test_receipts_must_be_xml_of_reasonable_size(api, session):
    api.sign_in(session, Role.CLERK)
    as_json = api.post("/customs/receipts", json={"xml": "<a/>"})
    assert as_json.status_code == 415 and as_json.json["code"] == "unsupported_media_type"
    huge = b"<a>" + b"x" * (5 * 1024 * 1024) + b"</a>"
    too_large = api.post("/customs/receipts", data=huge, headers=XML)
    assert too_large.status_code == 413 and too_large.json["code"] == "payload_too_large"


# --- who may ------------------------------------------------------------------------------------------


CALLS = [("GET", "/customs/declarations", {}), ("GET", "/customs/declarations/1/messages/ceb621", {}),
         ("POST", "/customs/receipts", {"data": b"<a/>", "headers": XML})]


@pytest.mark.parametrize(("method", "path", "kw"), CALLS)
def test_the_customs_side_needs_a_clerk_token(app, api, session, method, path, kw):
    anonymous = api.call(method, path, **kw)
    assert anonymous.status_code == 401 and anonymous.json["code"] == "unauthorized"
    for role in (Role.SHOPPER, Role.STAFF):
        api.sign_in(session, role)
        refused = api.call(method, path, **kw)
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
