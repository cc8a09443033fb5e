"""The search and filter form (query string, no CSRF: it changes nothing)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp, StopValidation, ValidationError
from wtforms.widgets import TextInput

from shop.catalog.services import MAX_QUERY_LENGTH

MAX_PAGE = 1000
# The largest price a product can have (NUMERIC(12, 2)).
MAX_PRICE = Decimal("9999999999.99")


class PriceField(DecimalField):
    """A price bound in yuan.

    DecimalField takes anything Decimal() parses; this one refuses NaN and Infinity, and caps huge figures at
    the largest price a product can have (they filter the same, and the database could not compare them).
    """

    # A text box (inputmode=decimal), not type=number: a browser shows nothing for an invalid number, and the
    # shopper must see what they typed next to the message about it.
    widget = TextInput()

    def pre_validate(self, form):
        # An unreadable figure gets one message, not also the range check's. (An empty box is left to Optional.)
        if self.process_errors and self.raw_data and self.raw_data[0].strip():
            raise StopValidation()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            if not self.data.is_finite():
                self.data = None
                raise ValueError(self.gettext("Not a valid decimal value."))
            self.data = min(self.data, MAX_PRICE)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[
        Optional(), Length(max=MAX_QUERY_LENGTH,
                           message=_l("Please use at most %(max)d characters.", max=MAX_QUERY_LENGTH))])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=64)])
    origin = StringField(_l("Origin"), validators=[
        Optional(), Regexp(r"^\d{3}$", message=_l("Please choose a country from the list."))])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=64)])
    min_price = PriceField(_l("Min. price"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Please enter a price of 0 or more."))],
        render_kw={"inputmode": "decimal"})
    max_price = PriceField(_l("Max. price"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Please enter a price of 0 or more."))],
        render_kw={"inputmode": "decimal"})
    in_stock = BooleanField(_l("In stock only"))
    sort = SelectField(_l("Sort by"), choices=[
        SelectChoice("newest", _l("Newest")), SelectChoice("price_asc", _l("Price: low to high")),
        SelectChoice("price_desc", _l("Price: high to low"))], default="newest", validate_choice=True)
    page = IntegerField(_l("Page"), default=1, validators=[
        Optional(), NumberRange(min=1, max=MAX_PAGE,
                                message=_l("Please choose a page between 1 and %(max)d.", max=MAX_PAGE))])

    def validate_max_price(self, field):
        if field.data is not None and self.min_price.data is not None and field.data < self.min_price.data:
            raise ValidationError(_l("The maximum price must not be below the minimum price."))
