"""The audit log, filtered by person, object and date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.accounts.models import Role, User
from shop.admin.auth import ADMINS, role_required
from shop.admin.views import bp
from shop.audit import AuditEntry
from shop.db import db


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/audit")
@role_required(*ADMINS)
def audit_log():
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    actor = request.args.get("actor", "")
    object_type = (request.args.get("object_type") or "").strip()[:40]
    object_id = (request.args.get("object_id") or "").strip()[:40]
    start, end = _day("from"), _day("to")
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(300)
    if actor.isdecimal() and len(actor) < 10:
        stmt = stmt.where(AuditEntry.actor_id == int(actor))
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if start:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(start, time.min, tz))
    if end:
        stmt = stmt.where(AuditEntry.created_at < datetime.combine(end + timedelta(days=1), time.min, tz))
    people = list(db.session.scalars(select(User).where(User.role != Role.SHOPPER).order_by(User.name)))
    types = list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))
    return render_template("admin/audit.html", entries=list(db.session.scalars(stmt)), people=people, types=types,
                           args=request.args)
