"""The audit log: every staff action — who, when, what, before and after."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import ForeignKey, Index, String, Text, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from shop.accounts.models import User
from shop.db import Base, utcnow

# Never copied into the log, whatever the object.
SECRET_FIELDS = frozenset({"password_hash", "buyer_id_encrypted", "buyer_phone_encrypted",
                           "consignee_phone_encrypted", "id_number_encrypted", "phone_encrypted", "search_text"})


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))  # e.g. product.update, lot.receive, order.ship
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs."""
        before = json.loads(self.before) if self.before else {}
        after = json.loads(self.after) if self.after else {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj) -> dict:
    """The object's column values, as JSON-friendly data (secrets left out)."""
    state = inspect(obj)
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in state.mapper.column_attrs
            if attr.key not in SECRET_FIELDS}


def record(session: Session, *, actor_id: int | None, action: str, obj, before: dict | None = None,
           after: dict | None = None, summary: str = "") -> AuditEntry:
    """Write one audit entry for an action on `obj` (after = its state now, unless given)."""
    session.flush()
    entry = AuditEntry(
        actor_id=actor_id, action=action, object_type=type(obj).__name__.lower(),
        object_id=str(inspect(obj).identity[0] if inspect(obj).identity else ""), summary=summary[:300],
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before is not None else None,
        after=json.dumps(after if after is not None else snapshot(obj), ensure_ascii=False, sort_keys=True),
    )
    session.add(entry)
    session.flush()
    return entry
