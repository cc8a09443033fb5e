"""Administrators manage accounts: roles, and who may sign in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.accounts.models import Role, User
from shop.admin.auth import ADMINS, role_required
from shop.admin.views import bp
from shop.audit import record, snapshot
from shop.db import db


@bp.get("/users")
@role_required(*ADMINS)
def users():
    query = (request.args.get("q") or "").strip()[:100].lower()
    stmt = select(User).order_by(User.role, User.email).limit(300)
    if query:
        stmt = stmt.where(User.email.contains(query, autoescape=True))
    return render_template("admin/users.html", users=list(db.session.scalars(stmt)), roles=list(Role), q=query)


@bp.post("/users/<int:user_id>")
@role_required(*ADMINS)
def user_update(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and (role is not Role.ADMIN or not active):
        flash(_("You cannot remove your own administrator access."), "error")
        return redirect(url_for("admin.users"))
    before = snapshot(user)
    user.role, user.active = role, active
    record(db.session, actor_id=current_user.id, action="user.update", obj=user, before=before, summary=user.email)
    flash(_("%(email)s is saved.", email=user.email), "success")
    return redirect(url_for("admin.users"))
