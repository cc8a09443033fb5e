"""The back office's stock pages: receiving lots, adjustments, the stock dashboard, warehouses and locations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from shop import clock
from shop.audit import AuditEntry
from shop.inventory.models import ArrivalChannel, Location, Lot, MovementReason, StockMovement
from tests import factories, ordering
from tests.backoffice import field_errors, flashes, signed_in
from tests.functional.helpers import add_to_cart

NOT_POSITIVE = "The quantity must be a positive whole number."


@pytest.fixture
def staff(session, english):
    return signed_in(session, english)


@pytest.fixture
def shelf(session):
    """A warehouse with a location, and a product on sale with no stock yet."""
    warehouse = factories.warehouse(session, code="ZB-1")
    location = Location(warehouse=warehouse, code="A-01-03", name="Aisle A")
    session.add(location)
    product = factories.product(session, sku="NZ-MILK-900", name_zh="新西兰奶粉")
    session.commit()
    return warehouse, location, product


def _receive_form(shelf, **overrides) -> dict[str, str]:
    warehouse, location, product = shelf
    today = clock.today()
    data = {"sku": product.sku, "warehouse_id": str(warehouse.id), "location_id": str(location.id),
            "lot_no": "NZ-2026-07", "quantity": "48", "best_before": (today + timedelta(days=500)).isoformat(),
            "arrival_channel": ArrivalChannel.SEA_RAIL_DALIAN.value,
            "arrived_on": (today - timedelta(days=3)).isoformat(), "entry_declaration_no": "090120261000012345"}
    data.update(overrides)
    return data


def _lot(session, lot_no: str) -> Lot | None:
    session.expire_all()
    return session.scalar(select(Lot).where(Lot.lot_no == lot_no))


def _form_error(html: str) -> str:
    """The message above the form (a refusal of the whole receipt)."""
    return re.search(r'<p class="flash flash-error" role="alert">(.*?)</p>', html, re.S).group(1)


# --- receiving --------------------------------------------------------------------------------------


def test_the_receive_form(english, session, staff, shelf):
    html = english.get("/admin/lots/receive").text

    assert "<h1>Receive a lot into the bonded zone</h1>" in html
    assert "ZB-1 · A-01-03" in html
    assert f'name="arrived_on" type="date" value="{clock.today().isoformat()}"' in html


def test_receiving_a_lot_puts_the_product_in_stock(english, session, staff, shelf, other_client):
    assert "stock-out" in other_client.get("/p/NZ-MILK-900").text

    response = english.post("/admin/lots/receive", data=_receive_form(shelf))

    lot = _lot(session, "NZ-2026-07")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/lots/{lot.id}"
    assert (lot.quantity_received, lot.on_hand, lot.location.code, lot.warehouse.code) == (48, 48, "A-01-03", "ZB-1")
    assert lot.arrival_channel is ArrivalChannel.SEA_RAIL_DALIAN
    assert lot.entry_declaration_no == "090120261000012345"
    movements = list(session.scalars(select(StockMovement).where(StockMovement.lot_id == lot.id)))
    assert [(m.quantity, m.reason, m.actor_id) for m in movements] == [(48, MovementReason.RECEIPT, staff.id)]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_type == "lot",
                                                    AuditEntry.object_id == str(lot.id)))
    assert (entry.action, entry.actor_id) == ("lot.receive", staff.id)
    page = english.get(response.headers["Location"]).text
    assert "Lot NZ-2026-07 received: 48 units." in flashes(page)
    assert '<dd data-testid="on-hand">48</dd>' in page
    assert "stock-in" in other_client.get("/p/NZ-MILK-900").text
    assert add_to_cart(other_client, "NZ-MILK-900", 2).status_code == 302


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"sku": "NO-SUCH-SKU"}, "sku", "No product has this SKU."),
    ({"quantity": "-5"}, "quantity", NOT_POSITIVE),
    ({"quantity": "0"}, "quantity", NOT_POSITIVE),
    ({"quantity": "ten"}, "quantity", NOT_POSITIVE),
    ({"quantity": "2.5"}, "quantity", NOT_POSITIVE),
    ({"quantity": "99999999999999999999"}, "quantity", "Please enter a quantity between 1 and 1000000."),
    ({"warehouse_id": ""}, "warehouse_id", "Choose a warehouse."),
    ({"warehouse_id": "99999999999999999999"}, "warehouse_id", "Choose a warehouse."),
    ({"lot_no": ""}, "lot_no", "Enter the lot number (at most 40 characters)."),
    ({"best_before": "31/12/2027"}, "best_before", "Enter a date as YYYY-MM-DD."),
    ({"arrival_channel": "teleport"}, "arrival_channel", "Choose how the lot arrived."),
    ({"entry_declaration_no": "9" * 33}, "entry_declaration_no", "At most 32 characters."),
])
def test_receiving_refuses_bad_fields(english, session, staff, shelf, overrides, field, message):
    response = english.post("/admin/lots/receive", data=_receive_form(shelf, **overrides))

    assert response.status_code == 400
    assert field_errors(response.text) == {field: message}
    assert "Please correct the fields marked below. Nothing was saved." in response.text
    assert _lot(session, overrides.get("lot_no", "NZ-2026-07")) is None


def test_a_location_of_another_warehouse_is_refused(english, session, staff, shelf):
    other = factories.warehouse(session, code="ZB-2")
    session.commit()

    response = english.post("/admin/lots/receive", data=_receive_form(shelf, warehouse_id=str(other.id)))

    assert response.status_code == 400
    assert field_errors(response.text) == {"location_id": "This location is in another warehouse."}


@pytest.mark.parametrize(("days", "field", "message"), [
    (-1, "best_before", "This lot is already past its best-before date."),
    (0, "best_before", "This lot is already past its best-before date."),
    (1, "arrived_on", "The arrival date cannot be in the future."),
])
def test_receiving_refuses_impossible_dates(english, session, staff, shelf, days, field, message):
    day = (clock.today() + timedelta(days=days)).isoformat()

    response = english.post("/admin/lots/receive", data=_receive_form(shelf, **{field: day}))

    assert response.status_code == 400
    assert _form_error(response.text) == message
    assert _lot(session, "NZ-2026-07") is None


def test_a_duplicate_lot_number_is_refused(english, session, staff, shelf):
    assert english.post("/admin/lots/receive", data=_receive_form(shelf)).status_code == 302

    response = english.post("/admin/lots/receive", data=_receive_form(shelf, quantity="10"))

    assert response.status_code == 400
    assert _form_error(response.text) == "This product already has a lot numbered NZ-2026-07."
    assert _lot(session, "NZ-2026-07").on_hand == 48


def test_receiving_in_chinese(client, session, shelf):
    signed_in(session, client)

    response = client.post("/admin/lots/receive", data=_receive_form(shelf, quantity="-1"))

    assert '<html lang="zh-CN">' in response.text
    assert field_errors(response.text) == {"quantity": "数量必须是正整数。"}
    assert NOT_POSITIVE not in response.text


# --- adjustments ------------------------------------------------------------------------------------


def _adjust(client, lot, quantity, reason: MovementReason, note: str = ""):
    response = client.post(f"/admin/lots/{lot.id}/adjust",
                           data={"quantity": str(quantity), "reason": reason.value, "note": note})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/lots/{lot.id}"
    return client.get(response.headers["Location"]).text


def _stock_state(client, sku: str) -> str:
    client.set_cookie("locale", "en")
    return re.search(r'<span class="stock [^"]*">(.*?)</span>', client.get(f"/p/{sku}").text).group(1)


def _cart_count(client) -> int:
    return int(re.search(r'<span class="badge"[^>]*>(\d+)</span>', client.get("/cart/").text).group(1))


@pytest.fixture
def lot(session, shelf):
    lot = factories.lot(session, shelf[2], 12, wh=shelf[0], lot_no="ADJ-1")
    session.commit()
    return lot


def test_adjustments_with_a_reason_each_make_a_movement(english, session, staff, lot):
    assert "The lot is adjusted." in flashes(_adjust(english, lot, -2, MovementReason.DAMAGE, "crushed can"))
    _adjust(english, lot, 3, MovementReason.CORRECTION, "count")
    html = _adjust(english, lot, -1, MovementReason.CORRECTION)

    assert _lot(session, "ADJ-1").on_hand == 12
    movements = list(session.scalars(select(StockMovement).where(StockMovement.lot_id == lot.id)
                                     .order_by(StockMovement.id)))
    assert [(m.quantity, m.reason, m.note) for m in movements[1:]] == [
        (-2, MovementReason.DAMAGE, "crushed can"), (3, MovementReason.CORRECTION, "count"),
        (-1, MovementReason.CORRECTION, "")]
    assert {m.actor_id for m in movements[1:]} == {staff.id}
    assert '<dd data-testid="on-hand">12</dd>' in html
    assert "Damaged" in html and "Count correction" in html and ">-2</td>" in html and ">+3</td>" in html


def test_a_display_sample_leaves_sellable_stock(english, session, staff, lot, other_client):
    assert _stock_state(other_client, "NZ-MILK-900") == "In stock"

    html = _adjust(english, lot, -3, MovementReason.DISPLAY_SAMPLE, "hall B")

    assert "Moved to display as a sample" in html
    assert _lot(session, "ADJ-1").on_hand == 9
    assert _stock_state(other_client, "NZ-MILK-900") == "Only 9 left"


@pytest.mark.parametrize(("quantity", "reason", "message"), [
    ("2", MovementReason.DAMAGE.value,
     "For this reason, enter the number of units leaving the lot as a negative number."),
    ("1", MovementReason.DISPLAY_SAMPLE.value,
     "For this reason, enter the number of units leaving the lot as a negative number."),
    ("-13", MovementReason.CORRECTION.value,
     "Not possible: the lot would have fewer units than are reserved for orders."),
    ("abc", MovementReason.DAMAGE.value, "Enter a whole number of units and choose a reason."),
    ("99999999999999999999", MovementReason.CORRECTION.value, "Enter a whole number of units and choose a reason."),
    ("-1", "stolen", "Enter a whole number of units and choose a reason."),
    ("-1", MovementReason.SALE.value, "Choose a reason for the adjustment."),
])
def test_refused_adjustments_say_why_and_change_nothing(english, session, staff, lot, quantity, reason, message):
    response = english.post(f"/admin/lots/{lot.id}/adjust", data={"quantity": quantity, "reason": reason})

    assert message in flashes(english.get(response.headers["Location"]).text)
    assert _lot(session, "ADJ-1").on_hand == 12
    assert session.scalar(select(StockMovement.id).where(StockMovement.lot_id == lot.id,
                                                         StockMovement.reason != MovementReason.RECEIPT)) is None


def test_units_reserved_for_orders_cannot_be_adjusted_away(english, session, staff, lot):
    ordering.place(session, factories.user(session), [(session.get(Lot, lot.id).product, 5)])
    session.commit()

    html = _adjust(english, lot, -8, MovementReason.DAMAGE)

    assert "Not possible: the lot would have fewer units than are reserved for orders." in flashes(html)
    assert "The lot is adjusted." in flashes(_adjust(english, lot, -7, MovementReason.DAMAGE))
    lot_now = _lot(session, "ADJ-1")
    assert (lot_now.on_hand, lot_now.reserved) == (5, 5)


def test_an_unknown_lot_is_404(english, session, staff):
    assert english.get("/admin/lots/999999").status_code == 404
    assert english.post("/admin/lots/999999/adjust", data={"quantity": "-1", "reason": "damage"}).status_code == 404


def test_the_lots_page_filters_by_sku(english, session, staff, lot):
    other = factories.lot(session, factories.product(session), 5, lot_no="OTHER-LOT")
    session.commit()

    html = english.get("/admin/lots?sku=NZ-MILK-900").text

    assert f'href="/admin/lots/{lot.id}"' in html and f'href="/admin/lots/{other.id}"' not in html


# --- the stock dashboard ----------------------------------------------------------------------------


def _table(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S).group(1)


def test_the_dashboard_lists_low_stock_near_expiry_and_expired(english, session, staff, app, other_client):
    today = clock.today()
    warning = app.config["NEAR_EXPIRY_WARNING_DAYS"]
    low = factories.product(session, sku="DASH-LOW")
    factories.lot(session, low, 3, lot_no="LOW-LOT")
    plenty = factories.product(session, sku="DASH-PLENTY")
    factories.lot(session, plenty, 100, lot_no="PLENTY-LOT")
    factories.lot(session, plenty, 10, best_before=today + timedelta(days=warning), lot_no="NEAR-LOT")
    factories.lot(session, plenty, 10, best_before=today + timedelta(days=warning + 1), lot_no="LATER-LOT")
    expired = factories.product(session, sku="DASH-EXPIRED")
    factories.lot(session, expired, 7, best_before=today - timedelta(days=1), lot_no="EXPIRED-LOT")
    session.commit()

    html = english.get("/admin/stock").text

    assert "Every lot agrees with its movements." in html
    low_stock = _table(html, "low-stock")
    assert "DASH-LOW" in low_stock and "DASH-EXPIRED" in low_stock and "DASH-PLENTY" not in low_stock
    near = _table(html, "near-expiry")
    assert "NEAR-LOT" in near and "LATER-LOT" not in near and "PLENTY-LOT" not in near
    assert "EXPIRED-LOT" in _table(html, "expired") and "EXPIRED-LOT" not in near
    overview = english.get("/admin/").text
    assert "expired lots on hand" in overview
    # never sold on the storefront
    assert _stock_state(other_client, "DASH-EXPIRED") == "Sold out"
    add_to_cart(other_client, "DASH-EXPIRED", 1)
    assert _cart_count(other_client) == 0


def test_the_dashboard_reports_a_lot_whose_figure_left_the_ledger(english, session, staff, lot):
    session.execute(text("UPDATE lots SET on_hand = 20 WHERE id = :id"), {"id": lot.id})
    session.commit()

    html = english.get("/admin/stock").text

    block = re.search(r'data-testid="ledger-mismatches">(.*?)</div>', html, re.S).group(1)
    assert f'href="/admin/lots/{lot.id}"' in block and "on hand 20, movements 12" in block


# --- warehouses and locations -----------------------------------------------------------------------


def test_adding_a_location(english, session, staff, shelf):
    warehouse = shelf[0]

    response = english.post("/admin/warehouses", data={"warehouse_id": str(warehouse.id), "code": "B-02-01",
                                                       "name": "Cold room"})

    assert response.status_code == 302
    html = english.get("/admin/warehouses").text
    assert "Location B-02-01 added." in flashes(html)
    assert "B-02-01 — Cold room" in html
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "location.create"))
    assert entry.actor_id == staff.id and entry.summary == "B-02-01"


def test_a_duplicate_location_code_is_refused(english, session, staff, shelf):
    warehouse_id, other_id = shelf[0].id, factories.warehouse(session).id
    session.commit()

    response = english.post("/admin/warehouses", data={"warehouse_id": str(warehouse_id), "code": "A-01-03"})

    assert response.status_code == 400
    assert "This warehouse already has location A-01-03." in flashes(response.text)
    # the same code in another warehouse is fine
    assert english.post("/admin/warehouses", data={"warehouse_id": str(other_id), "code": "A-01-03"}
                        ).status_code == 302


def test_a_location_needs_a_warehouse_and_a_code(english, session, staff, shelf):
    response = english.post("/admin/warehouses", data={"warehouse_id": str(shelf[0].id), "code": "  "})

    assert response.status_code == 400
    assert "Choose a warehouse and enter a location code." in flashes(response.text)
