"""Administrators change run-time settings; the shop uses them at once."""

from decimal import Decimal

from shop import settings
from shop.accounts.models import Role
from shop.audit import AuditEntry
from tests import factories
from tests.functional.helpers import add_to_cart, sign_in

FORM = {"FREIGHT_FEE": "12.50", "FREE_FREIGHT_OVER": "500", "RESERVATION_MINUTES": "45", "NEAR_EXPIRY_DAYS": "30",
        "NEAR_EXPIRY_WARNING_DAYS": "90", "LOW_STOCK_THRESHOLD": "10"}


def _admin(client, session):
    admin = factories.user(session, role=Role.ADMIN)
    sign_in(client, admin.email)
    return admin


def test_settings_page_shows_the_configured_defaults(client, session, app):
    _admin(client, session)
    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert f'value="{app.config["FREIGHT_FEE"]}"' in page.text


def test_saved_freight_is_charged_in_the_cart_and_audited(client, session):
    admin = _admin(client, session)
    response = client.post("/admin/settings", data=FORM)
    assert response.status_code == 302
    assert settings.value("FREIGHT_FEE") == Decimal("12.50")
    assert settings.value("RESERVATION_MINUTES") == 45
    entry = session.query(AuditEntry).filter_by(action="setting.update", object_id="FREIGHT_FEE").one()
    assert entry.actor_id == admin.id

    product = factories.product(session, price=Decimal("100.00"))
    factories.lot(session, product)
    add_to_cart(client, product.sku)
    cart = client.get("/cart/").text
    assert "¥12.50" in cart


def test_bad_values_are_refused_and_nothing_is_saved(english, session):
    _admin(english, session)
    bad = {**FORM, "FREIGHT_FEE": "-1", "RESERVATION_MINUTES": "45.5"}
    response = english.post("/admin/settings", data=bad)
    assert response.status_code == 400
    assert "Must be between 0 and 1000." in response.text
    assert "A whole number, please." in response.text
    assert 'value="-1"' in response.text
    assert session.query(AuditEntry).filter_by(action="setting.update").count() == 0


def test_only_admins_open_the_settings(client, session):
    staff = factories.user(session, role=Role.STAFF)
    sign_in(client, staff.email)
    assert client.get("/admin/settings").status_code == 403
