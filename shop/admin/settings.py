"""Administrators change the shop's run-time settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop import settings
from shop.admin.auth import ADMINS, role_required
from shop.admin.views import bp
from shop.db import db


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*ADMINS)
def shop_settings():
    errors: dict[str, str] = {}
    typed = {}
    if request.method == "POST":
        for key in settings.DEFINITIONS:
            text = request.form.get(key, "")
            try:
                typed[key] = settings.parse(key, text)
            except ValueError as exc:
                errors[key] = str(exc.args[0])
        if not errors:
            for key, new in typed.items():
                if new != settings.value(key):
                    settings.save(db.session, key, new, actor_id=current_user.id)
            flash(_("The settings are saved."), "success")
            return redirect(url_for("admin.shop_settings"))
    current = {key: request.form.get(key) if errors else settings.value(key) for key in settings.DEFINITIONS}
    return render_template("admin/settings.html", definitions=settings.DEFINITIONS.values(), current=current,
                           errors=errors), 400 if errors else 200
