"""Sign-up, sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD = 8

_required = _l("This field is required.")
_password_length = _l("Please use between %(min)d and %(max)d characters.", min=MIN_PASSWORD, max=128)


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_required), Length(max=100)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[
        DataRequired(_required), Email(_l("Please enter a valid email address."), check_deliverability=False),
        Length(max=254)], render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_required), Length(min=MIN_PASSWORD, max=128, message=_password_length)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(_required), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_required), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_required), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_required), Length(max=128)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_required), Length(min=MIN_PASSWORD, max=128, message=_password_length)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(_required), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
