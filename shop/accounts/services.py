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
