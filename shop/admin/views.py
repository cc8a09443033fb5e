"""The back office: one blueprint, a page per task; each screen calls the same services as the storefront."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from shop import clock, settings
from shop.accounts.models import Role
from shop.admin.auth import BACK_OFFICE, role_required
from shop.db import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(*BACK_OFFICE)
def dashboard():
    from shop.customs.models import Declaration
    from shop.inventory import stock
    from shop.orders.models import Order, OrderStatus

    summary = declarations = None
    if current_user.role in (Role.STAFF, Role.ADMIN):
        summary = {
            "board": stock.dashboard(db.session, today=clock.today(), near_expiry_days=settings.value("NEAR_EXPIRY_DAYS"),
                                     warning_days=settings.value("NEAR_EXPIRY_WARNING_DAYS"),
                                     low_stock_threshold=settings.value("LOW_STOCK_THRESHOLD")),
            "to_ship": db.session.scalar(select(func.count(Order.id)).where(Order.status == OrderStatus.RELEASED)),
        }
    if current_user.role in (Role.CLERK, Role.ADMIN):
        declarations = list(db.session.execute(
            select(Declaration.status, func.count(Declaration.id)).group_by(Declaration.status)
            .order_by(Declaration.status)))
    return render_template("admin/dashboard.html", stock=summary, declarations=declarations)


def register_pages() -> None:
    """Import the modules whose routes hang off this blueprint."""
    from shop.admin import (  # noqa: F401
        audit,
        catalog,
        customs,
        customs_reports,
        fulfilment,
        inventory,
        jobs,
        labels,
        orders,
        settings,
        users,
    )
