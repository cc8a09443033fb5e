"""The customs demo orders: every customs state, with receipts, documents that agree, a ledger that balances."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from shop import clock, seed
from shop.cart import services as carts
from shop.customs import summaries
from shop.customs.messages import CustomsCodes, OrderDocs, Stamp, build_document, three_document_check
from shop.customs.models import Declaration, DeclarationReceipt, DeclarationStatus
from shop.customs.receipts import receipt_files
from shop.db import db, utcnow
from shop.inventory.stock import ledger_mismatches
from shop.orders.models import Order, OrderStatus
from shop.payments.gateway import gateway
from shop.payments.models import Payment
from shop.seed.customs import seed_customs
from tests.integration.test_seed import _app_context
from tests.localstripe import point_app_at


def _seed(session):
    return seed_customs(session, config=current_app.config, gateway=gateway(), freight=carts.freight_rule(),
                        tz=clock.shop_timezone(), now=utcnow())


def test_demo_orders_cover_every_customs_state_and_their_documents_agree(tmp_path, localstripe_server):
    with _app_context(tmp_path) as media:
        app = current_app._get_current_object()
        app.config.update(CUSTOMS_OUTBOX=str(tmp_path / "outbox"), CUSTOMS_INBOX=str(tmp_path / "inbox"),
                          CUSTOMS_KEYS_DIR=str(tmp_path / "keys"))
        point_app_at(app, localstripe_server)
        session = db.session
        seed.seed_demo(session, media_root=str(media))
        session.commit()

        report = _seed(session)

        assert report.orders == 20 and report.declared == 16 and report.inbox_files == 4
        statuses = dict(session.execute(select(Declaration.status, func.count()).group_by(Declaration.status)).all())
        assert set(statuses) == set(DeclarationStatus), set(DeclarationStatus) - set(statuses)
        by_order = dict(session.execute(select(Order.status, func.count()).group_by(Order.status)).all())
        assert {OrderStatus.PAID, OrderStatus.DECLARED, OrderStatus.RELEASED, OrderStatus.SHIPPED,
                OrderStatus.DELIVERED, OrderStatus.REJECTED, OrderStatus.CANCELLED} <= set(by_order)
        # Every state came from imported receipts, and the tax bills were recorded.
        assert session.scalar(select(func.count()).select_from(DeclarationReceipt)) == report.receipts > 50
        assert session.scalar(select(func.count()).where(Declaration.tax_no.is_not(None))) == 6
        # The rejected order was refunded through the payment gateway.
        rejected = session.scalar(select(Order).where(Order.status == OrderStatus.REJECTED))
        payment = session.scalar(select(Payment).where(Payment.order_id == rejected.id))
        assert payment.refunded_amount == payment.amount == rejected.actual_paid
        # The three documents and the list of every declared order agree field by field.
        codes, stamp = CustomsCodes.from_config(app.config), Stamp.now()
        declared = session.scalars(select(Declaration).where(
            Declaration.status.not_in((DeclarationStatus.PENDING, DeclarationStatus.CANCELLED))))
        for declaration in declared:
            paid = session.scalar(select(Payment).where(Payment.order_id == declaration.order_id,
                                                        Payment.succeeded_at.is_not(None)))
            docs = OrderDocs.from_declaration(declaration, payment=paid)
            built = [build_document(kind, docs, codes, stamp) for kind in ("ceb311", "ceb411", "ceb511", "ceb621")]
            assert three_document_check(*built) == [], declaration.cop_no
        # Shipped parcels left their lots through the ledger; receipts wait in the inbox for the clerk.
        assert ledger_mismatches(session) == []
        # Every unit that left a lot did so on a released list, month by month.
        tz = clock.shop_timezone()
        this_month = summaries.Month.of(utcnow().astimezone(tz).date())
        for month in (this_month.previous.previous, this_month.previous, this_month):
            reconciliation = summaries.ledger_reconciliation(session, month, tz)
            assert reconciliation.differences == [], month
        assert sum(summaries.ledger_reconciliation(session, m, tz).total("ledger_out")
                   for m in (this_month.previous.previous, this_month.previous, this_month)) > 0
        assert len(receipt_files([tmp_path / "inbox"])) == 4
        assert len(list((tmp_path / "outbox").glob("*.xml"))) == 4 * report.declared

        again = _seed(session)
        assert again.orders == 0 and "nothing was added" in again.summary()
