"""Cart forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from shop.cart.services import MAX_QUANTITY

QTY_MESSAGE = _l("Please enter a quantity between 1 and %(max)d.", max=MAX_QUANTITY)


class AddToCartForm(FlaskForm):
    sku = HiddenField(validators=[DataRequired(), Length(max=32)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[
        InputRequired(message=QTY_MESSAGE), NumberRange(min=1, max=MAX_QUANTITY, message=QTY_MESSAGE)],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_QUANTITY})


class UpdateItemForm(FlaskForm):
    sku = HiddenField(validators=[DataRequired(), Length(max=32)])
    quantity = IntegerField(_l("Quantity"), validators=[
        InputRequired(message=QTY_MESSAGE), NumberRange(min=1, max=MAX_QUANTITY, message=QTY_MESSAGE)],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_QUANTITY})


class RemoveItemForm(FlaskForm):
    sku = HiddenField(validators=[DataRequired(), Length(max=32)])
