"""The audit log (who, when, what, before and after) and the administrators' user management."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from shop import clock
from shop.accounts.models import Role, User
from shop.audit import AuditEntry
from shop.catalog.models import Product
from shop.inventory.models import ArrivalChannel, Lot
from tests import factories
from tests.backoffice import flashes, form_data, png_bytes, signed_in, wine_row
from tests.clients import OwnContextClient
from tests.functional.helpers import sign_in


@pytest.fixture
def media_root(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture
def admin(session, english):
    return signed_in(session, english, Role.ADMIN, name="Admin Wang")


def _entries(session, **where) -> list[AuditEntry]:
    session.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(session.scalars(stmt))


def _logged(html: str) -> list[tuple[str, str, str]]:
    """(action, object type, object id) of each row of the audit page, newest first."""
    return re.findall(r'<td>([\w.]+)<br><span class="muted">.*?</span></td><td>(\w+) #(\w*)</td>', html, re.S)


def _client(app) -> OwnContextClient:
    client = OwnContextClient(app, app.response_class, use_cookies=True)
    client.set_cookie("locale", "en")
    return client


# --- every action is recorded -----------------------------------------------------------------------


def test_every_staff_action_writes_an_audit_entry(app, english, session, media_root):
    staff = signed_in(session, english, Role.STAFF, name="Staff Li")
    brand, category = factories.brand(session), factories.category(session)
    warehouse = factories.warehouse(session)
    session.commit()
    row = wine_row(brand, category, sku="AUD-1")

    english.post("/admin/products/new", data=form_data(row))
    product_id = session.scalar(select(Product.id).where(Product.sku == "AUD-1"))
    english.post(f"/admin/products/{product_id}", data=form_data({**row, "price": "279.00"}))
    english.post(f"/admin/products/{product_id}/publish", data={"publish": "0"})
    english.post(f"/admin/products/{product_id}/publish", data={"publish": "1"})
    boundary, body = encode_multipart({"image": FileStorage(io.BytesIO(png_bytes()), "a.png")})
    english.post(f"/admin/products/{product_id}/images", data=body,
                 content_type=f"multipart/form-data; boundary={boundary}")
    today = clock.today()
    english.post("/admin/lots/receive", data={
        "sku": "AUD-1", "warehouse_id": str(warehouse.id), "lot_no": "AUD-LOT", "quantity": "30",
        "best_before": (today + timedelta(days=400)).isoformat(), "arrived_on": today.isoformat(),
        "arrival_channel": ArrivalChannel.AIR.value})
    lot_id = session.scalar(select(Lot.id).where(Lot.lot_no == "AUD-LOT"))
    english.post(f"/admin/lots/{lot_id}/adjust", data={"quantity": "-2", "reason": "damage", "note": "dropped"})
    english.post("/admin/warehouses", data={"warehouse_id": str(warehouse.id), "code": "AUD-LOC"})

    entries = _entries(session, actor_id=staff.id)
    assert [(e.action, e.object_type) for e in entries] == [
        ("product.create", "product"), ("product.update", "product"), ("product.unpublish", "product"),
        ("product.publish", "product"), ("product.image", "product"), ("lot.receive", "lot"),
        ("lot.adjust.damage", "lot"), ("location.create", "location")]
    assert {e.object_id for e in entries[:5]} == {str(product_id)}
    assert {e.object_id for e in entries[5:7]} == {str(lot_id)}
    assert all(e.after and e.created_at for e in entries)
    create, edit, unpublish = entries[:3]
    assert create.before is None and json.loads(create.after)["sku"] == "AUD-1"
    assert ("price", "299.00", "279.00") in edit.changes()
    assert {field for field, _old, _new in edit.changes()} == {"price", "updated_at"}
    assert ("published", True, False) in unpublish.changes()
    assert ("on_hand", 30, 28) in entries[6].changes()


def test_a_product_edit_shows_the_changed_field_with_old_and_new_value(app, english, session, admin):
    brand, category = factories.brand(session), factories.category(session)
    session.commit()
    row = wine_row(brand, category, sku="AUD-2")
    english.post("/admin/products/new", data=form_data(row))
    product_id = session.scalar(select(Product.id).where(Product.sku == "AUD-2"))

    english.post(f"/admin/products/{product_id}", data=form_data({**row, "name_en": "Claret", "price": "310"}))

    [edit] = _entries(session, action="product.update", object_id=str(product_id))
    changes = {field: (old, new) for field, old, new in edit.changes()}
    assert changes["name_en"] == ("Bordeaux red wine", "Claret")
    assert changes["price"] == ("299.00", "310.00")
    assert set(changes) == {"name_en", "price", "updated_at"}  # nothing else, though "310" was typed
    html = english.get(f"/admin/audit?object_type=product&object_id={product_id}").text
    assert "<code>name_en</code>: Bordeaux red wine → Claret" in htmllib.unescape(html)
    assert "<code>price</code>: 299.00 → 310.00" in html


def test_secrets_never_reach_the_log(english, session, admin):
    user = factories.user(session)
    session.commit()

    english.post(f"/admin/users/{user.id}", data={"role": "staff", "active": "1"})

    [entry] = _entries(session, action="user.update")
    assert "password_hash" not in entry.after and "password_hash" not in entry.before
    assert ("role", "shopper", "staff") in entry.changes()


# --- the audit page ---------------------------------------------------------------------------------


@pytest.fixture
def logged(session):
    """Two people's actions on two kinds of objects, on two days (in the shop's time zone, UTC+8)."""
    li, wang = factories.user(session, role=Role.STAFF, name="Li"), factories.user(session, role=Role.STAFF,
                                                                                    name="Wang")
    product, lot = factories.product(session), factories.lot(session, factories.product(session), 5)
    from shop.audit import record

    entries = {
        "li-product": record(session, actor_id=li.id, action="product.update", obj=product, summary="li-p"),
        "li-lot": record(session, actor_id=li.id, action="lot.adjust.damage", obj=lot, summary="li-l"),
        "wang-product": record(session, actor_id=wang.id, action="product.publish", obj=product, summary="w-p"),
    }
    # 23:30 on 1 March in Beijing, and half past midnight on 2 March
    session.execute(update(AuditEntry).where(AuditEntry.id == entries["li-product"].id)
                    .values(created_at=datetime(2026, 3, 1, 15, 30, tzinfo=UTC)))
    session.execute(update(AuditEntry).where(AuditEntry.id == entries["li-lot"].id)
                    .values(created_at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC)))
    session.commit()
    return {"li": li.id, "wang": wang.id, "product": product.id, "lot": lot.id,
            **{k: e.id for k, e in entries.items()}}


def _actions(english, query: str) -> list[tuple[str, str, str]]:
    response = english.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    return _logged(response.text)


def test_the_audit_log_filters_by_person(english, session, admin, logged):
    assert _actions(english, f"actor={logged['li']}") == [
        ("lot.adjust.damage", "lot", str(logged["lot"])), ("product.update", "product", str(logged["product"]))]
    assert _actions(english, f"actor={logged['wang']}") == [("product.publish", "product", str(logged["product"]))]


def test_the_audit_log_filters_by_object(english, session, admin, logged):
    assert [a for a, _t, _i in _actions(english, f"object_type=product&object_id={logged['product']}")] == [
        "product.publish", "product.update"]
    assert _actions(english, "object_type=lot") == [("lot.adjust.damage", "lot", str(logged["lot"]))]
    assert _actions(english, f"object_type=lot&actor={logged['wang']}") == []


def test_the_audit_log_filters_by_day_in_the_shops_time_zone(english, session, admin, logged):
    assert _actions(english, "from=2026-03-01&to=2026-03-01") == [
        ("product.update", "product", str(logged["product"]))]
    assert _actions(english, "from=2026-03-02&to=2026-03-02") == [("lot.adjust.damage", "lot", str(logged["lot"]))]
    assert len(_actions(english, "from=2026-03-01&to=2026-03-02")) == 2
    today = clock.today().isoformat()
    assert _actions(english, f"from={today}&actor={logged['wang']}") == [
        ("product.publish", "product", str(logged["product"]))]
    assert _actions(english, "to=2026-02-28") == []


@pytest.mark.parametrize("query", ["actor=abc", "actor=²", "actor=99999999999999999999", "from=yesterday",
                                   "to=2026-13-01", "object_id=" + "9" * 100])
def test_the_audit_log_ignores_nonsense_filters(english, session, admin, logged, query):
    assert english.get(f"/admin/audit?{query}").status_code == 200


def test_the_audit_log_offers_people_and_object_types(english, session, admin, logged):
    html = english.get("/admin/audit").text

    assert f'<option value="{logged["li"]}" >Li (' in html
    assert '<option value="lot" >lot</option>' in html and '<option value="product" >product</option>' in html


def test_the_audit_log_is_for_administrators_only(app, session, logged):
    for role in (Role.STAFF, Role.CLERK, Role.SHOPPER):
        client = _client(app)
        signed_in(session, client, role)
        assert client.get("/admin/audit").status_code == 403, role


# --- users ------------------------------------------------------------------------------------------


def test_the_users_page_lists_and_searches(english, session, admin):
    factories.user(session, email="find.me@example.com", role=Role.CLERK)
    session.commit()

    html = english.get("/admin/users?q=find.me").text

    assert "find.me@example.com" in html and admin.email not in html
    assert '<option value="clerk" selected>' in html


def test_an_admin_changes_a_role(app, english, session, admin):
    user = factories.user(session)
    session.commit()
    browser = _client(app)
    sign_in(browser, user.email)
    assert browser.get("/admin/products").status_code == 403

    response = english.post(f"/admin/users/{user.id}", data={"role": "staff", "active": "1"})

    assert response.status_code == 302
    assert f"{user.email} is saved." in flashes(english.get("/admin/users").text)
    assert session.scalar(select(User.role).where(User.id == user.id)) is Role.STAFF
    assert browser.get("/admin/products").status_code == 200  # at once, without signing in again
    [entry] = _entries(session, action="user.update", object_id=str(user.id))
    assert entry.actor_id == admin.id


def test_a_deactivated_account_cannot_sign_in(app, english, session, admin):
    user = factories.user(session, role=Role.STAFF)
    session.commit()

    english.post(f"/admin/users/{user.id}", data={"role": "staff"})  # "active" unticked

    assert session.scalar(select(User.active).where(User.id == user.id)) is False
    browser = _client(app)
    response = sign_in(browser, user.email)
    assert response.status_code == 400
    assert "The email address or password is not correct." in response.text


def test_a_deactivated_account_loses_the_back_office_at_once(app, english, session, admin):
    user = factories.user(session, role=Role.STAFF)
    session.commit()
    browser = _client(app)
    sign_in(browser, user.email)
    assert browser.get("/admin/products").status_code == 200

    english.post(f"/admin/users/{user.id}", data={"role": "staff"})

    response = browser.get("/admin/products")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")


@pytest.mark.parametrize("data", [{"role": "staff", "active": "1"}, {"role": "admin"}],
                         ids=["demote", "deactivate"])
def test_an_admin_cannot_remove_their_own_admin_access(english, session, admin, data):
    response = english.post(f"/admin/users/{admin.id}", data=data)

    assert "You cannot remove your own administrator access." in flashes(english.get(response.headers["Location"]).text)
    me = session.scalar(select(User).where(User.id == admin.id))
    assert (me.role, me.active) == (Role.ADMIN, True)
    assert english.get("/admin/users").status_code == 200


def test_another_admin_can_be_demoted(english, session, admin):
    other = factories.user(session, role=Role.ADMIN)
    session.commit()

    english.post(f"/admin/users/{other.id}", data={"role": "clerk", "active": "1"})

    assert session.scalar(select(User.role).where(User.id == other.id)) is Role.CLERK


def test_an_unknown_role_or_user_is_refused(english, session, admin):
    user_id = factories.user(session).id
    session.commit()

    assert english.post(f"/admin/users/{user_id}", data={"role": "root", "active": "1"}).status_code == 400
    assert english.post("/admin/users/999999", data={"role": "staff", "active": "1"}).status_code == 404
    assert session.scalar(select(User.role).where(User.id == user_id)) is Role.SHOPPER


def test_the_users_page_in_chinese(client, session):
    admin = signed_in(session, client, Role.ADMIN)

    response = client.post(f"/admin/users/{admin.id}", data={"role": "staff", "active": "1"})

    html = client.get(response.headers["Location"]).text
    assert '<html lang="zh-CN">' in html
    assert "不能取消您自己的管理员权限。" in flashes(html)
    assert "You cannot remove your own administrator access." not in html
