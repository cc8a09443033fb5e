"""Order e-mails, rendered in the language the order was placed in and sent through Flask-Mailman."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives

from shop.accounts.models import User
from shop.db import db
from shop.orders.models import Order


def send_order_confirmation(app, order_id: int) -> None:
    """Send the "order paid" e-mail (after the payment is committed)."""
    with app.app_context(), app.test_request_context(base_url=app.config.get("SHOP_BASE_URL")):
        order = db.session.get(Order, order_id)
        user = db.session.get(User, order.user_id)
        with force_locale(order.locale):
            link = url_for("orders.detail", number=order.number, _external=True)
            subject = _("Your GlobalBuy order %(number)s is paid", number=order.number)
            text = render_template("email/order_confirmation.txt", order=order, user=user, link=link)
            html = render_template("email/order_confirmation.html", order=order, user=user, link=link)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
        message.attach_alternative(html, "text/html")
        message.send()
        db.session.remove()
