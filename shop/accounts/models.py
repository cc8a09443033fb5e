"""Users and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from shop.db import Base, enum_column, utcnow


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    STAFF = "staff"
    CLERK = "clerk"
    ADMIN = "admin"


# scrypt (werkzeug's default) is a memory-hard KDF; the parameters are stored in each hash.
PASSWORD_METHOD = "scrypt"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "role", 16),
        default=Role.SHOPPER,
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
