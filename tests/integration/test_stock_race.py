"""Twenty buyers race for five units: none is sold twice, none is lost.

On a database of its own (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), each buyer in a thread of its
own with its own session and connection, all released at the same moment by a barrier.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, select

from shop import create_app
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.db import db, utcnow
from shop.domain import OutOfStock
from shop.inventory.models import Lot
from shop.migrate import alembic_config
from shop.orders import services
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus, ReservationState, StockReservation
from tests import factories
from tests.dbutil import fresh_database
from tests.ordering import ID_A, ID_B, ID_C, ID_X, buyer, place, shop_today

BUYERS = 20
ENGLISH = {"Cookie": "locale=en"}


@dataclass
class Outcome:
    buyer: int
    quantity: int
    order_id: int | None = None
    error: Exception | None = None


@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("race")
    with fresh_database(tmp, "race") as url:
        command.upgrade(alembic_config(url), "head")
        app = create_app({"TESTING": True, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp / "media"),
                          "SECRET_KEY": "race-secret",
                          # each buyer's thread is a request: its connection, and one to cancel expired orders
                          "DATABASE_ENGINE_OPTIONS": {"pool_size": 2 * BUYERS}})
        yield app
        db.session.remove()
        app.extensions["db_engine"].dispose()


def _stock_up(app) -> tuple[int, list[int], list[int]]:
    """A product with 5 sellable units in two lots (plus a near-expiry lot that must not be sold); 20 buyers."""
    near = app.config["NEAR_EXPIRY_DAYS"]
    with app.test_request_context("/", headers=ENGLISH):
        product = factories.product(db.session, price=Decimal("100.00"), max_per_order=2)
        wh = factories.warehouse(db.session)
        lots = [
            factories.lot(db.session, product, 2, best_before=shop_today() + timedelta(days=90), wh=wh),
            factories.lot(db.session, product, 3, best_before=shop_today() + timedelta(days=300), wh=wh),
            factories.lot(db.session, product, 40, best_before=shop_today() + timedelta(days=near), wh=wh),
        ]
        users = [User(email=f"racer{i}-{product.id}@example.com", name=f"Racer {i}", password_hash="-")
                 for i in range(BUYERS)]
        db.session.add_all(users)
        db.session.commit()
        ids = product.id, [lot.id for lot in lots], [u.id for u in users]
        db.session.remove()
    return ids


def _race(app, product_id: int, user_ids: list[int], quantities: list[int], *,
          also: int | None = None) -> list[Outcome]:
    """Each buyer orders quantities[i] of the product (and as many of the product `also`, when given)."""
    barrier = threading.Barrier(len(user_ids), timeout=20)
    outcomes = [Outcome(buyer=i, quantity=q) for i, q in enumerate(quantities)]
    ids = [ID_A, ID_B, ID_C, ID_X]

    def buy(i: int) -> None:
        outcome = outcomes[i]
        with app.test_request_context("/", headers=ENGLISH):
            try:
                user = db.session.get(User, user_ids[i])
                goods = [db.session.get(Product, pid) for pid in (product_id, also) if pid is not None]
                _ = [g.brand.name for g in goods]  # everything loaded before the start: the race is about the stock
                db.session.commit()
                barrier.wait()
                order = place(db.session, user, [(g, outcome.quantity) for g in goods], who=buyer(ids[i % len(ids)]))
                db.session.commit()
                outcome.order_id = order.id
            except Exception as exc:  # every failure is reported by the test
                db.session.rollback()
                outcome.error = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(i,), name=f"buyer-{i}") for i in range(len(user_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a buyer is still waiting"
    return outcomes


def test_twenty_buyers_racing_for_five_units_never_oversell_nor_lose_a_unit(race_app):
    product_id, lot_ids, user_ids = _stock_up(race_app)
    quantities = [2 if i % 4 == 0 else 1 for i in range(BUYERS)]  # five of them want two

    outcomes = _race(race_app, product_id, user_ids, quantities)

    unexpected = [(o.buyer, repr(o.error)) for o in outcomes if o.error and not isinstance(o.error, OutOfStock)]
    assert unexpected == []
    winners = [o for o in outcomes if o.order_id is not None]
    losers = [o for o in outcomes if o.error is not None]
    assert len(winners) + len(losers) == BUYERS
    assert sum(o.quantity for o in winners) == 5
    for loser in losers:
        assert str(loser.error.message).startswith("Only ")  # "Only N of … left in stock."

    with race_app.app_context():
        lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(Lot.id.in_(lot_ids)))}
        assert [lots[i].reserved for i in lot_ids] == [2, 3, 0]  # both sellable lots, never the near-expiry one
        assert all(0 <= lot.reserved <= lot.on_hand for lot in lots.values())
        held = Counter()
        for reservation in db.session.scalars(select(StockReservation).join(OrderLine)
                                              .where(OrderLine.product_id == product_id)):
            assert reservation.state is ReservationState.HELD
            held[reservation.lot_id] += reservation.quantity
        assert {lot_id: held[lot_id] for lot_id in lot_ids} == {i: lots[i].reserved for i in lot_ids}
        orders = db.session.scalars(select(Order).join(OrderLine).where(OrderLine.product_id == product_id)).all()
        assert sorted(o.id for o in orders) == sorted(o.order_id for o in winners)
        assert sum(line.quantity for o in orders for line in o.lines) == 5
        # Each winner's order reserves exactly what it ordered.
        for order in orders:
            reserved = sum(r.quantity for r in services.order_reservations(db.session, order))
            assert reserved == order.lines[0].quantity
        db.session.remove()


def test_after_the_race_expired_orders_give_every_unit_back(race_app):
    product_id, lot_ids, user_ids = _stock_up(race_app)
    outcomes = _race(race_app, product_id, user_ids[:8], [1] * 8)
    assert sum(1 for o in outcomes if o.order_id) == 5

    with race_app.test_request_context("/", headers=ENGLISH):
        later = utcnow() + timedelta(minutes=race_app.config["RESERVATION_MINUTES"])
        expired = services.expire_unpaid_orders(db.session, now=later)
        db.session.commit()
        assert {o.order_id for o in outcomes if o.order_id} <= {o.id for o in expired}
        reserved = db.session.scalar(select(func.sum(Lot.reserved)).where(Lot.id.in_(lot_ids)))
        assert reserved == 0
        db.session.remove()


def test_buyers_racing_while_unpaid_orders_expire_never_deadlock(race_app):
    """Every placement first cancels the unpaid orders whose time is over (in a transaction of its own on
    PostgreSQL): twenty buyers of two products, while ten expired orders hold units of both, all get an answer
    (an order or "out of stock"), each expired order is cancelled once and every unit is accounted for."""
    product_id, lot_ids, user_ids = _stock_up(race_app)
    with race_app.test_request_context("/", headers=ENGLISH):
        other = factories.product(db.session, price=Decimal("50.00"), max_per_order=2)
        factories.lot(db.session, other, 40, best_before=shop_today() + timedelta(days=200))
        long_ago = utcnow() - timedelta(minutes=race_app.config["RESERVATION_MINUTES"] + 5)
        stale = [place(db.session, db.session.get(User, user_ids[i]), [(other, 1)], now=long_ago).id
                 for i in range(10)]
        db.session.commit()
        other_id = other.id
        db.session.remove()

    outcomes = _race(race_app, product_id, user_ids, [1] * BUYERS, also=other_id)

    assert [(o.buyer, repr(o.error)) for o in outcomes if o.error and not isinstance(o.error, OutOfStock)] == []
    winners = [o.order_id for o in outcomes if o.order_id]
    assert len(winners) == 5  # the five sellable units of the first product
    with race_app.app_context():
        cancelled = db.session.scalars(select(OrderEvent.order_id).where(
            OrderEvent.order_id.in_(stale), OrderEvent.to_status == OrderStatus.CANCELLED)).all()
        assert sorted(cancelled) == sorted(stale)  # each once
        other_lot = db.session.scalar(select(Lot).where(Lot.product_id == other_id))
        assert other_lot.reserved == len(winners)  # the expired orders' units are back
        db.session.remove()
