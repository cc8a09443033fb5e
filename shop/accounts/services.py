"""Account use cases."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.domain import DomainError


class EmailTaken(DomainError):
    code = "email_taken"


class WrongPassword(DomainError):
    code = "wrong_password"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(session: Session, *, name: str, email: str, password: str, role: Role = Role.SHOPPER,
             locale: str | None = None) -> User:
    """Create an account; refuses an email address already in use."""
    if find_by_email(session, email) is not None:
        raise EmailTaken(_l("An account with this email address already exists."))
    user = User(name=name.strip(), email=normalise_email(email), role=role, locale=locale)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_by_email(session, email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    if not user.check_password(current):
        raise WrongPassword(_l("Your current password is not correct."))
    user.set_password(new)
    session.flush()


# --- saved buyers and addresses --------------------------------------------------------------------


def identities_of(session: Session, user_id: int) -> list:
    from shop.accounts.identity import BuyerIdentity

    return list(session.scalars(select(BuyerIdentity).where(BuyerIdentity.user_id == user_id)
                                .order_by(BuyerIdentity.id.desc())))


def addresses_of(session: Session, user_id: int) -> list:
    from shop.accounts.identity import Address

    return list(session.scalars(select(Address).where(Address.user_id == user_id).order_by(Address.id.desc())))


def save_identity(session: Session, user_id: int, *, name: str, id_number: str, phone: str):
    """Keep a buyer on the account (ID and phone encrypted); the same ID number is kept once."""
    from shop import security
    from shop.accounts.identity import BuyerIdentity
    from shop.customs.rules import mask_id_number, mask_phone

    digest = security.digest(id_number)
    found = session.scalar(select(BuyerIdentity).where(BuyerIdentity.user_id == user_id,
                                                       BuyerIdentity.id_number_digest == digest))
    if found is None:
        found = BuyerIdentity(user_id=user_id, id_number_digest=digest)
        session.add(found)
    found.name = name.strip()
    found.id_number_encrypted = security.encrypt(id_number)
    found.id_number_masked = mask_id_number(id_number)
    found.phone_encrypted = security.encrypt(phone)
    found.phone_masked = mask_phone(phone)
    session.flush()
    return found


def save_address(session: Session, user_id: int, *, consignee: str, phone: str, division_code: str, province: str,
                 city: str, district: str, street: str):
    """Keep a delivery address on the account (phone encrypted)."""
    from shop import security
    from shop.accounts.identity import Address
    from shop.customs.rules import mask_phone

    address = Address(user_id=user_id, consignee=consignee.strip(), phone_encrypted=security.encrypt(phone),
                      phone_masked=mask_phone(phone), division_code=division_code, province=province, city=city,
                      district=district, street=street.strip())
    session.add(address)
    session.flush()
    return address


def delete_saved(session: Session, model, user_id: int, item_id: int) -> bool:
    """Delete one of the user's saved buyers or addresses (orders keep their own copies)."""
    item = session.get(model, item_id)
    if item is None or item.user_id != user_id:
        return False
    session.delete(item)
    session.flush()
    return True
