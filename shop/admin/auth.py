"""Who may open which back-office page."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from shop.accounts.models import Role

STAFF = (Role.STAFF, Role.ADMIN)  # catalogue, stock, fulfilment, refunds, shelf labels
CLERKS = (Role.CLERK, Role.ADMIN)  # the customs workspace
ADMINS = (Role.ADMIN,)  # users and settings
BACK_OFFICE = (Role.STAFF, Role.CLERK, Role.ADMIN)


def role_required(*roles: Role):
    """Only signed-in users with one of `roles`; others get the sign-in page (anonymous) or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # read by the test that walks every route for every role
        return wrapped

    return decorator
