"""Staff over the API: receiving lots, adjustments and the low-stock list, with the back office's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop import clock
from shop.accounts.models import Role
from shop.api.core import SIGNED_INT_MAX
from shop.audit import AuditEntry
from shop.inventory.models import Location, Lot, MovementReason, StockMovement
from tests import factories, ordering


@pytest.fixture
def shelf(session):
    """A warehouse with a location, and a product on sale with no stock yet."""
    warehouse = factories.warehouse(session, code="ZB-1")
    location = Location(warehouse=warehouse, code="A-01-03", name="Aisle A")
    session.add(location)
    product = factories.product(session, sku="NZ-MILK-900", name_zh="新西兰奶粉", name_en="NZ formula")
    session.commit()
    return product


def _receipt(**overrides) -> dict:
    today = clock.today()
    body = {"sku": "NZ-MILK-900", "warehouse": "ZB-1", "location": "A-01-03", "lot_no": "NZ-2026-07",
            "quantity": 48, "best_before": (today + timedelta(days=500)).isoformat(),
            "arrival_channel": "sea_rail_dalian", "entry_declaration_no": "090120261000012345",
            "arrived_on": (today - timedelta(days=3)).isoformat()}
    body.update(overrides)
    return body


def _lots(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Lot.id)))


def _fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json.get("errors", [])}


def _stocked_lot(session, quantity: int = 48) -> Lot:
    product = factories.product(session)
    lot = factories.lot(session, product, quantity)
    session.commit()
    return lot


# --- receiving ------------------------------------------------------------------------------------------


def test_receiving_48_units_puts_48_on_hand_with_its_ledger_row_and_audit_entry(api, session, shelf):
    staff = api.sign_in(session, Role.STAFF)

    response = api.post("/staff/lots", json=_receipt(), lang="en")

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["sku"], body["lot_no"], body["on_hand"], body["reserved"], body["free"]) == (
        "NZ-MILK-900", "NZ-2026-07", 48, 0, 48)
    assert (body["warehouse"], body["location"], body["arrival_channel"]) == ("ZB-1", "A-01-03", "sea_rail_dalian")
    assert body["arrival_channel_label"] == "Sea–rail via Dalian" and body["product_name"] == "NZ formula"
    assert body["best_before"] == (clock.today() + timedelta(days=500)).isoformat()
    session.expire_all()
    lot = session.get(Lot, body["id"])
    assert (lot.quantity_received, lot.on_hand, lot.entry_declaration_no) == (48, 48, "090120261000012345")
    movements = list(session.scalars(select(StockMovement).where(StockMovement.lot_id == lot.id)))
    assert [(m.quantity, m.reason, m.actor_id) for m in movements] == [(48, MovementReason.RECEIPT, staff.id)]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_type == "lot",
                                                    AuditEntry.object_id == str(lot.id)))
    assert (entry.action, entry.actor_id) == ("lot.receive", staff.id)
    # The product is on sale now: the storefront's figure agrees.
    assert api.get("/products/NZ-MILK-900").json["stock"] == 48


def test_a_lot_without_a_location(api, session, shelf):
    api.sign_in(session, Role.ADMIN)  # admins do the staff's work too
    response = api.post("/staff/lots", json=_receipt(location=None))
    assert response.status_code == 201 and response.json["location"] is None


def test_unknown_codes_are_named_field_by_field(api, session, shelf):
    api.sign_in(session, Role.STAFF)

    response = api.post("/staff/lots", json=_receipt(sku="NO-SUCH-SKU", location="Z-99"), lang="en")
    assert response.status_code == 422 and response.json["code"] == "validation_error"
    assert _fields(response) == {"sku": "No product has this SKU.",
                                 "location": "This warehouse has no location with this code."}

    response = api.post("/staff/lots", json=_receipt(warehouse="ZB-404"), lang="en")
    assert _fields(response) == {"warehouse": "No warehouse has this code."}
    # The page's message, in Chinese by default.
    assert _fields(api.post("/staff/lots", json=_receipt(sku="NO-SUCH-SKU")))["sku"] == "没有此商品编号的商品。"
    assert _lots(session) == 0


def test_malformed_fields_are_named(api, session, shelf):
    api.sign_in(session, Role.STAFF)
    response = api.post("/staff/lots", json=_receipt(quantity=0, best_before="31/12/2027", lot_no=" ",
                                                     arrival_channel="teleport", entry_declaration_no="9" * 33),
                        lang="en")
    assert response.status_code == 422
    assert set(_fields(response)) == {"quantity", "best_before", "lot_no", "arrival_channel", "entry_declaration_no"}
    assert api.post("/staff/lots", json=_receipt(quantity=1_000_001)).status_code == 422
    assert _fields(api.post("/staff/lots", json=_receipt(best_before=1893456000, arrived_on="0"))).keys() == {
        "best_before", "arrived_on"}  # never a Unix time
    assert _fields(api.post("/staff/lots", json={"sku": "NZ-MILK-900"})).keys() >= {"warehouse", "quantity"}
    assert _lots(session) == 0


@pytest.mark.parametrize(("field", "days", "message"), [
    ("best_before", 0, "This lot is already past its best-before date."),
    ("best_before", -1, "This lot is already past its best-before date."),
    ("arrived_on", 1, "The arrival date cannot be in the future."),
])
def test_the_stock_rules_refuse_impossible_dates(api, session, shelf, field, days, message):
    api.sign_in(session, Role.STAFF)
    day = (clock.today() + timedelta(days=days)).isoformat()

    response = api.post("/staff/lots", json=_receipt(**{field: day}), lang="en")

    assert response.status_code == 422 and response.json["code"] == "stock_refused"
    assert response.json["detail"] == message and _fields(response) == {field: message}
    assert _lots(session) == 0


def test_a_lot_number_is_received_once(api, session, shelf):
    api.sign_in(session, Role.STAFF)
    assert api.post("/staff/lots", json=_receipt()).status_code == 201

    again = api.post("/staff/lots", json=_receipt(quantity=5), lang="en")

    assert again.status_code == 422 and again.json["code"] == "stock_refused"
    assert _fields(again) == {"lot_no": "This product already has a lot numbered NZ-2026-07."}
    assert _lots(session) == 1


# --- adjustments ----------------------------------------------------------------------------------------


def test_two_damaged_units_leave_46_with_a_ledger_row(api, session, shelf):
    staff = api.sign_in(session, Role.STAFF)
    lot_id = api.post("/staff/lots", json=_receipt()).json["id"]

    response = api.post(f"/staff/lots/{lot_id}/adjustments", lang="en",
                        json={"quantity": -2, "reason": "damage", "note": "crushed tins"})

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["lot"]["id"], body["lot"]["on_hand"], body["lot"]["reserved"], body["lot"]["free"]) == (
        lot_id, 46, 0, 46)
    assert (body["movement"]["quantity"], body["movement"]["reason"], body["movement"]["note"]) == (
        -2, "damage", "crushed tins")
    assert body["movement"]["actor_id"] == staff.id
    session.expire_all()
    assert session.get(Lot, lot_id).on_hand == 46
    movements = list(session.scalars(select(StockMovement).where(StockMovement.lot_id == lot_id)
                                     .order_by(StockMovement.id)))
    assert [(m.quantity, m.reason, m.note) for m in movements] == [
        (48, MovementReason.RECEIPT, "090120261000012345"), (-2, MovementReason.DAMAGE, "crushed tins")]
    assert sum(m.quantity for m in movements) == 46  # the ledger says what the lot says
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "lot.adjust.damage"))
    assert (entry.actor_id, entry.object_id) == (staff.id, str(lot_id))

    corrected = api.post(f"/staff/lots/{lot_id}/adjustments", json={"quantity": 3, "reason": "correction"})
    assert corrected.status_code == 201 and corrected.json["lot"]["on_hand"] == 49


def test_an_adjustment_below_the_reserved_units_is_refused(app, api, session):
    product = ordering.stocked(session, 10)
    with app.test_request_context():
        ordering.place(session, factories.user(session), [(product, 4)])
    session.commit()
    lot = session.scalar(select(Lot).where(Lot.product_id == product.id))
    assert (lot.on_hand, lot.reserved) == (10, 4)
    api.sign_in(session, Role.STAFF)

    response = api.post(f"/staff/lots/{lot.id}/adjustments", json={"quantity": -7, "reason": "display_sample"},
                        lang="en")

    assert response.status_code == 422 and response.json["code"] == "stock_refused"
    message = "Not possible: the lot would have fewer units than are reserved for orders."
    assert _fields(response) == {"quantity": message}
    session.expire_all()
    assert session.get(Lot, lot.id).on_hand == 10
    assert session.scalar(select(func.count(StockMovement.id)).where(StockMovement.lot_id == lot.id)) == 1
    # Down to exactly the reserved units is allowed.
    allowed = api.post(f"/staff/lots/{lot.id}/adjustments", json={"quantity": -6, "reason": "display_sample"})
    assert allowed.status_code == 201 and (allowed.json["lot"]["on_hand"], allowed.json["lot"]["free"]) == (4, 0)


def test_an_adjustment_needs_the_sign_and_reason_the_page_allows(api, session):
    lot = _stocked_lot(session)
    api.sign_in(session, Role.STAFF)
    path = f"/staff/lots/{lot.id}/adjustments"

    wrong_sign = api.post(path, json={"quantity": 2, "reason": "damage"}, lang="en")
    assert wrong_sign.status_code == 422 and wrong_sign.json["code"] == "stock_refused"
    assert set(_fields(wrong_sign)) == {"quantity"}
    assert api.post(path, json={"quantity": 0, "reason": "correction"}).json["code"] == "stock_refused"
    for reason in ("receipt", "sale", "return", "theft"):
        refused = api.post(path, json={"quantity": -1, "reason": reason})
        assert refused.status_code == 422 and set(_fields(refused)) == {"reason"}
    assert set(_fields(api.post(path, json={"quantity": "many", "reason": "damage", "note": "x" * 201}))) == {
        "quantity", "note"}
    assert set(_fields(api.post(path, json={"quantity": -1_000_001, "reason": "damage"}))) == {"quantity"}
    session.expire_all()
    assert session.get(Lot, lot.id).on_hand == 48


def test_adjusting_an_unknown_lot_is_not_found(api, session):
    api.sign_in(session, Role.STAFF)
    body = {"quantity": -1, "reason": "damage"}
    assert api.post("/staff/lots/999999/adjustments", json=body).json["code"] == "not_found"
    assert api.post(f"/staff/lots/{SIGNED_INT_MAX + 1}/adjustments", json=body).status_code == 404
    assert api.post("/staff/lots/0/adjustments", json=body).status_code == 404


# --- the low-stock list ---------------------------------------------------------------------------------


def test_the_low_stock_list_has_the_dashboard_figures(api, session):
    today = clock.today()
    few = factories.product(session, name_en="Few tins")
    factories.lot(session, few, 5)
    plenty = factories.product(session)
    factories.lot(session, plenty, 50)
    expiring = factories.product(session)
    near = factories.lot(session, expiring, 40, best_before=today + timedelta(days=20))  # no longer sold
    old = factories.lot(session, factories.product(session), 3, best_before=today - timedelta(days=1))
    session.commit()
    api.sign_in(session, Role.STAFF)

    body = api.get("/staff/low-stock", lang="en").json

    assert (body["threshold"], body["near_expiry_days"], body["warning_days"], body["limit"]) == (10, 30, 90, 100)
    listed = {item["sku"]: item["sellable"] for item in body["items"]}
    assert listed[few.sku] == 5 and listed[expiring.sku] == 0 and plenty.sku not in listed
    assert next(i for i in body["items"] if i["sku"] == few.sku)["name"] == "Few tins"
    assert [(lot["id"], lot["on_hand"]) for lot in body["near_expiry"]] == [(near.id, 40)]
    assert [(lot["id"], lot["on_hand"]) for lot in body["expired"]] == [(old.id, 3)]


def test_the_low_stock_list_costs_the_same_queries_however_many_lots(api, session, count_queries):
    today = clock.today()
    warehouse = factories.warehouse(session)
    for n in range(6):
        lot = factories.lot(session, factories.product(session), 5, wh=warehouse, best_before=today + timedelta(days=40))
        lot.location = Location(warehouse=warehouse, code=f"B-{n}")
    session.commit()
    api.sign_in(session, Role.STAFF)
    api.get("/staff/low-stock")  # settings and the token are read once

    with count_queries() as counter:
        body = api.get("/staff/low-stock").json
    assert len(body["near_expiry"]) == 6 and all(lot["location"] for lot in body["near_expiry"])
    assert counter.count == 5, counter.statements  # token with its user, low stock, near, expired, locations


# --- who may ------------------------------------------------------------------------------------------


CALLS = [("POST", "/staff/lots", _receipt), ("POST", "/staff/lots/1/adjustments", lambda: {"quantity": -1,
                                                                                          "reason": "damage"}),
         ("GET", "/staff/low-stock", lambda: None)]


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_staff_work_needs_a_staff_token(api, session, method, path, body):
    anonymous = api.call(method, path, json=body())
    assert anonymous.status_code == 401 and anonymous.json["code"] == "unauthorized"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    for role in (Role.SHOPPER, Role.CLERK):
        api.sign_in(session, role)
        refused = api.call(method, path, json=body())
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert _lots(session) == 0
