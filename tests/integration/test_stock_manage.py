"""Bonded stock services against a real database: receiving, adjustments, the ledger check, the dashboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from shop import clock
from shop.audit import AuditEntry
from shop.inventory import stock
from shop.inventory.models import ArrivalChannel, Lot, MovementReason, StockMovement
from tests import factories, ordering

REFUSED_BELOW_RESERVED = "Not possible: the lot would have fewer units than are reserved for orders."
OUT_AS_NEGATIVE = "For this reason, enter the number of units leaving the lot as a negative number."


@pytest.fixture
def today(in_request) -> date:
    return clock.today()


def _receipt(product, warehouse, today, **kw) -> stock.Receipt:
    values = dict(product=product, warehouse=warehouse, location=None, lot_no="LOT-2026-001", quantity=120,
                  best_before=today + timedelta(days=400), arrival_channel=ArrivalChannel.RAIL_EUROPE,
                  arrived_on=today - timedelta(days=2), entry_declaration_no="020120261000123456")
    values.update(kw)
    return stock.Receipt(**values)


def _movements(session, lot) -> list[tuple[int, MovementReason, int | None]]:
    return [(m.quantity, m.reason, m.actor_id) for m in
            session.scalars(select(StockMovement).where(StockMovement.lot_id == lot.id).order_by(StockMovement.id))]


def _ledger(session, lot) -> int:
    return session.scalar(select(func.sum(StockMovement.quantity)).where(StockMovement.lot_id == lot.id))


# --- receiving --------------------------------------------------------------------------------------


def test_receiving_a_lot_writes_the_receipt_movement_and_the_audit_entry(session, today):
    staff = factories.user(session)
    product, warehouse = factories.product(session), factories.warehouse(session)

    lot = stock.receive(session, _receipt(product, warehouse, today), actor_id=staff.id, today=today)

    assert (lot.on_hand, lot.quantity_received, lot.reserved) == (120, 120, 0)
    assert lot.arrival_channel is ArrivalChannel.RAIL_EUROPE
    assert lot.entry_declaration_no == "020120261000123456"
    assert _movements(session, lot) == [(120, MovementReason.RECEIPT, staff.id)]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_type == "lot"))
    assert (entry.action, entry.actor_id, entry.object_id) == ("lot.receive", staff.id, str(lot.id))
    assert entry.summary == f"{product.sku} LOT-2026-001 +120"


def test_receiving_into_a_location(session, today):
    from shop.inventory.models import Location

    warehouse = factories.warehouse(session)
    shelf = Location(warehouse=warehouse, code="A-01-03")
    session.add(shelf)

    lot = stock.receive(session, _receipt(factories.product(session), warehouse, today, location=shelf),
                        actor_id=None, today=today)

    assert lot.location.code == "A-01-03"


@pytest.mark.parametrize(("change", "message"), [
    ({"quantity": 0}, "The quantity must be a positive whole number."),
    ({"quantity": -5}, "The quantity must be a positive whole number."),
    ({"best_before": "today"}, "This lot is already past its best-before date."),
    ({"best_before": "yesterday"}, "This lot is already past its best-before date."),
    ({"arrived_on": "tomorrow"}, "The arrival date cannot be in the future."),
])
def test_receiving_refuses_bad_lots(session, today, change, message):
    days = {"today": today, "yesterday": today - timedelta(days=1), "tomorrow": today + timedelta(days=1)}
    change = {k: days.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    product = factories.product(session)

    with pytest.raises(stock.StockRefused) as refused:
        stock.receive(session, _receipt(product, factories.warehouse(session), today, **change), actor_id=None,
                      today=today)

    assert str(refused.value) == message
    assert session.scalar(select(func.count(Lot.id)).where(Lot.product_id == product.id)) == 0


def test_a_lot_number_is_received_once_per_product(session, today):
    product, warehouse = factories.product(session), factories.warehouse(session)
    stock.receive(session, _receipt(product, warehouse, today), actor_id=None, today=today)

    with pytest.raises(stock.StockRefused) as refused:
        stock.receive(session, _receipt(product, warehouse, today), actor_id=None, today=today)
    other = stock.receive(session, _receipt(factories.product(session), warehouse, today), actor_id=None,
                          today=today)

    assert str(refused.value) == "This product already has a lot numbered LOT-2026-001."
    assert other.lot_no == "LOT-2026-001"


# --- adjustments ------------------------------------------------------------------------------------


def test_adjustments_are_movements_with_their_actor(session, today):
    staff = factories.user(session)
    lot = factories.lot(session, factories.product(session), 50)

    stock.adjust(session, lot, quantity=-2, reason=MovementReason.DAMAGE, note="crushed", actor_id=staff.id)
    stock.adjust(session, lot, quantity=3, reason=MovementReason.CORRECTION, note="found", actor_id=staff.id)
    stock.adjust(session, lot, quantity=-1, reason=MovementReason.CORRECTION, note="", actor_id=staff.id)
    stock.adjust(session, lot, quantity=-1, reason=MovementReason.DISPLAY_SAMPLE, note="hall", actor_id=staff.id)

    assert lot.on_hand == 49
    assert _movements(session, lot)[1:] == [(-2, MovementReason.DAMAGE, staff.id),
                                            (3, MovementReason.CORRECTION, staff.id),
                                            (-1, MovementReason.CORRECTION, staff.id),
                                            (-1, MovementReason.DISPLAY_SAMPLE, staff.id)]
    assert _ledger(session, lot) == lot.on_hand
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "lot")
                                   .order_by(AuditEntry.id)))
    assert actions == ["lot.adjust.damage", "lot.adjust.correction", "lot.adjust.correction",
                       "lot.adjust.display_sample"]
    damage = session.scalar(select(AuditEntry).where(AuditEntry.action == "lot.adjust.damage"))
    assert ("on_hand", 50, 48) in damage.changes()


def test_a_display_sample_leaves_sellable_stock(session, today):
    from shop.inventory.services import available_quantities, sale_cutoff

    product = factories.product(session)
    lot = factories.lot(session, product, 10)
    cutoff = sale_cutoff(today, 30)

    stock.adjust(session, lot, quantity=-1, reason=MovementReason.DISPLAY_SAMPLE, note="", actor_id=None)

    assert available_quantities(session, [product.id], cutoff) == {product.id: 9}


@pytest.mark.parametrize(("quantity", "reason", "message"), [
    (2, MovementReason.DAMAGE, OUT_AS_NEGATIVE),
    (1, MovementReason.DISPLAY_SAMPLE, OUT_AS_NEGATIVE),
    (0, MovementReason.CORRECTION, OUT_AS_NEGATIVE),
    (-1, MovementReason.SALE, "Choose a reason for the adjustment."),
    (5, MovementReason.RECEIPT, "Choose a reason for the adjustment."),
    (-11, MovementReason.CORRECTION, REFUSED_BELOW_RESERVED),
])
def test_refused_adjustments_change_nothing(session, today, quantity, reason, message):
    lot = factories.lot(session, factories.product(session), 10)

    with pytest.raises(stock.StockRefused) as refused:
        stock.adjust(session, lot, quantity=quantity, reason=reason, note="", actor_id=None)

    assert str(refused.value) == message
    session.refresh(lot)
    assert lot.on_hand == 10
    assert len(_movements(session, lot)) == 1


def test_an_adjustment_never_takes_reserved_units(session, today):
    product = factories.product(session)
    lot = factories.lot(session, product, 5)
    ordering.place(session, factories.user(session), [(product, 4)])
    session.refresh(lot)
    assert lot.reserved == 4

    with pytest.raises(stock.StockRefused) as refused:
        stock.adjust(session, lot, quantity=-2, reason=MovementReason.DAMAGE, note="", actor_id=None)
    stock.adjust(session, lot, quantity=-1, reason=MovementReason.DAMAGE, note="", actor_id=None)

    assert str(refused.value) == REFUSED_BELOW_RESERVED
    assert (lot.on_hand, lot.reserved) == (4, 4)


# --- the ledger check -------------------------------------------------------------------------------


def test_the_ledger_agrees_after_normal_use(session, today):
    product = factories.product(session)
    lot = factories.lot(session, product, 30)
    stock.adjust(session, lot, quantity=-3, reason=MovementReason.DAMAGE, note="", actor_id=None)
    stock.restock(session, lot.id, 2, actor_id=None, note="return")
    ordering.place(session, factories.user(session), [(product, 2)])

    assert stock.ledger_mismatches(session) == []


def test_a_lot_changed_behind_the_ledgers_back_is_reported(session, today):
    product = factories.product(session, sku="LEDGER-1")
    lot = factories.lot(session, product, 30, lot_no="L-DRIFT")
    factories.lot(session, product, 10)
    session.execute(text("UPDATE lots SET on_hand = 27 WHERE id = :id"), {"id": lot.id})

    assert stock.ledger_mismatches(session) == [
        stock.LedgerMismatch(lot_id=lot.id, product_sku="LEDGER-1", lot_no="L-DRIFT", on_hand=27, ledger=30)]


def test_the_stock_check_command(app, session, today):
    product = factories.product(session, sku="LEDGER-2")
    lot = factories.lot(session, product, 30, lot_no="L-CLI")
    runner = app.test_cli_runner()

    clean = runner.invoke(args=["stock", "check"])
    session.execute(text("UPDATE lots SET on_hand = 31 WHERE id = :id"), {"id": lot.id})
    drifted = runner.invoke(args=["stock", "check"])

    assert clean.exit_code == 0, clean.output
    assert "0 lots disagree with their ledger." in clean.output
    assert drifted.exit_code == 1
    assert f"lot {lot.id} (LEDGER-2 L-CLI): on hand 31, ledger says 30" in drifted.output
    assert "1 lots disagree with their ledger." in drifted.output


def test_shipping_units_that_are_not_reserved_writes_no_movement(session, today):
    lot = factories.lot(session, factories.product(session), 10)

    with pytest.raises(RuntimeError):
        stock.ship_units(session, lot.id, 3, actor_id=None, note="order X")

    assert _movements(session, lot) == [(10, MovementReason.RECEIPT, None)]
    assert stock.ledger_mismatches(session) == []


# --- the dashboard ----------------------------------------------------------------------------------


def _board(session, today):
    return stock.dashboard(session, today=today, near_expiry_days=30, warning_days=90, low_stock_threshold=10)


def test_the_dashboard_lists_low_stock_near_expiry_and_expired(session, today):
    plenty, low, none = (factories.product(session, sku=s) for s in ("DB-PLENTY", "DB-LOW", "DB-NONE"))
    factories.product(session, sku="DB-DRAFT", published=False)
    factories.lot(session, plenty, 40)
    factories.lot(session, low, 4)
    near = factories.lot(session, low, 50, best_before=today + timedelta(days=20), lot_no="NEAR")
    soon = factories.lot(session, plenty, 5, best_before=today + timedelta(days=60), lot_no="SOON")
    edge = factories.lot(session, plenty, 5, best_before=today + timedelta(days=90), lot_no="EDGE")
    factories.lot(session, plenty, 5, best_before=today + timedelta(days=91), lot_no="LATER")
    gone = factories.lot(session, none, 8, best_before=today, lot_no="GONE")
    old = factories.lot(session, none, 3, best_before=today - timedelta(days=20), lot_no="OLD")
    empty = factories.lot(session, none, 3, best_before=today - timedelta(days=20), lot_no="EMPTY")
    stock.adjust(session, empty, quantity=-3, reason=MovementReason.DAMAGE, note="", actor_id=None)

    board = _board(session, today)

    low_skus = {p.sku: q for p, q in board.low_stock}
    assert low_skus.get("DB-NONE") == 0 and "DB-PLENTY" not in low_skus and "DB-DRAFT" not in low_skus
    assert low_skus["DB-LOW"] == 4  # the lot 20 days from expiry is no longer sold
    assert [lot.lot_no for lot in board.near_expiry] == [near.lot_no, soon.lot_no, edge.lot_no]
    assert [lot.lot_no for lot in board.expired] == [old.lot_no, gone.lot_no]


def test_expired_and_near_expiry_lots_are_never_sold(session, today):
    from shop.catalog import services

    product = factories.product(session, sku="DB-EXPIRED")
    factories.lot(session, product, 8, best_before=today - timedelta(days=1))
    factories.lot(session, product, 8, best_before=today + timedelta(days=30))

    page = services.product_page(session, "DB-EXPIRED", today=today, near_expiry_days=30)

    assert page.available == 0 and page.lots == []
    board = _board(session, today)
    assert ("DB-EXPIRED", 0) in [(p.sku, q) for p, q in board.low_stock]
