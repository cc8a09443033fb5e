"""The checkout form: the real-name buyer, the consignee, and the buyer's confirmation that they pay."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from shop.accounts import divisions
from shop.customs import rules
from shop.orders.services import ID_MESSAGES

MOBILE = re.compile(r"^1[3-9]\d{9}$")
NEW = 0

_required = _l("This field is required.")


def _phone(form, field):
    if field.data and not MOBILE.match(field.data.strip()):
        raise ValidationError(_l("Please enter an 11-digit mainland mobile number, e.g. 13812345678."))


class CheckoutForm(FlaskForm):
    identity = SelectField(_l("Buyer"), coerce=int, validate_choice=False)
    buyer_name = StringField(_l("Real name"), validators=[Optional(), Length(max=50)],
                             render_kw={"autocomplete": "name"})
    buyer_id_number = StringField(_l("Resident ID number"), validators=[Optional(), Length(max=18)],
                                  render_kw={"autocomplete": "off", "inputmode": "text", "maxlength": 18,
                                             "spellcheck": "false"})
    buyer_phone = StringField(_l("Mobile phone"), validators=[Optional(), _phone],
                              render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 11})
    save_identity = BooleanField(_l("Save this buyer to my account"), default=True)

    address = SelectField(_l("Deliver to"), coerce=int, validate_choice=False)
    consignee_name = StringField(_l("Consignee"), validators=[Optional(), Length(max=50)])
    consignee_phone = StringField(_l("Consignee's mobile phone"), validators=[Optional(), _phone],
                                  render_kw={"inputmode": "tel", "maxlength": 11})
    province = SelectField(_l("Province"), validate_choice=False)
    city = SelectField(_l("City"), validate_choice=False)
    district = SelectField(_l("District"), validate_choice=False)
    street = StringField(_l("Street address"), validators=[Optional(), Length(max=200)],
                         render_kw={"autocomplete": "street-address"})
    save_address = BooleanField(_l("Save this address to my account"), default=True)

    buyer_is_payer = BooleanField(
        _l("I am the buyer named above and I pay for this order with my own card."),
        validators=[DataRequired(_l("Customs requires the buyer to be the payer. Please confirm."))])

    def __init__(self, *args, identities=(), addresses=(), today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.identity.choices = [(i.id, f"{i.name} {i.id_number_masked}") for i in identities] + [
            (NEW, _l("A new buyer"))]
        self.address.choices = [(a.id, f"{a.consignee} · {a.full_address}") for a in addresses] + [
            (NEW, _l("A new address"))]
        if self.identity.data is None:
            self.identity.data = identities[0].id if identities else NEW
        if self.address.data is None:
            self.address.data = addresses[0].id if addresses else NEW
        self.province.choices = [("", _l("Province"))] + [(p.code, p.name) for p in divisions.provinces()]
        self.city.choices = [("", _l("City"))] + [(c.code, c.name) for c in divisions.cities(self.province.data or "")]
        self.district.choices = [("", _l("District"))] + [
            (d.code, d.name) for d in divisions.districts(self.city.data or "")]
        self.saved_identity_ids = {i.id for i in identities}
        self.saved_address_ids = {a.id for a in addresses}

    def _require(self, *fields) -> bool:
        ok = True
        for field in fields:
            if not (field.data or "").strip():
                field.errors.append(_required)
                ok = False
        return ok

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.identity.data == NEW:
            if self._require(self.buyer_name, self.buyer_id_number, self.buyer_phone) and not self.buyer_id_number.errors:
                try:
                    rules.check_id_number(self.buyer_id_number.data, self.today)
                except rules.InvalidIdNumber as exc:
                    self.buyer_id_number.errors.append(ID_MESSAGES[exc.reason])
        elif self.identity.data not in self.saved_identity_ids:
            self.identity.errors.append(_l("Please choose a buyer from the list."))
        if self.address.data == NEW:
            self._require(self.consignee_name, self.consignee_phone, self.street)
            code, city, province = self.district.data or "", self.city.data or "", self.province.data or ""
            place = divisions.district(code)
            if place is None or len(city) != 6 or not (code.startswith(city[:4]) and city.startswith(province[:2])):
                self.district.errors.append(_l("Please choose the province, city and district."))
        elif self.address.data not in self.saved_address_ids:
            self.address.errors.append(_l("Please choose an address from the list."))
        return ok and not any(f.errors for f in self)
