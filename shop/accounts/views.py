"""Register, sign in, sign out, the account page and password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import services
from shop.accounts.forms import ChangePasswordForm, LoginForm, RegisterForm
from shop.accounts.identity import Address, BuyerIdentity
from shop.cart.services import CART_TOKEN, merge_into_user_cart
from shop.db import db
from shop.domain import DomainError
from shop.extensions import limiter
from shop.i18n import LOCALE_COOKIE
from shop.urls import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _sign_in(user, remember: bool = False) -> None:
    token = session.get(CART_TOKEN)
    locale = session.get(LOCALE_COOKIE)
    login_user(user, remember=remember)
    merge_into_user_cart(db.session, user_id=user.id, token=token)
    session.pop(CART_TOKEN, None)
    if locale and not user.locale:
        user.locale = locale


def _failed_sign_in(response) -> bool:
    # Only failed attempts count towards the limit: a successful sign-in redirects.
    return request.method == "POST" and response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(db.session, name=form.name.data, email=form.email.data,
                                     password=form.password.data, locale=session.get(LOCALE_COOKIE))
        except DomainError as exc:
            form.email.errors.append(exc.message)
        else:
            _sign_in(user)
            flash(_("Welcome to GlobalBuy! Your account is ready."), "success")
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_sign_in)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            _sign_in(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The email address or password is not correct."))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current.data, form.password.data)
        except DomainError as exc:
            form.current.errors.append(exc.message)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template("accounts/account.html", form=form,
                           identities=services.identities_of(db.session, current_user.id),
                           addresses=services.addresses_of(db.session, current_user.id)), status


@bp.post("/identities/<int:item_id>/delete")
@login_required
def delete_identity(item_id: int):
    if services.delete_saved(db.session, BuyerIdentity, current_user.id, item_id):
        flash(_("The saved buyer was deleted."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/addresses/<int:item_id>/delete")
@login_required
def delete_address(item_id: int):
    if services.delete_saved(db.session, Address, current_user.id, item_id):
        flash(_("The saved address was deleted."), "success")
    return redirect(url_for("accounts.account"))
