"""Stripe's webhook."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from shop.db import db
from shop.extensions import csrf
from shop.payments import services
from shop.payments.gateway import BadSignature, gateway

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Verify the signature, then act on the event once (a repeated event id changes nothing)."""
    try:
        event = gateway().parse_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadSignature:
        current_app.logger.warning("webhook with a bad signature refused")
        return jsonify(error="bad signature"), 400
    outcome = services.handle_event(db.session, event)
    return jsonify(received=True, outcome=outcome)
