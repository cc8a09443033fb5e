"""Buyers' real-name identities and delivery addresses, saved to an account.

The resident ID number and phone are sensitive personal information: stored encrypted (with a keyed
digest of the ID number for the annual-quota lookup), shown masked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, utcnow


class BuyerIdentity(Base):
    __tablename__ = "buyer_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_encrypted: Mapped[str] = mapped_column(String(255))
    id_number_digest: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone_encrypted: Mapped[str] = mapped_column(String(255))
    phone_masked: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    consignee: Mapped[str] = mapped_column(String(50))
    phone_encrypted: Mapped[str] = mapped_column(String(255))
    phone_masked: Mapped[str] = mapped_column(String(20))
    # GB/T 2260 six-digit code of the district (county), and the names of its province, city and district.
    division_code: Mapped[str] = mapped_column(String(6))
    province: Mapped[str] = mapped_column(String(30))
    city: Mapped[str] = mapped_column(String(30))
    district: Mapped[str] = mapped_column(String(30))
    street: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def full_address(self) -> str:
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.district}{self.street}"
